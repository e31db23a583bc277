// Admission control, agent side: a real loopback HTTPS endpoint answering 503 ENDPOINT_BUSY (or 429) with Retry-After.
// The client carries the wait in the error, the sync outcome keeps it, and the sync retry and the signal delivery wait
// at least that long before they ask again.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../agent/src/logging.js';
import { selectHost } from '../agent/src/platform/index.js';
import { SignalDelivery } from '../agent/src/risk/signal-delivery.js';
import { SyncRetry } from '../agent/src/runtime/sync-retry.js';
import { StateStore } from '../agent/src/state/state-store.js';
import { SyncEngine } from '../agent/src/sync/sync-engine.js';
import { MemoryFileStore } from '../agent/src/system/file-store.js';
import { EndpointClient } from '../agent/src/transport/endpoint-client.js';
import { generateEd25519KeyPair, keyIdOf, privateKeyFromPem } from '../common/signing.js';
import { ManualClock } from '../common/testing/manual-clock.js';
import { type CertificateAndKey, createCa, issueServerCertificate } from '../management/src/pki/certificates.js';
import type { HealthUpload } from '../policy-schemas/src/index.js';
import { waitFor } from './harness.js';

const DEVICE = '55555555-5555-4555-8555-555555555555';
const TENANT = '11111111-1111-4111-8111-111111111111';
const keys = generateEd25519KeyPair();
let ca: CertificateAndKey;
let server: Server;
let url: string;
/** How the endpoint answers: the envelope of a saturated endpoint, a bare 503 (a proxy in front), or a 429. */
let mode: 'busy' | 'bare-503' | 'rate-limited';
let requests: string[];

beforeAll(async () => {
  ca = await createCa('test CA', new Date());
  const cert = await issueServerCertificate(ca, ['localhost', '127.0.0.1'], new Date());
  server = createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    if (mode === 'bare-503') return res.writeHead(503, { 'retry-after': '12' }).end();
    const [status, code] = mode === 'busy' ? [503, 'ENDPOINT_BUSY'] : [429, 'RATE_LIMITED'];
    res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '7' });
    res.end(JSON.stringify({ error: { code, message: 'the endpoint is at capacity' } }));
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((res) => server.close(res));
});

beforeEach(() => {
  mode = 'busy';
  requests = [];
});

const clientAt = (now: () => number) =>
  new EndpointClient(
    { endpointUrl: url, caCertificate: ca.certPem, credentials: { deviceId: DEVICE, privateKey: privateKeyFromPem(keys.privateKeyPem) } },
    { now },
  );

describe('an endpoint at capacity', () => {
  it('is ENDPOINT_BUSY (or RATE_LIMITED) carrying the Retry-After wait, with or without the error envelope', async () => {
    const client = clientAt(Date.now);
    try {
      await expect(client.getPolicies(undefined)).rejects.toMatchObject({ code: 'ENDPOINT_BUSY', retryable: true, retryAfterMs: 7_000 });
      mode = 'bare-503';
      await expect(client.getPolicies(undefined)).rejects.toMatchObject({ code: 'ENDPOINT_BUSY', retryable: true, retryAfterMs: 12_000 });
      mode = 'rate-limited';
      await expect(client.postHealth(healthUpload())).rejects.toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterMs: 7_000 });
    } finally {
      client.close();
    }
  });

  it('makes the sync outcome carry the wait and the sync retry wait at least that long', async () => {
    const dir = '/state';
    const store = new StateStore(dir, { posixPermissions: false, files: new MemoryFileStore() });
    await store.init();
    const identity = {
      formatVersion: 1 as const,
      deviceId: DEVICE,
      tenantId: TENANT,
      endpointUrl: url,
      caCertificate: ca.certPem,
      policySigningKey: { keyId: keyIdOf(keys.publicKey), publicKey: keys.publicKey },
      publicKey: keys.publicKey,
      enrolledAt: '2026-11-22T00:00:00.000Z',
    };
    const client = clientAt(Date.now);
    let n = 0;
    const engine = new SyncEngine({
      store,
      client,
      host: selectHost({ kind: 'simulated', platform: 'linux', hostname: 'sim' }),
      identity,
      now: Date.now,
      newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
      logger: silentLogger(),
    });
    try {
      const outcome = await engine.sync('schedule');
      expect(outcome.error).toMatchObject({ code: 'ENDPOINT_BUSY', retryAfterMs: 7_000 });
      expect((await store.readStatus())?.error?.retryAfterMs).toBe(7_000);
      // The queued report is the wire format: code and message only.
      expect((await store.pendingReports())[0]?.report.syncError).toEqual({ code: 'ENDPOINT_BUSY', message: 'the endpoint is at capacity' });
      const delays: number[] = [];
      const setTimer = (_fn: () => void, ms: number) => {
        delays.push(ms);
        return { cancel() {} };
      };
      const retry = new SyncRetry({ baseMs: 1_000 }, { run: () => undefined, random: () => 0, setTimer });
      retry.observe(outcome.error?.code, outcome.error?.retryAfterMs);
      // The backoff alone would have waited 0.5 s.
      expect(delays).toEqual([7_000]);
    } finally {
      client.close();
    }
  });

  it('makes the signal delivery wait at least Retry-After (plus jitter) before sending again', async () => {
    const clock = new ManualClock(Date.parse('2026-11-22T10:00:00.000Z'), { random: () => 0.5 });
    const store = new StateStore('/state', { posixPermissions: false, files: new MemoryFileStore() });
    await store.init();
    const client = clientAt(() => clock.now());
    let n = 0;
    const delivery = new SignalDelivery({
      store,
      client,
      clock,
      random: () => clock.random(),
      newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
      logger: silentLogger(),
    });
    try {
      await delivery.enqueue({ kind: 'health', body: healthUpload() });
      await delivery.idle();
      expect(requests).toEqual(['POST /v1/device/health']);
      expect(delivery.lastError).toContain('ENDPOINT_BUSY');
      // Backoff alone: 0.75 s. Retry-After 7 s with half-way jitter: 8.75 s.
      await clock.advance(8_700);
      expect(requests).toHaveLength(1);
      await clock.advance(100);
      await waitFor('the retry', async () => (requests.length === 2 ? true : undefined));
    } finally {
      await delivery.stop();
      client.close();
    }
  });
});

function healthUpload(): HealthUpload {
  return {
    deviceId: DEVICE,
    health: {
      collectedAt: '2026-11-22T10:00:00.000Z',
      antivirus: { source: 'simulated', mode: 'active', realTimeProtection: true, tamperProtection: false },
      firewall: { source: 'simulated', enabled: true },
    },
  };
}
