// The executor as the runtime wires it: updates go through the signals outbox and survive a restart while the endpoint
// is down; actions in a policies answer reach the executor; an offboard restores, waits for its update's ack, then
// deletes the identity and disables the service, in that order.
import { describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../../common/clock.js';
import { AttacheError } from '../../../common/errors.js';
import type { ActionUpdatesRequest, DeliveredAction, PoliciesResponse } from '../../../policy-schemas/src/index.js';
import { ActionLedger } from '../actions/executor/ledger.js';
import { signedAction, TEST_DEVICE, TEST_NOW, TEST_TENANT, testKeys } from '../actions/executor/testing/signed-action.js';
import type { ResponseHost } from '../actions/response-host.js';
import { silentLogger } from '../logging.js';
import type { AgentHost } from '../platform/index.js';
import { SignalDelivery } from '../risk/signal-delivery.js';
import { StateStore } from '../state/state-store.js';
import { testIdentity } from '../sync/testing/signed-set.js';
import { MemoryFileStore } from '../system/file-store.js';
import { createActionExecutor, packageUploader, withActionDelivery } from './action-wiring.js';

const identity = testIdentity(TEST_TENANT, TEST_DEVICE, testKeys.publicKey);
const clock: Clock = { now: () => TEST_NOW, setTimer: () => ({ cancel: () => undefined }), every: () => ({ cancel: () => undefined }), random: () => 0.5 };

function responder(log: string[]): ResponseHost {
  const state = { isolated: false, endpoints: [], enforced: false };
  return {
    isolation: { isolate: async () => state, release: async () => state, state: async () => state, reapply: async () => state },
    scan: async () => {
      throw new Error('unused');
    },
    collect: async () => {
      throw new Error('unused');
    },
    stopAndQuarantine: async () => {
      throw new Error('unused');
    },
    restore: async () => {
      throw new Error('unused');
    },
    disableService: async () => {
      log.push('disableService');
      if (log.includes('no service manager')) throw new Error('systemctl: System has not been booted with systemd');
    },
  };
}

async function wire(files: MemoryFileStore, post: (body: ActionUpdatesRequest) => Promise<void>, log: string[] = []) {
  const store = new StateStore('/state', { posixPermissions: false, files });
  await store.init();
  let n = 0;
  const newId = () => `cccccccc-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const client = {
    postAlerts: async () => {
      throw new Error('unused');
    },
    postHealth: async () => undefined,
    postInventory: async () => undefined,
    postActionUpdates: async (body: ActionUpdatesRequest) => {
      await post(body);
      return { acks: body.updates.map((u) => ({ actionId: u.actionId, sequence: u.sequence, status: u.status })) };
    },
  };
  const delivery = new SignalDelivery({ store, client, clock, random: () => 0.5, newId, logger: silentLogger() });
  const host: AgentHost = { platform: 'linux', providers: [], facts: () => ({}) as never, responder: responder(log) };
  const executor = createActionExecutor({
    uploadPackage: packageUploader({}, clock),
    store,
    host,
    identity,
    delivery,
    clock,
    newId,
    logger: silentLogger(),
    sync: async () => undefined,
    stopEnforcing: async () => {
      log.push('stopEnforcing');
    },
    resumeEnforcing: () => log.push('resumeEnforcing'),
    onOffboarded: () => log.push('offboarded'),
  });
  await executor.start();
  return { store, delivery, executor, log };
}

describe('action wiring', () => {
  it('queues updates in the signals outbox: an endpoint outage and a restart lose none, order kept', async () => {
    const files = new MemoryFileStore();
    const down = await wire(files, async () => {
      throw new AttacheError('ENDPOINT_UNREACHABLE', 'down');
    });
    const action = signedAction('release', {});
    await down.executor.receive([action]);
    await down.executor.idle();
    await down.delivery.stop();
    expect((await down.store.pendingSignals()).map((q) => q.message.kind)).toEqual(['actionUpdates', 'actionUpdates']);

    const sent: ActionUpdatesRequest[] = [];
    const up = await wire(files, async (body) => void sent.push(body));
    expect(await up.delivery.flush()).toBe(0);
    expect(sent.flatMap((b) => b.updates.map((u) => [u.actionId, u.status, u.sequence]))).toEqual([
      [action.payload.actionId, 'inProgress', 1],
      [action.payload.actionId, 'succeeded', 2],
    ]);
    expect(await up.store.pendingSignals()).toEqual([]);
  });

  it('hands the actions of a policies answer to the executor and the answer on unchanged', async () => {
    const actions = [signedAction('release', {})] as unknown as DeliveredAction[];
    const body = { actions } as unknown as PoliciesResponse;
    const seen: (readonly DeliveredAction[])[] = [];
    const client = withActionDelivery({ getPolicies: async (_etag: string | undefined) => ({ notModified: false as const, body }) }, (a) => void seen.push(a));
    expect(await client.getPolicies(undefined)).toEqual({ notModified: false, body });
    expect(seen).toEqual([actions]);
  });

  it('offboards: restore, succeeded update acknowledged, then identity deleted, then the service disabled', async () => {
    const files = new MemoryFileStore();
    const log: string[] = [];
    const results: unknown[] = [];
    const t = await wire(
      files,
      async (body) => {
        log.push(`acked ${body.updates.map((u) => u.status).join(',')}`);
        for (const u of body.updates) if (u.result) results.push(u.result);
      },
      log,
    );
    await t.store.writeIdentity(identity, '-----BEGIN PRIVATE KEY-----\n');
    const offboard = signedAction('offboard', {});
    const identityWhenAcked: boolean[] = [];
    const watch = t.delivery.flush.bind(t.delivery);
    t.delivery.flush = async () => {
      const left = await watch();
      identityWhenAcked.push((await t.store.readIdentity()) !== undefined);
      return left;
    };
    await t.executor.receive([offboard]);
    await t.executor.idle();
    expect(log[0]).toBe('stopEnforcing'); // before anything is restored
    expect(log.filter((l) => l !== 'acked inProgress' && l !== 'stopEnforcing')).toEqual(['acked succeeded', 'disableService', 'offboarded']);
    expect(await files.read('/state/actions.json')).toBeUndefined();
    expect(identityWhenAcked.at(-1)).toBe(true);
    expect(await t.store.readIdentity()).toBeUndefined();
    expect(results).toEqual([{ restoredSettings: 0, failedSettings: 0 }]);
    expect(await t.store.pendingSignals()).toEqual([]);
  });

  it('offboards to the end when the service cannot be disabled: the identity is gone, the daemon still exits', async () => {
    const files = new MemoryFileStore();
    const log: string[] = ['no service manager'];
    const t = await wire(files, async () => undefined, log);
    await t.store.writeIdentity(identity, '-----BEGIN PRIVATE KEY-----\n');
    await t.executor.receive([signedAction('offboard', {})]);
    await t.executor.idle();
    expect(log.slice(-2)).toEqual(['disableService', 'offboarded']);
    expect(await t.store.readIdentity()).toBeUndefined();
  });

  it('finishes an offboard a stop cut short: a start that finds it succeeded in the ledger deletes the identity and disables the service', async () => {
    const files = new MemoryFileStore();
    const log: string[] = [];
    const store = new StateStore('/state', { posixPermissions: false, files });
    await store.writeIdentity(identity, '-----BEGIN PRIVATE KEY-----\n');
    const ledger = new ActionLedger('/state', files);
    await ledger.put('aaaaaaaa-0000-4000-8000-0000000000ff', {
      type: 'offboard',
      status: 'succeeded',
      sequence: 2,
      receivedAt: '2026-12-05T11:00:00.000Z',
      completedAt: '2026-12-05T11:01:00.000Z',
      expiresAt: '2026-12-08T11:00:00.000Z',
      parameters: {},
      result: { restoredSettings: 3, failedSettings: 0 },
    });
    await wire(files, async () => undefined, log);
    await vi.waitFor(() => expect(log).toEqual(['stopEnforcing', 'disableService', 'offboarded']));
    expect(await store.readIdentity()).toBeUndefined();
    expect(await files.read('/state/actions.json')).toBeUndefined();
  });

  it('fails the offboard when a setting cannot be restored (OFFBOARD_FAILED naming it): identity kept, enforcing resumes (review 17b #6)', async () => {
    const files = new MemoryFileStore();
    const log: string[] = [];
    const sent: ActionUpdatesRequest[] = [];
    const t = await wire(files, async (body) => void sent.push(body), log);
    await t.store.writeIdentity(identity, '-----BEGIN PRIVATE KEY-----\n');
    // A managed setting whose provider this host lacks: it cannot be restored.
    await t.store.writeBaseline({ 'firewall.enabled': { kind: 'firewall', original: false, applied: true, recordedAt: '2026-12-01T00:00:00.000Z' } });
    const offboard = signedAction('offboard', {});
    await t.executor.receive([offboard]);
    await t.executor.idle();
    const last = sent.flatMap((b) => b.updates).at(-1);
    expect(last).toMatchObject({ actionId: offboard.payload.actionId, status: 'failed', error: { code: 'OFFBOARD_FAILED' } });
    expect(last?.error?.message).toContain('firewall.enabled');
    expect(await t.store.readIdentity()).toBeDefined();
    expect(log).toContain('resumeEnforcing');
    expect(log).not.toContain('disableService');
  });

  it('keeps the identity when the succeeded update was dropped, not acknowledged (review 17b #6)', async () => {
    const files = new MemoryFileStore();
    const log: string[] = [];
    const t = await wire(
      files,
      async (body) => {
        if (body.updates.some((u) => u.status === 'succeeded')) throw new AttacheError('SCHEMA_INVALID', 'refused for good');
      },
      log,
    );
    await t.store.writeIdentity(identity, '-----BEGIN PRIVATE KEY-----\n');
    const offboard = signedAction('offboard', {});
    await t.executor.receive([offboard]);
    await vi.waitFor(async () => {
      const ledger = new ActionLedger('/state', files);
      await ledger.load();
      expect(ledger.get(offboard.payload.actionId)?.status).toBe('succeeded');
      expect(await t.store.pendingSignals()).toEqual([]);
    });
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(await t.store.readIdentity()).toBeDefined();
    expect(log).not.toContain('offboarded');
  });
});
