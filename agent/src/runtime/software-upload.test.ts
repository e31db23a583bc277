// The software inventory's schedule and upload at the client boundary: first run in the 2–5 min window, the interval,
// the hash gate against the acknowledged digest kept in the state dir, a corrupt state file, retry on the sync backoff,
// and the failure as `attache-agent status` shows it.
import { describe, expect, it } from 'vitest';
import { AttacheError } from '../../../common/errors.js';
import { ManualClock } from '../../../common/testing/manual-clock.js';
import {
  MAX_SOFTWARE_UPLOAD_BYTES,
  SOFTWARE_RESEND_AFTER_MS,
  type SoftwareInventory,
  type SoftwareUpload,
  type SoftwareUploadAck,
} from '../../../policy-schemas/src/index.js';
import { renderSoftware, softwareSummary } from '../cli/software-status.js';
import { finishSoftwareInventory, softwareDigest } from '../inventory/software/software-inventory.js';
import type { Logger } from '../logging.js';
import { SOFTWARE_STATE_FILE } from '../state/state-store.js';
import { MemoryFileStore } from '../system/file-store.js';
import { type SoftwareRunOutcome, SoftwareUploader } from './software-upload.js';

const DEVICE = '11111111-1111-4111-8111-111111111111';
const MIN = 60_000;
const HOUR = 60 * MIN;

