// SyncEngine in-process: real StateStore in a temp dir, a simulated host with a state file, and a tiny in-test
// policy source (a fake of the endpoint at unit level) serving policies signed with a key made here.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../common/canonical-json.js';
import { AttacheError } from '../../../common/errors.js';
import { generateEd25519KeyPair, keyIdOf, privateKeyFromPem, signBytes } from '../../../common/signing.js';
import type { AgentIdentity, PoliciesResponse, PolicyPayload, SignedPolicy, StatusReport } from '../../../policy-schemas/src/index.js';
import { silentLogger } from '../logging.js';
import { selectHost } from '../platform/index.js';
import { StateStore } from '../state/state-store.js';
import { type FileStore, NodeFileStore } from '../system/file-store.js';
import { buildPlan } from './preview.js';
import { type OutboxResult, SyncEngine } from './sync-engine.js';
import { signedSetResponse, testIdentity } from './testing/signed-set.js';

const TENANT = '11111111-1111-4111-8111-111111111111';
const DEVICE = '55555555-5555-4555-8555-555555555555';
const PID = '22222222-2222-4222-8222-222222222222';
const NP = 'mdatp.networkProtection.enforcementLevel';
const CLOUD = 'mdatp.cloudService.enabled';
const keys = generateEd25519KeyPair();
const identity: AgentIdentity = testIdentity(TENANT, DEVICE, keys.publicKey);

function signed(version: number, settings: PolicyPayload['settings'], pem = keys.privateKeyPem): SignedPolicy {
  const payload: PolicyPayload = { policyId: PID, version, tenantId: TENANT, name: 'AV', kind: 'antivirus', settings, createdAt: '2026-11-22T00:00:00.000Z' };
  return { payload, keyId: keyIdOf(keys.publicKey), signature: signBytes(privateKeyFromPem(pem), canonicalJson(payload)) };
}

let dir: string;
let store: StateStore;
let served: SignedPolicy[];
/** What the in-test endpoint answers for fetch number n (a test may tamper with it, as a proxy would). */
let respond: (n: number) => PoliciesResponse;
let reports: StatusReport[];
let fetches: number;
let clock: number;
/** When set, the in-test endpoint refuses every report with this error (a busy endpoint: 503 + Retry-After). */
let refuseReports: AttacheError | undefined;
let flushed: OutboxResult[];

function engineFor(host = selectHost({ kind: 'simulated', platform: 'linux', hostname: 'sim' }, { stateDir: dir })) {
  const client = {
    getPolicies: async () => {
      fetches++;
      return { notModified: false as const, body: respond(fetches) };
    },
    postReport: async (r: StatusReport) => {
      if (refuseReports) throw refuseReports;
      reports.push(r);
      return { reportId: r.reportId, duplicate: false, stale: false };
    },
  };
  let n = 0;
  const engine = new SyncEngine({
    store,
    client,
    host,
    identity,
    now: () => clock,
    newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    logger: silentLogger(),
    onOutboxFlushed: (result) => flushed.push(result),
  });
  return { engine, host };
}

/** The disk, except that writes `full(path)` says yes to fail with ENOSPC, as on a full disk. */
function diskFullWhen(full: (path: string) => boolean): FileStore {
  const disk = new NodeFileStore();
  return Object.assign(Object.create(disk) as FileStore, {
    async writeAtomic(path: string, data: string, options?: Parameters<FileStore['writeAtomic']>[2]) {
      if (full(path)) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      await disk.writeAtomic(path, data, options);
    },
  });
}

