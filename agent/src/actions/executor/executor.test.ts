// The executor over a recording host: verified actions run once (a re-delivery re-sends the stored outcome with
// duplicate: true), refusals are reported by code, a cancel aborts a running scan, one action per family at a time,
// and a fresh executor over the same state dir (the agent killed mid-action) recovers by the documented rules.
import { describe, expect, it } from 'vitest';
import type { ActionResultOf, ActionUpdate } from '../../../../policy-schemas/src/index.js';
import { silentLogger } from '../../logging.js';
import { StateStore } from '../../state/state-store.js';
import { actionVerifier } from '../../sync/action-trust.js';
import { testIdentity } from '../../sync/testing/signed-set.js';
import { MemoryFileStore } from '../../system/file-store.js';
import type { IsolationPlan, IsolationState } from '../isolation/isolation.js';
import { ActionFailure, type ResponseHost } from '../response-host.js';
import { ActionExecutor } from './executor.js';
import { ACTIONS_FILE, ActionLedger } from './ledger.js';
import { signedAction, TEST_DEVICE, TEST_NOW, TEST_TENANT, testKeys } from './testing/signed-action.js';

const TEST_NOW_ISO = new Date(TEST_NOW).toISOString();
const identity = testIdentity(TEST_TENANT, TEST_DEVICE, testKeys.publicKey);
const SHA = 'a'.repeat(64);

/** A host that records each call; scans wait until released (or aborted). */
function recordingHost() {
  const calls: string[] = [];
  let isolated = false;
  const scans: { finish: () => void; signal: AbortSignal }[] = [];
  const sinks: ((percent: number) => void)[] = [];
  const quarantined = new Map<string, ActionResultOf<'stopAndQuarantineFile'>['items']>();
  const state = (): IsolationState =>
    isolated
      ? { isolated, mode: 'full', endpoints: [{ url: 'https://mgmt:8443', host: 'mgmt', port: 8443, addresses: ['10.0.0.5'] }], enforced: true }
      : { isolated, endpoints: [], enforced: false };
  const host: ResponseHost = {
    isolation: {
      isolate: async (plan: IsolationPlan) => {
        calls.push(`isolate ${plan.mode} ${plan.endpointUrls.join(',')}`);
        isolated = true;
        return state();
      },
      release: async () => {
        calls.push('release');
        isolated = false;
        return state();
      },
      state: async () => state(),
      reapply: async () => state(),
    },
    scan: (scanType, signal, progress) => {
      calls.push(`scan ${scanType}`);
      return new Promise((resolve, reject) => {
        progress(40);
        sinks.push(progress);
        signal.addEventListener('abort', () => reject(signal.reason));
        scans.push({ signal, finish: () => resolve({ scanType, engine: 'test', durationMs: 5, threatsFound: 0, threats: [] }) });
      });
    },
    collect: async () => {
      throw new Error('not used');
    },
    stopAndQuarantine: async ({ sha256, actionId }) => {
      calls.push(`quarantine ${sha256}`);
      const items = [{ quarantineId: 'q-1', originalPath: '/opt/bad', sizeBytes: 3, sha256 }];
      quarantined.set(`${actionId}/${sha256}`, items);
      return { sha256, killed: [{ pid: 42 }], items };
    },
    quarantinedBy: async (actionId, sha256) => quarantined.get(`${actionId}/${sha256}`) ?? [],
    restore: async (quarantineId) => ({ quarantineId, restoredPath: '/opt/bad' }),
    disableService: async () => undefined,
  };
  return { host, calls, scans, sinks, quarantined };
}

async function setup(
  files = new MemoryFileStore(),
  host = recordingHost(),
  now = { ms: TEST_NOW },
  extra: Partial<ConstructorParameters<typeof ActionExecutor>[0]> = {},
) {
  const store = new StateStore('/state', { posixPermissions: false, files });
  const updates: ActionUpdate[] = [];
  let refreshes = 0;
  const executor = new ActionExecutor({
    host: host.host,
    ledger: new ActionLedger('/state', files),
    verify: actionVerifier({ store, identity, now: () => now.ms }),
    refreshKeys: async () => {
      refreshes++;
    },
    report: async (u) => {
      updates.push(u);
    },
    endpointUrls: () => ['https://mgmt:8443'],
    uploadPackage: async () => undefined,
    removeFile: async () => undefined,
    deviceId: TEST_DEVICE,
    clock: { now: () => now.ms },
    logger: silentLogger(),
    ...extra,
  });
  await executor.start();
  return { executor, updates, files, host, refreshes: () => refreshes, now };
}