function recordingLogger(lines: string[]): Logger {
  const log = (level: string) => (message: string, meta?: Record<string, unknown>) => void lines.push(`${level} ${message} ${JSON.stringify(meta ?? {})}`);
  const logger: Logger = { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug'), child: () => logger };
  return logger;
}

function inventory(version: string): SoftwareInventory {
  return finishSoftwareInventory(
    { os: { name: 'Debian GNU/Linux', version: '12' }, items: [{ name: 'openssl', version, source: 'dpkg', scheme: 'dpkg' }] },
    '2026-12-05T00:00:00.000Z',
  );
}

function setup(options: { random?: number; fail?: () => Error | undefined } = {}) {
  const clock = new ManualClock(Date.parse('2026-12-05T00:00:00Z'), { random: () => options.random ?? 0 });
  const files = new MemoryFileStore();
  const uploads: SoftwareUpload[] = [];
  const runs: SoftwareRunOutcome[] = [];
  const logs: string[] = [];
  let current = inventory('3.0.11-1~deb12u2');
  let collectError: Error | undefined;
  const uploader = new SoftwareUploader(
    { intervalMs: 12 * HOUR, retry: { baseMs: 1_000, maxMs: 8_000 } },
    {
      collector: {
        collect: async () => {
          if (collectError) throw collectError;
          return current;
        },
      },
      client: {
        postSoftware: async (upload): Promise<SoftwareUploadAck> => {
          const failure = options.fail?.();
          if (failure) throw failure;
          uploads.push(upload);
          return { digest: upload.inventory.digest, stored: true };
        },
      },
      files,
      stateDir: '/state',
      deviceId: DEVICE,
      clock,
      logger: recordingLogger(logs),
      onRun: (o) => runs.push(o),
    },
  );
  return {
    clock,
    files,
    uploads,
    runs,
    logs,
    uploader,
    setVersion: (v: string) => {
      current = inventory(v);
    },
    setInventory: (i: SoftwareInventory) => {
      current = i;
    },
    failCollect: (e: Error | undefined) => {
      collectError = e;
    },
  };
}

describe('SoftwareUploader', () => {
  it('collects first between 2 and 5 minutes after start (jittered), then every interval', async () => {
    const early = setup({ random: 0 });
    early.uploader.start();
    await early.clock.advance(2 * MIN - 1);
    expect(early.runs).toHaveLength(0);
    await early.clock.advance(1);
    expect(early.runs.map((r) => r.kind)).toEqual(['uploaded']);
    await early.clock.advance(12 * HOUR);
    expect(early.runs.map((r) => r.kind)).toEqual(['uploaded', 'unchanged']);

    const late = setup({ random: 0.999 });
    late.uploader.start();
    await late.clock.advance(5 * MIN - 1_000);
    expect(late.runs).toHaveLength(0);
    await late.clock.advance(1_000);
    expect(late.runs).toHaveLength(1);
    await late.uploader.stop();
    await early.uploader.stop();
  });

  it('uploads only when the digest differs from the acknowledged one, which survives a restart', async () => {
    const t = setup();
    await t.uploader.collectNow();
    expect(t.uploads).toHaveLength(1);
    expect(t.uploads[0]?.deviceId).toBe(DEVICE);
    await t.uploader.collectNow();
    expect(t.uploads).toHaveLength(1);
    const saved = JSON.parse((await t.files.read(`/state/${SOFTWARE_STATE_FILE}`)) ?? '{}');
    expect(saved.acknowledgedDigest).toBe(t.uploads[0]?.inventory.digest);
    expect(await t.files.mode(`/state/${SOFTWARE_STATE_FILE}`)).toBe(0o600);

    // A new uploader on the same state dir (a restart) keeps the gate closed for the same inventory.
    const again = setup();
    await again.files.writeAtomic(`/state/${SOFTWARE_STATE_FILE}`, JSON.stringify(saved));
    await again.uploader.collectNow();
    expect(again.uploads).toHaveLength(0);
    again.setVersion('3.0.15-1~deb12u1');
    await again.uploader.collectNow();
    expect(again.uploads.map((u) => u.inventory.items[0]?.version)).toEqual(['3.0.15-1~deb12u1']);
  });

  it('uploads an unchanged inventory again once the last acknowledgement is SOFTWARE_RESEND_AFTER_MS old', async () => {
    const t = setup();
    await t.uploader.collectNow();
    await t.clock.advance(SOFTWARE_RESEND_AFTER_MS - 1);
    await t.uploader.collectNow();
    expect(t.uploads).toHaveLength(1);
    await t.clock.advance(1);
    await t.uploader.collectNow();
    expect(t.uploads).toHaveLength(2);
    expect(t.uploads[1]?.inventory.digest).toBe(t.uploads[0]?.inventory.digest);
    // The re-send restarts the period.
    await t.clock.advance(HOUR);
    await t.uploader.collectNow();
    expect(t.uploads).toHaveLength(2);
    await t.uploader.stop();
  });

  it('cuts an inventory too large for the route to MAX_SOFTWARE_UPLOAD_BYTES, says so, and gates on the cut digest (review 18 L2)', async () => {
    const t = setup();
    const items = Array.from({ length: 4_000 }, (_, i) => ({
      name: `App ${String(i).padStart(5, '0')}`,
      version: '1.0.0',
      source: 'windowsRegistry' as const,
      scheme: 'dotted' as const,
      installPath: `C:\\Program Files\\${'\u00e9'.repeat(1_000)}\\${i}`,
    }));
    const big = finishSoftwareInventory({ os: { name: 'Windows 11 Pro', version: '10.0.22631' }, items }, '2026-12-05T00:00:00.000Z');
    t.setInventory(big);
    await t.uploader.collectNow();
    const sent = t.uploads[0];
    expect(sent).toBeDefined();
    expect(Buffer.byteLength(JSON.stringify(sent), 'utf8')).toBeLessThanOrEqual(MAX_SOFTWARE_UPLOAD_BYTES);
    expect(sent?.inventory.items.length).toBeLessThan(big.items.length);
    expect(sent?.inventory.items).toEqual(big.items.slice(0, sent?.inventory.items.length));
    expect(sent?.inventory).toMatchObject({ truncated: true, digest: softwareDigest(sent?.inventory.items ?? []) });
    expect(t.logs.some((l) => l.startsWith('warn software inventory cut to fit the upload limit'))).toBe(true);
    // The same device cut the same way: the acknowledged digest closes the gate.
    await t.uploader.collectNow();
    expect(t.uploads).toHaveLength(1);
    expect(t.runs.map((r) => r.kind)).toEqual(['uploaded', 'unchanged']);
  });

  it('treats a corrupt state file as none: logs it and uploads', async () => {
    const t = setup();
    await t.files.writeAtomic(`/state/${SOFTWARE_STATE_FILE}`, '{"formatVersion": 1, "acknowledgedDigest": "nope"');
    await t.uploader.collectNow();
    expect(t.uploads).toHaveLength(1);
    expect(t.logs.some((l) => l.startsWith('warn software inventory state unreadable'))).toBe(true);
  });

  it('retries a failed upload on the backoff, and status shows the failure until a run succeeds', async () => {
    let failures = 2;
    const t = setup({ fail: () => (failures-- > 0 ? new AttacheError('ENDPOINT_UNREACHABLE', 'connect ECONNREFUSED') : undefined) });
    await t.uploader.collectNow();
    expect(t.runs.map((r) => r.kind)).toEqual(['failed']);
    expect(t.logs.some((l) => l.startsWith('error software inventory failed') && l.includes('ENDPOINT_UNREACHABLE'))).toBe(true);
    const failed = await softwareSummary('/state', t.files);
    expect(renderSoftware(failed)).toContain('software inventory failed 2026-12-05T00:00:00.000Z: ENDPOINT_UNREACHABLE: upload: connect ECONNREFUSED');
    // base 1 s, equal jitter with random 0: 0.5 s, then 1 s.
    await t.clock.advance(500);
    expect(t.runs.map((r) => r.kind)).toEqual(['failed', 'failed']);
    await t.clock.advance(1_000);
    expect(t.runs.map((r) => r.kind)).toEqual(['failed', 'failed', 'uploaded']);
    const ok = await softwareSummary('/state', t.files);
    expect(renderSoftware(ok)).toMatch(/^software inventory: 1 items, collected 2026-12-05T00:00:00.000Z, acknowledged 2026-12-05T00:00:01.500Z$/);
    await t.clock.advance(60_000);
    expect(t.uploads).toHaveLength(1);
  });

  it('logs SOFTWARE_INVENTORY_FAILED when the collector fails, keeps the last good collection, and retries', async () => {
    const t = setup();
    await t.uploader.collectNow();
    t.failCollect(new AttacheError('SOFTWARE_INVENTORY_FAILED', 'software inventory: dpkg-query exited 2'));
    await t.uploader.collectNow();
    expect(t.runs.at(-1)).toEqual({ kind: 'failed', code: 'SOFTWARE_INVENTORY_FAILED', message: 'software inventory: dpkg-query exited 2' });
    const summary = await softwareSummary('/state', t.files);
    expect(renderSoftware(summary).split('\n')).toEqual([
      expect.stringMatching(/^software inventory: 1 items, collected .*, acknowledged/),
      'software inventory failed 2026-12-05T00:00:00.000Z: SOFTWARE_INVENTORY_FAILED: collection: software inventory: dpkg-query exited 2',
    ]);
    t.failCollect(undefined);
    await t.clock.advance(1_000);
    expect(t.runs.at(-1)?.kind).toBe('unchanged');
  });

  it('runs once more when asked during a run (an update right after a collection started), never twice at once', async () => {
    const t = setup();
    const first = t.uploader.collectNow();
    t.setVersion('3.0.15-1~deb12u1');
    const second = t.uploader.collectNow();
    await Promise.all([first, second]);
    // The joined request ran after the first run (not beside it): it found the acknowledged digest.
    expect(t.runs.map((r) => r.kind)).toEqual(['uploaded', 'unchanged']);
    expect(t.uploads.map((u) => u.inventory.items[0]?.version)).toEqual(['3.0.15-1~deb12u1']);
  });

  it('status reports an unreadable state file instead of failing', async () => {
    const files = new MemoryFileStore();
    await files.writeAtomic(`/state/${SOFTWARE_STATE_FILE}`, '[]');
    expect(renderSoftware(await softwareSummary('/state', files))).toMatch(/^software inventory state unknown: /);
    expect(renderSoftware(await softwareSummary('/nothing', files))).toBe('software inventory: not collected yet');
  });
});
