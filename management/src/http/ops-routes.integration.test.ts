// Integration test of the operations routes on a real `serve` process: /healthz, /readyz turning 503 while its
// PostgreSQL is stopped and 200 again once it is back, /metrics on its own listener after device traffic (no device id
// in it), /metrics on the main listener with `--metrics on` (SQLite: no pool metrics), and the data-dir lock refusing
// a second `serve` (exit 75, naming the first one's pid).

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateKekFile } from '../pki/kek-command.js';
import { type ScratchPostgres, startScratchPostgres } from '../store/scratch-postgres.js';
import { TestAdmin } from '../testing/admin-api.js';
import { httpsRequest, TestDevice } from '../testing/https-client.js';
import { type Served, serve, stop } from '../testing/serve-process.js';

let dir: string;
let cluster: ScratchPostgres;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-ops-'));
  cluster = await startScratchPostgres();
}, 60_000);

afterAll(async () => {
  cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

function plainGet(url: string): Promise<{ status: number; text: string; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, type: res.headers['content-type'] }));
    })
      .on('error', reject)
      .end();
  });
}

async function get(served: Served, dataDir: string, path: string) {
  const ca = await readFile(join(dataDir, 'ca.pem'), 'utf8');
  return httpsRequest(served.line.url, ca, 'GET', path);
}

/** An enrolled device of the endpoint that asked for its policies once. */
async function deviceThatSynced(served: Served, dataDir: string): Promise<TestDevice> {
  const ca = await readFile(join(dataDir, 'ca.pem'), 'utf8');
  const admin = new TestAdmin(served.line.url, ca, (await readFile(join(dataDir, 'admin.token'), 'utf8')).trim());
  const pkg = await admin.ok<{ enrollmentToken: string }>('POST', '/onboarding-packages', {});
  const device = new TestDevice(served.line.url, ca);
  expect((await device.enroll(pkg.enrollmentToken)).status).toBe(201);
  expect((await device.get('/v1/device/policies')).status).toBe(200);
  return device;
}

describe('operations routes of a serve process', () => {
  it('PostgreSQL: healthz, readyz 503 while the database is down and 200 once back, metrics on their own listener, one serve per data dir', async () => {
    const data = join(dir, 'pg');
    const kek = join(dir, 'kek');
    await generateKekFile(kek);
    const served = await serve(data, ['--database', await cluster.createDatabase(), '--key-encryption-key-file', kek, '--metrics', '127.0.0.1:0']);
    try {
      expect(await get(served, data, '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
      expect(await get(served, data, '/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
      expect((await get(served, data, '/metrics')).status).toBe(404);

      const device = await deviceThatSynced(served, data);
      const metricsUrl = served.line.metricsUrl as string;
      expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const scrape = await plainGet(metricsUrl);
      expect(scrape.status).toBe(200);
      expect(scrape.type).toContain('text/plain');
      expect(scrape.text).toContain('attache_syncs_total{channel="http"} 1');
      expect(scrape.text).toContain('attache_device_requests_total{route="/v1/device/policies",method="GET",status="200"} 1');
      expect(scrape.text).toContain('attache_device_requests_total{route="/v1/enroll",method="POST",status="201"} 1');
      expect(scrape.text).toMatch(/attache_db_pool_connections\{state="total"\} [1-9]/);
      expect(scrape.text).toContain('attache_push_connected_devices 0');
      expect(scrape.text).toMatch(/^process_cpu_user_seconds_total /m);
      expect(scrape.text).not.toContain(device.deviceId);
      expect((await plainGet(metricsUrl.replace('/metrics', '/readyz'))).status).toBe(200);

      const second = await serve(data, ['--database', cluster.url(), '--key-encryption-key-file', kek]).then(
        (s) => stop(s.child).then(() => 'started'),
        (err: Error) => err.message,
      );
      expect(second).toMatch(/exited with 75/);
      expect(second).toContain(`DAEMON_ALREADY_RUNNING: another attache-management serve (pid ${served.child.pid}) is running on ${data}`);

      cluster.pause();
      try {
        await vi.waitFor(
          async () => expect(await get(served, data, '/readyz')).toMatchObject({ status: 503, body: { status: 'not-ready', reason: 'DATABASE_UNAVAILABLE' } }),
          {
            timeout: 15_000,
            interval: 250,
          },
        );
        expect(await get(served, data, '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
        // A device request meanwhile: retryable, nothing stored, and told when to come back.
        const refused = await device.get('/v1/device/policies');
        expect(refused.status).toBe(503);
        expect(refused.body).toMatchObject({ error: { code: 'DATABASE_UNAVAILABLE' } });
        expect(refused.headers['retry-after']).toBe('5');
      } finally {
        cluster.resume();
      }
      await vi.waitFor(async () => expect(await get(served, data, '/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } }), {
        timeout: 15_000,
        interval: 250,
      });
      expect((await device.get('/v1/device/policies')).status).toBe(200);
    } finally {
      expect(await stop(served.child)).toBe(0);
    }
    // The lock went with the process: the data dir can be served again.
    await stop((await serve(data, ['--database', cluster.url(), '--key-encryption-key-file', kek])).child);
  }, 90_000);

  it('SQLite with --metrics on: /metrics on the main listener, no pool metrics', async () => {
    const data = join(dir, 'sqlite');
    const served = await serve(data, ['--metrics', 'on']);
    try {
      expect(served.line.metricsUrl).toBeUndefined();
      expect(await get(served, data, '/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
      const scrape = await get(served, data, '/metrics');
      expect(scrape.status).toBe(200);
      expect(scrape.text).toContain('attache_store_write_queue_depth{queue="groupCommit"} 0');
      expect(scrape.text).not.toContain('attache_db_pool');
    } finally {
      expect(await stop(served.child)).toBe(0);
    }
  }, 60_000);
});
