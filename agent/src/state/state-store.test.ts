// The state store on disk (modes, atomic writes, corrupt files, outbox order) and on the memory file store.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HealthUpload, StatusReport } from '../../../policy-schemas/src/index.js';
import { MemoryFileStore } from '../system/file-store.js';
import { SOFTWARE_STATE_FILE, StateStore } from './state-store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function report(n: number): StatusReport {
  return {
    reportId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    deviceId: '00000000-0000-4000-8000-000000000000',
    generatedAt: '2026-11-22T00:00:00.000Z',
    agentVersion: '0.1.0',
    trigger: 'schedule',
    durationMs: 1,
    policies: [],
    settings: [],
  };
}

describe('StateStore', () => {
  it('creates an owner-only state dir and writes the key 0600', async () => {
    const store = new StateStore(join(dir, 's'));
    await store.init();
    await store.writeIdentity(
      {
        formatVersion: 1,
        deviceId: '00000000-0000-4000-8000-000000000001',
        tenantId: '00000000-0000-4000-8000-000000000002',
        endpointUrl: 'https://127.0.0.1:1',
        caCertificate: 'x',
        policySigningKey: { keyId: '0'.repeat(32), publicKey: `${'A'.repeat(43)}=` },
        publicKey: 'k',
        enrolledAt: '2026-11-22T00:00:00.000Z',
      },
      'PEM',
    );
    expect((await stat(join(dir, 's'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 's', 'device-key.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 's', 'identity.json'))).mode & 0o777).toBe(0o600);
    expect((await store.readIdentity())?.deviceId).toBe('00000000-0000-4000-8000-000000000001');
    // No temp files left behind by the atomic writes.
    expect((await readdir(join(dir, 's'))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('reports a corrupt identity file as STATE_CORRUPT naming the file', async () => {
    const store = new StateStore(dir);
    await store.init();
    await writeFile(join(dir, 'identity.json'), '{"formatVersion":1}');
    await expect(store.readIdentity()).rejects.toMatchObject({ code: 'STATE_CORRUPT', message: expect.stringContaining('identity.json') });
  });

  it('keeps queued reports in order across instances and drops unreadable ones', async () => {
    const store = new StateStore(dir);
    await store.init();
    await store.enqueueReport(report(1), 1);
    await store.enqueueReport(report(2), 2);
    await writeFile(join(dir, 'outbox', `${'0'.repeat(15)}3-00000000-0000-4000-8000-000000000003.json`), 'not json');
    const problems: [string, Record<string, string>][] = [];
    const again = new StateStore(dir, { posixPermissions: true, onProblem: (message, details) => problems.push([message, details]) });
    expect(await again.lastSequence()).toBe(3);
    expect((await again.pendingReports()).map((p) => p.report.reportId)).toEqual([report(1).reportId, report(2).reportId]);
    expect(await again.lastSequence()).toBe(2);
    // Not dropped silently: set aside beside the queue and reported.
    const kept = `${'0'.repeat(15)}3-00000000-0000-4000-8000-000000000003.json.corrupt`;
    expect(await readFile(join(dir, 'outbox', kept), 'utf8')).toBe('not json');
    expect(problems).toEqual([['queued report unreadable, set aside', expect.objectContaining({ keptAs: kept, error: expect.stringContaining('JSON') })]]);
  });

  it('sets a corrupt state file aside under a dated name, never to be read again', async () => {
    const store = new StateStore(dir);
    await store.init();
    await writeFile(join(dir, 'baseline.json'), '{"formatVersion":1,"settings":{"x":');
    await expect(store.readBaseline()).rejects.toMatchObject({ code: 'STATE_CORRUPT' });
    const keptAs = await store.setAside('baseline.json', Date.parse('2026-12-04T10:00:00.000Z'));
    expect(keptAs).toBe('baseline.json.corrupt-2026-12-04T10-00-00-000Z');
    expect(await readFile(join(dir, keptAs as string), 'utf8')).toContain('"settings"');
    expect(await store.readBaseline()).toEqual({});
    expect(await store.setAside('baseline.json', 0)).toBeUndefined();
  });
});

describe('StateStore outboxes keep the layout of version 1', () => {
  const health = (enabled: boolean): HealthUpload => ({
    deviceId: '00000000-0000-4000-8000-000000000000',
    health: {
      collectedAt: '2026-12-01T00:00:00.000Z',
      antivirus: { source: 'simulated', mode: 'active', realTimeProtection: true, tamperProtection: false },
      firewall: { source: 'simulated', enabled },
    },
  });

  it('reads files an earlier agent left in outbox/ and signals-outbox/, and writes the same names and contents', async () => {
    // As version 1 wrote them: <16-digit sequence>-<report id>.json holding the report, and
    // <16-digit sequence>-<kind>-<id>.json holding only the message body.
    const id = '00000000-0000-4000-8000-00000000000a';
    const store = new StateStore(dir);
    await store.init();
    await writeFile(join(dir, 'outbox', `${'0'.repeat(15)}7-${report(7).reportId}.json`), JSON.stringify(report(7)));
    await writeFile(join(dir, 'signals-outbox', `${'0'.repeat(15)}5-health-${id}.json`), JSON.stringify(health(true)));
    const upgraded = new StateStore(dir);
    await upgraded.init();
    expect(await upgraded.lastSequence()).toBe(7);
    expect(await upgraded.lastSignalSequence()).toBe(5);
    expect((await upgraded.pendingReports()).map((p) => p.report)).toEqual([report(7)]);
    expect(await upgraded.pendingSignals()).toEqual([{ name: `${'0'.repeat(15)}5-health-${id}.json`, message: { kind: 'health', body: health(true) } }]);

    await upgraded.enqueueReport(report(8), 8);
    await upgraded.enqueueSignal({ kind: 'health', body: health(false) }, 6, id.replace('a', 'b'));
    expect((await readdir(join(dir, 'outbox'))).sort()).toEqual([
      `${'0'.repeat(15)}7-${report(7).reportId}.json`,
      `${'0'.repeat(15)}8-${report(8).reportId}.json`,
    ]);
    // The newer health upload supersedes the queued one; the file holds the body only, as before.
    const signalFiles = await readdir(join(dir, 'signals-outbox'));
    expect(signalFiles).toEqual([`${'0'.repeat(15)}6-health-${id.replace('a', 'b')}.json`]);
    expect(JSON.parse(await readFile(join(dir, 'signals-outbox', signalFiles[0] as string), 'utf8'))).toEqual(health(false));
  });
});

describe('StateStore on MemoryFileStore', () => {
  it('keeps the outbox order, removes acknowledged reports and forgets device state', async () => {
    const files = new MemoryFileStore();
    const store = new StateStore('/sim/1', { posixPermissions: true, files });
    await store.init();
    await store.enqueueReport(report(2), 2);
    await store.enqueueReport(report(1), 1);
    expect((await store.pendingReports()).map((p) => p.report.reportId)).toEqual([report(1).reportId, report(2).reportId]);
    expect(await store.lastSequence()).toBe(2);
    const [first] = await store.pendingReports();
    await store.removeReport(first?.name ?? '');
    expect((await store.pendingReports()).length).toBe(1);
    await store.writeAppliedVersions({ '00000000-0000-4000-8000-000000000009': 3 });
    await store.writeSetFloor({ setVersion: 7, policies: [] });
    await files.writeAtomic(`/sim/1/${SOFTWARE_STATE_FILE}`, '{}');
    await store.forgetDeviceState();
    expect(await store.readAppliedVersions()).toEqual({});
    // The old identity's acknowledged software digest would keep the new device from uploading its software.
    expect(await files.read(`/sim/1/${SOFTWARE_STATE_FILE}`)).toBeUndefined();
    // A re-enrolled device starts at set version 1: the old identity's floor would refuse every set.
    expect(await store.readSetFloor()).toBeUndefined();
    expect(await store.pendingReports()).toEqual([]);
  });

  it('answers a missing file as absent and a corrupt one as STATE_CORRUPT, and keeps two stores apart', async () => {
    const files = new MemoryFileStore();
    const a = new StateStore('/sim/a', { posixPermissions: false, files });
    const b = new StateStore('/sim/b', { posixPermissions: false, files });
    await a.init();
    await b.init();
    expect(await a.readIdentity()).toBeUndefined();
    await files.writeAtomic('/sim/a/status.json', '{not json');
    await expect(a.readStatus()).rejects.toMatchObject({ code: 'STATE_CORRUPT' });
    expect(await b.readStatus()).toBeUndefined();
    expect(files.size).toBe('{not json'.length);
  });
});