/** The status updates of one action, progress updates left out. */
const statuses = (updates: readonly ActionUpdate[], id: string) => updates.filter((u) => u.actionId === id && u.progress === undefined).map((u) => u.status);
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setImmediate(r));
  expect(cond()).toBe(true);
};

describe('ActionExecutor', () => {
  it('updateSoftware: a failure keeps its result (versions, manual steps), and the software upload runs after it either way', async () => {
    const host = recordingHost();
    const inventory = { collectedAt: TEST_NOW_ISO, os: { name: 'macOS', version: '14.6.1' }, items: [], truncated: false, digest: 'a'.repeat(64) };
    const asked: string[] = [];
    const manual = { manager: 'manual' as const, packages: [], instructions: 'Update "Firefox" by hand' };
    const t = await setup(
      new MemoryFileStore(),
      {
        ...host,
        host: {
          ...host.host,
          updateSoftware: async (request) => {
            asked.push(request.packages.map((p) => p.name).join(','));
            expect(await request.inventory()).toBe(inventory);
            throw new ActionFailure('ACTION_UNSUPPORTED', 'updateSoftware: Update "Firefox" by hand', manual);
          },
        },
      },
      undefined,
      {
        software: { collect: async () => inventory, collected: () => void asked.push('upload') },
      },
    );
    const action = signedAction('updateSoftware', { packages: [{ name: 'Firefox', source: 'macApplication', fixedVersion: '131.0' }] });
    await t.executor.receive([action]);
    await t.executor.idle();
    expect(asked).toEqual(['Firefox', 'upload']);
    const last = t.updates.at(-1);
    expect(last?.status).toBe('failed');
    expect(last?.error?.code).toBe('ACTION_UNSUPPORTED');
    expect(last?.result).toEqual(manual);
  });

  it('updateSoftware without a software collector fails ACTION_UNSUPPORTED (no result)', async () => {
    const t = await setup();
    const action = signedAction('updateSoftware', { packages: [{ name: 'openssl', source: 'dpkg', fixedVersion: null }] });
    await t.executor.receive([action]);
    await t.executor.idle();
    expect(t.updates.at(-1)).toMatchObject({ status: 'failed', error: { code: 'ACTION_UNSUPPORTED' } });
    expect(t.updates.at(-1)?.result).toBeUndefined();
  });

  it('runs a verified isolate with the agent URLs and reports inProgress then succeeded; actions.json is owner-only', async () => {
    const t = await setup();
    const action = signedAction('isolate', { mode: 'full' });
    await t.executor.receive([action]);
    await t.executor.idle();
    expect(t.host.calls).toEqual(['isolate full https://mgmt:8443']);
    expect(statuses(t.updates, action.payload.actionId)).toEqual(['inProgress', 'succeeded']);
    expect(t.updates.map((u) => u.sequence)).toEqual([1, 2]);
    expect(t.updates[1]?.result).toEqual({ mode: 'full', allowed: [{ host: 'mgmt', port: 8443, addresses: ['10.0.0.5'] }] });
    expect(await t.files.mode(`/state/${ACTIONS_FILE}`)).toBe(0o600);
  });

  it('never runs a re-delivered action twice: the stored outcome goes back with duplicate: true', async () => {
    const t = await setup();
    const action = signedAction('stopAndQuarantineFile', { sha256: SHA });
    await t.executor.receive([action]);
    await t.executor.idle();
    // A fresh executor (a restart) over the same ledger, the same envelope delivered again.
    const again = await setup(t.files, t.host);
    await again.executor.receive([action]);
    await again.executor.idle();
    expect(t.host.calls).toEqual([`quarantine ${SHA}`]);
    expect(again.updates).toHaveLength(1);
    expect(again.updates[0]).toMatchObject({ actionId: action.payload.actionId, status: 'succeeded', sequence: 2, duplicate: true });
  });

  it('reports each refusal under the action id: expired, other device, bad signature, unknown key after one refresh', async () => {
    const t = await setup();
    const expired = signedAction('release', {}, { expiresAt: '2026-12-05T11:00:00.000Z' });
    const foreign = signedAction('release', {}, { deviceId: '66666666-6666-4666-8666-666666666666' });
    const forged = { ...signedAction('release', {}), signature: signedAction('release', {}).signature };
    const unknownKey = { ...signedAction('release', {}), keyId: 'f'.repeat(32) };
    await t.executor.receive([expired, foreign, forged, unknownKey]);
    await t.executor.idle();
    const code = (id: string) => t.updates.find((u) => u.actionId === id)?.error?.code;
    expect(code(expired.payload.actionId)).toBe('ACTION_EXPIRED');
    expect(code(foreign.payload.actionId)).toBe('ACTION_DEVICE_MISMATCH');
    expect(code(forged.payload.actionId)).toBe('ACTION_SIGNATURE_INVALID');
    expect(code(unknownKey.payload.actionId)).toBe('ACTION_SIGNATURE_INVALID');
    expect(t.refreshes()).toBe(1);
    expect(t.host.calls).toEqual([]);
    expect(t.updates.every((u) => u.status === 'failed' && u.deviceId === TEST_DEVICE)).toBe(true);
  });

  it('a cancel aborts a running scan (reported cancelled); a pending one of the same family never starts', async () => {
    const t = await setup();
    const first = signedAction('runAntivirusScan', { scanType: 'full' });
    const second = signedAction('runAntivirusScan', { scanType: 'quick' });
    await t.executor.receive([first, second]);
    await until(() => t.host.scans.length === 1);
    expect(t.host.calls).toEqual(['scan full']); // one at a time per family
    await t.executor.receive([signedAction('cancel', { actionId: second.payload.actionId })]);
    await t.executor.receive([signedAction('cancel', { actionId: first.payload.actionId })]);
    await t.executor.idle();
    expect(t.host.scans[0]?.signal.aborted).toBe(true);
    expect(statuses(t.updates, first.payload.actionId)).toEqual(['inProgress', 'cancelled']);
    expect(statuses(t.updates, second.payload.actionId)).toEqual(['cancelled']);
    expect(t.host.calls).toEqual(['scan full']);
  });

  it('progress of a long scan is reported while it runs, throttled by the clock', async () => {
    const t = await setup();
    const scan = signedAction('runAntivirusScan', { scanType: 'quick' });
    await t.executor.receive([scan]);
    await until(() => t.host.scans.length === 1);
    const sink = t.host.sinks[0] as (p: number) => void;
    sink(45); // within the interval of the 40 % just sent: dropped
    t.now.ms += 15_000;
    sink(47); // rounds to 45 %: sent
    sink(90); // too soon: dropped
    t.host.scans[0]?.finish();
    await t.executor.idle();
    const mine = t.updates.filter((u) => u.actionId === scan.payload.actionId);
    expect(mine.map((u) => [u.status, u.progress, u.sequence])).toEqual([
      ['inProgress', undefined, 1],
      ['inProgress', 40, 2],
      ['inProgress', 45, 3],
      ['succeeded', undefined, 4],
    ]);
  });

  it('after a kill: a scan fails ACTION_INTERRUPTED, an isolate runs again, a quarantine that happened succeeds', async () => {
    const host = recordingHost();
    const t = await setup(new MemoryFileStore(), host);
    const scan = signedAction('runAntivirusScan', { scanType: 'quick' });
    const isolate = signedAction('isolate', { mode: 'full' });
    const quarantine = signedAction('stopAndQuarantineFile', { sha256: SHA });
    const lost = signedAction('stopAndQuarantineFile', { sha256: 'b'.repeat(64) });
    await t.executor.receive([scan]);
    await until(() => host.scans.length === 1);
    // Entries as a kill leaves them: inProgress in actions.json, the OS work done (or not) behind the ledger's back.
    const ledger = new ActionLedger('/state', t.files);
    await ledger.load();
    const base = { sequence: 1, receivedAt: '2026-12-05T11:59:00.000Z', startedAt: '2026-12-05T11:59:00.000Z', status: 'inProgress' as const };
    await ledger.put(isolate.payload.actionId, { ...base, type: 'isolate', expiresAt: isolate.payload.expiresAt, parameters: { mode: 'full' } });
    for (const q of [quarantine, lost])
      await ledger.put(q.payload.actionId, {
        ...base,
        type: 'stopAndQuarantineFile',
        expiresAt: q.payload.expiresAt,
        parameters: q.payload.parameters,
        sha256: (q.payload.parameters as { sha256: string }).sha256,
      });
    host.quarantined.set(`${quarantine.payload.actionId}/${SHA}`, [{ quarantineId: 'q-9', originalPath: '/opt/x', sizeBytes: 1, sha256: SHA }]);

    const after = await setup(t.files, host);
    await after.executor.idle();
    const last = (id: string) => after.updates.filter((u) => u.actionId === id).at(-1);
    expect(last(scan.payload.actionId)).toMatchObject({ status: 'failed', error: { code: 'ACTION_INTERRUPTED' }, sequence: 3 });
    expect(statuses(after.updates, isolate.payload.actionId)).toEqual(['inProgress', 'succeeded']);
    expect(host.calls).toContain('isolate full https://mgmt:8443');
    expect(last(quarantine.payload.actionId)).toMatchObject({ status: 'succeeded', result: { items: [{ quarantineId: 'q-9' }] } });
    expect(last(lost.payload.actionId)).toMatchObject({ status: 'failed', error: { code: 'ACTION_INTERRUPTED' } });
    // The scan that was running in the killed process is not re-run by the new one.
    expect(host.calls.filter((c) => c.startsWith('scan'))).toHaveLength(1);
  });

  it('after a kill mid-updateSoftware: it ends ACTION_INTERRUPTED, never re-run; the next one is told, to repair dpkg first (review 18 M5)', async () => {
    const host = recordingHost();
    const inventory = { collectedAt: TEST_NOW_ISO, os: { name: 'Debian GNU/Linux', version: '12' }, items: [], truncated: false, digest: 'a'.repeat(64) };
    const told: (boolean | undefined)[] = [];
    const withUpdate = {
      ...host,
      host: {
        ...host.host,
        updateSoftware: async (request: Parameters<NonNullable<ResponseHost['updateSoftware']>>[0]) => {
          told.push(request.afterInterruption);
          return { manager: 'apt' as const, packages: [] };
        },
      },
    };
    const software = { software: { collect: async () => inventory, collected: () => undefined } };
    const files = new MemoryFileStore();
    const killed = signedAction('updateSoftware', { packages: [{ name: 'openssl', source: 'dpkg', fixedVersion: null }] });
    const ledger = new ActionLedger('/state', files);
    await ledger.put(killed.payload.actionId, {
      type: 'updateSoftware',
      status: 'inProgress',
      sequence: 1,
      receivedAt: '2026-12-05T11:59:00.000Z',
      startedAt: '2026-12-05T11:59:00.000Z',
      expiresAt: killed.payload.expiresAt,
      parameters: killed.payload.parameters,
    });
    const t = await setup(files, withUpdate, undefined, software);
    await t.executor.idle();
    const end = t.updates.filter((u) => u.actionId === killed.payload.actionId).at(-1);
    expect(end).toMatchObject({ status: 'failed', error: { code: 'ACTION_INTERRUPTED' } });
    expect(end?.error?.message).toMatch(/package manager.*dpkg --configure -a/);
    expect(told).toEqual([]);
    for (const name of ['openssl', 'curl']) {
      t.now.ms += 1_000;
      await t.executor.receive([signedAction('updateSoftware', { packages: [{ name, source: 'dpkg', fixedVersion: null }] })]);
      await t.executor.idle();
    }
    // The first one after the kill repairs; the one after it follows a finished update and does not.
    expect(told).toEqual([true, false]);
  });

  it('a cancel whose target never came records the target cancelled and reports it at once; the target never runs', async () => {
    const t = await setup();
    const early = signedAction('runAntivirusScan', { scanType: 'quick' });
    await t.executor.receive([signedAction('cancel', { actionId: early.payload.actionId })]);
    // Answered at once (review 17b #3): the endpoint stops delivering the cancel, even if the target never arrives.
    expect(t.updates.filter((u) => u.actionId === early.payload.actionId).map((u) => [u.status, u.sequence])).toEqual([['cancelled', 1]]);
    await t.executor.receive([early]);
    await t.executor.idle();
    expect(t.host.calls).toEqual([]);
    expect(t.updates.filter((u) => u.actionId === early.payload.actionId).map((u) => [u.status, u.duplicate])).toEqual([
      ['cancelled', undefined],
      ['cancelled', true],
    ]);

    const done = signedAction('release', {});
    await t.executor.receive([done]);
    await t.executor.idle();
    await t.executor.receive([signedAction('cancel', { actionId: done.payload.actionId })]);
    const mine = t.updates.filter((u) => u.actionId === done.payload.actionId);
    // The real outcome, with a newer sequence: the endpoint keeps it beside the cancellation (lateResult).
    expect(mine.map((u) => [u.status, u.sequence, u.duplicate])).toEqual([
      ['inProgress', 1, undefined],
      ['succeeded', 2, undefined],
      ['succeeded', 3, undefined],
    ]);
  });

  it('refuses every new action once an offboard has begun (DEVICE_OFFBOARDED); nothing is isolated at the end', async () => {
    let restored: (() => void) | undefined;
    const offboards: string[] = [];
    const t = await setup(
      new MemoryFileStore(),
      recordingHost(),
      { ms: TEST_NOW },
      {
        restoreBaseline: () =>
          new Promise((resolve) => {
            restored = () => resolve({ restoredSettings: 1, failedSettings: 0 });
          }),
        offboarded: async (id) => {
          offboards.push(id);
        },
      },
    );
    const offboard = signedAction('offboard', {});
    await t.executor.receive([offboard]);
    await until(() => restored !== undefined);
    const during = signedAction('isolate', { mode: 'full' });
    await t.executor.receive([during]);
    restored?.();
    await t.executor.idle();
    const after = signedAction('stopAndQuarantineFile', { sha256: SHA });
    await t.executor.receive([after]);
    await t.executor.idle();
    for (const a of [during, after]) {
      const mine = t.updates.filter((u) => u.actionId === a.payload.actionId);
      expect(mine.map((u) => [u.status, u.error?.code, u.error?.message])).toEqual([['failed', 'DEVICE_OFFBOARDED', 'the device is being offboarded']]);
    }
    expect(statuses(t.updates, offboard.payload.actionId)).toEqual(['inProgress', 'succeeded']);
    expect(offboards).toEqual([offboard.payload.actionId]);
    expect(t.host.calls.filter((c) => c.startsWith('isolate') || c.startsWith('quarantine'))).toEqual([]);
  });

  it('clears packages a kill left behind at start, before any action runs (review 17b #15)', async () => {
    const order: string[] = [];
    const host = recordingHost();
    const t = await setup(new MemoryFileStore(), host, { ms: TEST_NOW }, { clearPackages: async () => void order.push('clear') });
    await t.executor.receive([signedAction('release', {})]);
    await t.executor.idle();
    expect(order).toEqual(['clear']);
  });

  it('reports nothing for a key not pinned yet when the key refresh failed: the next check-in delivers it again (review 17b #12)', async () => {
    const t = await setup(
      new MemoryFileStore(),
      recordingHost(),
      { ms: TEST_NOW },
      {
        refreshKeys: async () => {
          throw new Error('endpoint busy');
        },
      },
    );
    const unknownKey = { ...signedAction('release', {}), keyId: 'f'.repeat(32) };
    await t.executor.receive([unknownKey]);
    await t.executor.idle();
    expect(t.updates).toEqual([]);
    expect(t.host.calls).toEqual([]);
  });

  it('keeps a replay floor past pruning: an old envelope is refused ACTION_REPLAYED after the clock falls back (review 17b #13)', async () => {
    const files = new MemoryFileStore();
    const host = recordingHost();
    const hour = 3600_000;
    const first = await setup(files, host, { ms: TEST_NOW });
    const a = signedAction('release', {}, { expiresAt: new Date(TEST_NOW + hour).toISOString() });
    await first.executor.receive([a]);
    await first.executor.idle();
    // A day after A expired its entry is pruned at start.
    await setup(files, host, { ms: TEST_NOW + 26 * hour });
    // The RTC falls back; an older envelope (it expires before A did) is fed to the device again.
    const back = await setup(files, host, { ms: TEST_NOW - hour });
    const b = signedAction('isolate', { mode: 'full' }, { expiresAt: new Date(TEST_NOW + hour / 2).toISOString() });
    await back.executor.receive([b]);
    await back.executor.idle();
    expect(back.updates.map((u) => [u.actionId, u.status, u.error?.code])).toEqual([[b.payload.actionId, 'failed', 'ACTION_REPLAYED']]);
    expect(host.calls).toEqual(['release']);
  });
});