const hostFile = () => join(dir, 'simulated-host.json');
async function hostValues(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(hostFile(), 'utf8')).values;
}
async function editHost(id: string, value: unknown): Promise<void> {
  const state = JSON.parse(await readFile(hostFile(), 'utf8'));
  state.values[id] = value;
  await writeFile(hostFile(), JSON.stringify(state));
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-engine-'));
  store = new StateStore(dir);
  await store.init();
  served = [];
  respond = (n) => signedSetResponse(identity, n, served, keys.privateKeyPem);
  reports = [];
  fetches = 0;
  refuseReports = undefined;
  flushed = [];
  clock = Date.parse('2026-11-22T10:00:00.000Z');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('SyncEngine: no tattooing', () => {
  it('records the pre-management value and restores it with a restored event when the setting is dropped', async () => {
    const { engine } = engineFor();
    served = [signed(1, { [NP]: 'audit', [CLOUD]: false })];
    await engine.sync('manual');
    expect((await hostValues())[NP]).toBe('audit');
    const baseline = await store.readBaseline();
    expect(baseline[NP]).toMatchObject({ original: 'disabled', applied: 'audit' });
    expect(baseline[CLOUD]).toMatchObject({ original: true, applied: false });

    served = [signed(2, { [CLOUD]: false })];
    clock += 1000;
    const outcome = await engine.sync('push');
    expect((await hostValues())[NP]).toBe('disabled');
    expect(outcome.settings.map((s) => s.settingId)).toEqual([CLOUD]);
    expect(Object.keys(await store.readBaseline())).toEqual([CLOUD]);
    expect(reports.at(-1)?.events).toEqual([{ type: 'restored', at: '2026-11-22T10:00:01.000Z', settingId: NP, before: 'audit', after: 'disabled' }]);

    // The policy unassigned altogether: everything goes back, the baseline is empty.
    served = [];
    await engine.sync('push');
    expect((await hostValues())[CLOUD]).toBe(true);
    expect(await store.readBaseline()).toEqual({});
  });

  it('leaves a setting in conflict unchanged and keeps its baseline', async () => {
    const { engine } = engineFor();
    served = [signed(1, { [NP]: 'audit' })];
    await engine.sync('manual');
    const other = signed(1, { [NP]: 'block' });
    const otherPayload = { ...other.payload, policyId: '33333333-3333-4333-8333-333333333333', name: 'Other' };
    served = [
      signed(1, { [NP]: 'audit' }),
      { ...other, payload: otherPayload, signature: signBytes(privateKeyFromPem(keys.privateKeyPem), canonicalJson(otherPayload)) },
    ];
    const outcome = await engine.sync('push');
    expect(outcome.settings[0]).toMatchObject({ settingId: NP, state: 'conflict' });
    expect((await hostValues())[NP]).toBe('audit');
    expect((await store.readBaseline())[NP]).toMatchObject({ original: 'disabled' });
  });
});

describe('SyncEngine: drift', () => {
  it('re-applies a setting changed in the host store without contacting the endpoint and reports it at once', async () => {
    const { engine } = engineFor();
    served = [signed(1, { [NP]: 'audit' })];
    await engine.sync('manual');
    const before = { fetches, reports: reports.length };
    await editHost(NP, 'disabled');
    clock += 5000;
    const outcome = await engine.sync('drift');
    expect(fetches).toBe(before.fetches);
    expect(outcome.source).toBe('cache');
    expect((await hostValues())[NP]).toBe('audit');
    expect(reports).toHaveLength(before.reports + 1);
    expect(reports.at(-1)).toMatchObject({
      trigger: 'drift',
      events: [{ type: 'remediated', settingId: NP, before: 'disabled', after: 'audit', at: '2026-11-22T10:00:05.000Z' }],
    });
    // Nothing drifted: no report.
    await engine.sync('drift');
    expect(reports).toHaveLength(before.reports + 1);
  });
});

describe('SyncEngine: downgrade and rejections', () => {
  it('refuses a validly signed older version, keeps the last good set, and reports a rejected event once', async () => {
    const { engine } = engineFor();
    served = [signed(2, { [NP]: 'block' })];
    await engine.sync('manual');
    expect(await store.readAppliedVersions()).toEqual({ [PID]: 2 });
    served = [signed(1, { [NP]: 'audit' })];
    const outcome = await engine.sync('push');
    expect(outcome).toMatchObject({ source: 'cache', error: { code: 'POLICY_DOWNGRADE' }, policies: [{ version: 2 }] });
    expect((await hostValues())[NP]).toBe('block');
    expect(reports.at(-1)?.events).toEqual([expect.objectContaining({ type: 'rejected', code: 'POLICY_DOWNGRADE', policyId: PID, version: 1 })]);
    const cache = await store.readPolicies();
    expect(cache?.policies.map((p) => p.payload.version)).toEqual([2]);
    const count = reports.length;
    await engine.sync('schedule');
    expect(reports).toHaveLength(count); // same refusal, nothing new to say
  });

  it('reports a badly signed set as a rejected event naming the policy', async () => {
    const { engine } = engineFor();
    served = [signed(1, { [NP]: 'audit' }, generateEd25519KeyPair().privateKeyPem)];
    const outcome = await engine.sync('manual');
    expect(outcome.error?.code).toBe('POLICY_SIGNATURE_INVALID');
    expect(reports.at(-1)?.events).toEqual([expect.objectContaining({ type: 'rejected', code: 'POLICY_SIGNATURE_INVALID', policyId: PID, version: 1 })]);
  });
});

describe('SyncEngine: the policy set is authenticated as a whole', () => {
  const OTHER = '33333333-3333-4333-8333-333333333333';
  function other(version: number, settings: PolicyPayload['settings']): SignedPolicy {
    const payload: PolicyPayload = {
      policyId: OTHER,
      version,
      tenantId: TENANT,
      name: 'Cloud',
      kind: 'antivirus',
      settings,
      createdAt: '2026-11-22T00:00:00.000Z',
    };
    return { payload, keyId: keyIdOf(keys.publicKey), signature: signBytes(privateKeyFromPem(keys.privateKeyPem), canonicalJson(payload)) };
  }

  async function applied() {
    const { engine } = engineFor();
    served = [signed(1, { [NP]: 'audit' }), other(1, { [CLOUD]: false })];
    expect((await engine.sync('manual')).error).toBeUndefined();
    return engine;
  }

  async function expectRefused(engine: SyncEngine, code: string) {
    clock += 1000;
    const outcome = await engine.sync('push');
    expect(outcome.error?.code).toBe(code);
    // Last good set kept: nothing un-applied, nothing restored, the cache unchanged.
    expect(await hostValues()).toMatchObject({ [NP]: 'audit', [CLOUD]: false });
    expect(reports.at(-1)?.events).toEqual([expect.objectContaining({ type: 'rejected', code })]);
    expect((await store.readPolicies())?.policies).toHaveLength(2);
  }

  it('refuses a response that withholds a policy the manifest lists (a proxy dropping it)', async () => {
    const engine = await applied();
    respond = (n) => ({ ...signedSetResponse(identity, n, served, keys.privateKeyPem), policies: served.slice(0, 1) });
    await expectRefused(engine, 'POLICY_SET_INVALID');
    expect(reports.at(-1)?.events?.[0]?.message).toContain(`lists ${OTHER} v1 but the response does not carry it`);
  });

  it('refuses an empty list, an added policy, another device, a forged manifest and a missing manifest', async () => {
    const engine = await applied();
    const cases: ((n: number) => PoliciesResponse)[] = [
      (n) => ({ ...signedSetResponse(identity, n, served, keys.privateKeyPem), policies: [] }),
      (n) => ({ ...signedSetResponse(identity, n, served.slice(0, 1), keys.privateKeyPem), policies: served }),
      (n) => signedSetResponse({ ...identity, deviceId: OTHER }, n, served, keys.privateKeyPem),
      (n) => ({ ...signedSetResponse(identity, n, served, keys.privateKeyPem), deviceId: OTHER }),
      (n) => signedSetResponse(identity, n, [], generateEd25519KeyPair().privateKeyPem),
      (n) => {
        const { manifest: _, ...rest } = signedSetResponse(identity, n, served, keys.privateKeyPem);
        return rest as PoliciesResponse;
      },
    ];
    for (const response of cases) {
      respond = response;
      await expectRefused(engine, 'POLICY_SET_INVALID');
    }
  });

  it('refuses a replayed older set (version below the one applied) and a second list under the same version', async () => {
    const engine = await applied();
    clock += 1000;
    served = [signed(1, { [NP]: 'audit' }), other(1, { [CLOUD]: false })];
    respond = () => signedSetResponse(identity, 7, served, keys.privateKeyPem);
    expect((await engine.sync('push')).error).toBeUndefined();
    expect((await store.readSetFloor())?.setVersion).toBe(7);
    // Replaying set v6 (which did not have the second policy) would make the device un-apply it.
    respond = () => signedSetResponse(identity, 6, served.slice(0, 1), keys.privateKeyPem);
    await expectRefused(engine, 'POLICY_SET_DOWNGRADE');
    respond = () => signedSetResponse(identity, 7, served.slice(0, 1), keys.privateKeyPem);
    await expectRefused(engine, 'POLICY_SET_INVALID');
    // A real shrink comes as a newer set version and is applied, restoring the dropped setting.
    respond = () => signedSetResponse(identity, 8, served.slice(0, 1), keys.privateKeyPem);
    clock += 1000;
    expect((await engine.sync('push')).error).toBeUndefined();
    expect((await hostValues())[CLOUD]).toBe(true);
  });
});

describe('SyncEngine: floors are raised when a set is authenticated, not after it is applied', () => {
  it('a sync that dies mid-apply has already raised the set floor, so the previous set cannot be replayed after it', async () => {
    let failBaseline = false;
    store = new StateStore(dir, { posixPermissions: true, files: diskFullWhen((path) => failBaseline && path.endsWith('baseline.json')) });
    const { engine } = engineFor();
    const v1 = [signed(1, { [NP]: 'audit' })];
    respond = () => signedSetResponse(identity, 4, v1, keys.privateKeyPem);
    served = v1;
    expect((await engine.sync('manual')).error).toBeUndefined();
    failBaseline = true;
    served = [signed(2, { [NP]: 'block', [CLOUD]: false })];
    respond = () => signedSetResponse(identity, 5, served, keys.privateKeyPem);
    clock += 1000;
    expect((await engine.sync('push')).error?.code).toBe('STATE_WRITE_FAILED');
    expect((await store.readSetFloor())?.setVersion).toBe(5);
    expect(await store.readAppliedVersions()).toEqual({ [PID]: 2 });
    failBaseline = false;
    // An older signed set without the policy (as set v3 might have been): only the set floor can refuse it.
    respond = () => signedSetResponse(identity, 3, [], keys.privateKeyPem);
    clock += 1000;
    expect((await engine.sync('push')).error?.code).toBe('POLICY_SET_DOWNGRADE');
    respond = () => signedSetResponse(identity, 4, v1, keys.privateKeyPem);
    expect((await engine.sync('push')).error?.code).toMatch(/DOWNGRADE/);
  });
});

describe('SyncEngine: the outbox', () => {
  it('keeps a report a busy endpoint refused and says why; flushes asked for at once post it once', async () => {
    served = [signed(1, { [NP]: 'block' })];
    const { engine } = engineFor();
    refuseReports = new AttacheError('ENDPOINT_BUSY', 'busy (test)', { retryAfterMs: 2_000 });
    const outcome = await engine.sync('startup');
    expect(outcome.error).toBeUndefined();
    expect(reports).toEqual([]);
    expect(flushed).toHaveLength(1);
    expect(flushed[0]).toMatchObject({ remaining: 1, error: { code: 'ENDPOINT_BUSY', retryAfterMs: 2_000 } });
    refuseReports = undefined;
    const results = await Promise.all([engine.flushOutbox(), engine.flushOutbox()]);
    expect(results).toEqual([{ remaining: 0 }, { remaining: 0 }]);
    expect(reports).toHaveLength(1);
    expect(reports[0]?.policies[0]).toMatchObject({ policyId: PID, state: 'succeeded' });
    expect(await store.pendingReports()).toEqual([]);
  });
});

describe('SyncEngine: corrupt local state', () => {
  it('sets a corrupt baseline.json aside instead of overwriting it, and keeps enforcing', async () => {
    const { engine } = engineFor();
    served = [signed(1, { [NP]: 'audit' })];
    await engine.sync('manual');
    await writeFile(join(dir, 'baseline.json'), 'garbage');
    clock += 1000;
    const outcome = await engine.sync('push');
    expect(outcome.error).toBeUndefined();
    const kept = (await readdir(dir)).filter((n) => n.startsWith('baseline.json.corrupt-'));
    expect(kept).toHaveLength(1);
    expect(await readFile(join(dir, kept[0] as string), 'utf8')).toBe('garbage');
  });

  it('reports a new sync error message with the same code (the admin sees the latest one)', async () => {
    const { engine } = engineFor();
    served = [signed(1, { [NP]: 'audit' }, generateEd25519KeyPair().privateKeyPem)];
    await engine.sync('manual');
    const first = reports.at(-1)?.syncError?.message;
    served = [signed(2, { [NP]: 'audit' }, generateEd25519KeyPair().privateKeyPem)];
    clock += 1000;
    await engine.sync('push');
    expect(reports.at(-1)?.syncError?.code).toBe('POLICY_SIGNATURE_INVALID');
    expect(reports.at(-1)?.syncError?.message).not.toBe(first);
  });
});

describe('SyncEngine: a state dir that cannot be written', () => {
  it('reports STATE_WRITE_FAILED with the last known statuses straight to the endpoint, and recovers when space is back', async () => {
    let full = false;
    store = new StateStore(dir, { posixPermissions: true, files: diskFullWhen(() => full) });
    const { engine } = engineFor();
    served = [signed(1, { [NP]: 'audit' })];
    expect((await engine.sync('manual')).error).toBeUndefined();
    full = true;
    served = [signed(2, { [NP]: 'block' })];
    clock += 1000;
    const outcome = await engine.sync('push');
    expect(outcome.error).toMatchObject({ code: 'STATE_WRITE_FAILED', message: expect.stringContaining('ENOSPC') });
    const last = reports.at(-1);
    expect(last?.syncError?.code).toBe('STATE_WRITE_FAILED');
    expect(last?.policies[0]).toMatchObject({ policyId: PID, version: 1 });
    full = false;
    clock += 1000;
    expect((await engine.sync('retry')).error).toBeUndefined();
    expect(reports.at(-1)?.syncError).toBeUndefined();
    expect(reports.at(-1)?.policies[0]).toMatchObject({ version: 2, state: 'succeeded' });
  });
});

describe('dry run', () => {
  it('shows current → desired and restores without writing the host, the state files or the outbox', async () => {
    const { engine, host } = engineFor();
    served = [signed(1, { [NP]: 'audit', [CLOUD]: false })];
    await engine.sync('manual');
    await editHost(CLOUD, true);
    // The cached set now lacks NP (as if v2 had dropped it): the plan shows its restore.
    await store.writePolicies({ etag: undefined, policies: [signed(2, { [CLOUD]: false })] });
    const snapshot = async () =>
      Promise.all([readdir(dir), readdir(join(dir, 'outbox')), readFile(hostFile(), 'utf8'), readFile(join(dir, 'baseline.json'), 'utf8')]);
    const before = await snapshot();
    const plan = await buildPlan({ store, host, identity, logger: silentLogger(), now: () => clock }, 'cli');
    expect(plan.settings).toEqual([{ settingId: CLOUD, kind: 'antivirus', policyIds: [PID], current: true, desired: false, change: true }]);
    expect(plan.restores).toEqual([{ settingId: NP, kind: 'antivirus', current: 'audit', restoreTo: 'disabled', remove: false }]);
    expect(await snapshot()).toEqual(before);
  });
});
