import { describe, expect, it } from 'vitest';
import type { StatusReport } from '../../../policy-schemas/src/index.js';
import { MemoryStateFiles } from './state-files.js';
import { StateStore } from './state-store.js';

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

describe('StateStore on MemoryStateFiles', () => {
  it('keeps the outbox order, removes acknowledged reports and forgets device state', async () => {
    const files = new MemoryStateFiles();
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
    await store.forgetDeviceState();
    expect(await store.readAppliedVersions()).toEqual({});
    expect(await store.pendingReports()).toEqual([]);
  });

  it('answers a missing file as absent and a corrupt one as STATE_CORRUPT, and keeps two stores apart', async () => {
    const files = new MemoryStateFiles();
    const a = new StateStore('/sim/a', { posixPermissions: false, files });
    const b = new StateStore('/sim/b', { posixPermissions: false, files });
    await a.init();
    await b.init();
    expect(await a.readIdentity()).toBeUndefined();
    await files.writeFileAtomic('/sim/a/status.json', '{not json');
    await expect(a.readStatus()).rejects.toMatchObject({ code: 'STATE_CORRUPT' });
    expect(await b.readStatus()).toBeUndefined();
    await expect(files.writeFileAtomic('/nowhere/x.json', '{}')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(files.size).toBe('{not json'.length);
  });
});
