// Response actions over the real endpoint (issue 17): every refusal at create stores nothing; one in flight per family;
// cancel rules; timeOut by the leader's ticker (manual clock); updates apply, go stale or late; the capability gate (no
// `actions`, same etag without it); delivery over push and in policies answers with deliveredAt; offboard refuses the
// device afterwards. Packages and restarts: actions-packages.integration.test.ts.
import { createPublicKey, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../common/canonical-json.js';
import { verifyBytes } from '../../../common/signing.js';
import { validate } from '../../../common/validation.js';
import { MachineAction, type MachineActionList, type PoliciesResponse } from '../../../policy-schemas/src/index.js';
import { capablePolicies, postUpdates } from '../testing/action-device.js';
import { adminAccount } from '../testing/admin-accounts.js';
import { errorCode, httpsRequest, type TestDevice, type TestResponse } from '../testing/https-client.js';
import { TestPushClient } from '../testing/push-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';

const HOUR = 3_600_000;
let t: TestEndpoint;
beforeAll(async () => {
  t = await startTestEndpoint();
});
afterAll(async () => {
  await t?.close();
});

const refused = (res: TestResponse) => [res.status, errorCode(res)];
const actionsOf = async (deviceId: string) => (await t.admin.ok<MachineActionList>('GET', `/actions?deviceId=${deviceId}`)).actions;

async function create(device: TestDevice, type: string, body: Record<string, unknown> = {}): Promise<MachineAction> {
  const res = await t.admin.call('POST', `/devices/${device.deviceId}/${type}`, { comment: 'investigating', ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return validate(MachineAction, res.body, 'action');
}

describe('creating an action', () => {
  it('answers 201 with the machine action, defaults filled in, and refuses a second one of the family (409 naming it)', async () => {
    const device = await t.enrolledDevice();
    const isolate = await create(device, 'isolate');
    expect(isolate).toMatchObject({ type: 'isolate', status: 'pending', parameters: { mode: 'full' }, requestorComment: 'investigating', deliveredAt: null });
    expect(Date.parse(isolate.expiresAt) - Date.parse(isolate.createdAt)).toBe(72 * HOUR);
    const second = await t.admin.call('POST', `/devices/${device.deviceId}/release`, { comment: 'x' });
    expect(refused(second)).toEqual([409, 'ACTION_IN_PROGRESS']);
    expect(JSON.stringify(second.body)).toContain(isolate.id);
    const scan = await create(device, 'runAntivirusScan');
    expect(scan.parameters).toEqual({ scanType: 'quick' });
    expect((await actionsOf(device.deviceId)).map((a) => a.id)).toEqual([scan.id, isolate.id]);
  });

  it('refuses a bad body (400 naming the field), an unknown, revoked or offboarded device, storing nothing', async () => {
    const device = await t.enrolledDevice();
    const noComment = await t.admin.call('POST', `/devices/${device.deviceId}/runAntivirusScan`, { scanType: 'quick' });
    expect(refused(noComment)).toEqual([400, 'ACTION_INVALID']);
    expect(JSON.stringify(noComment.body)).toContain('comment');
    const badHash = await t.admin.call('POST', `/devices/${device.deviceId}/stopAndQuarantineFile`, { comment: 'x', sha256: 'nope' });
    expect(refused(badHash)).toEqual([400, 'ACTION_INVALID']);
    expect(JSON.stringify(badHash.body)).toContain('/sha256');
    expect(refused(await t.admin.call('POST', `/devices/${device.deviceId}/runAntivirusScan`, { comment: 'x', scanType: 'deep' }))).toEqual([
      400,
      'ACTION_INVALID',
    ]);
    expect(refused(await t.admin.call('POST', '/devices/00000000-0000-4000-8000-000000000000/isolate', { comment: 'x' }))).toEqual([404, 'NOT_FOUND']);
    expect(await actionsOf(device.deviceId)).toEqual([]);

    const revoked = await t.enrolledDevice();
    await t.admin.ok('POST', `/devices/${revoked.deviceId}/revoke`);
    expect(refused(await t.admin.call('POST', `/devices/${revoked.deviceId}/isolate`, { comment: 'x' }))).toEqual([403, 'DEVICE_REVOKED']);
    expect(await actionsOf(revoked.deviceId)).toEqual([]);

    const offboarded = await t.enrolledDevice();
    const offboard = await create(offboarded, 'offboard');
    const offboardDone = await postUpdates(offboarded, [
      { actionId: offboard.id, sequence: 1, status: 'succeeded', result: { restoredSettings: 3, failedSettings: 0 } },
    ]);
    expect(offboardDone.status, JSON.stringify(offboardDone.body)).toBe(200);
    expect(refused(await t.admin.call('POST', `/devices/${offboarded.deviceId}/runAntivirusScan`, { comment: 'x' }))).toEqual([403, 'DEVICE_OFFBOARDED']);
    expect((await actionsOf(offboarded.deviceId)).map((a) => a.type)).toEqual(['offboard']);
    // The offboarded device's own requests are refused from then on, and its access decision blocks (unassigned
    // devices are compliant by default here, so only the offboarding can block it).
    expect(refused(await offboarded.get('/v1/device/policies'))).toEqual([403, 'DEVICE_OFFBOARDED']);
    const access = await httpsRequest(t.endpoint.url, t.ca, 'GET', `/v1/access/devices/${offboarded.deviceId}`, {
      headers: { authorization: `Bearer ${t.admin.token}` },
    });
    expect((access.body as { decision?: string }).decision).toBe('block');
  });
});

describe('cancel', () => {
  it('cancels a pending action at once and delivers a signed cancel until the device reports on the action', async () => {
    const device = await t.enrolledDevice();
    const isolate = await create(device, 'isolate');
    await capablePolicies(device); // delivered: the device may start it before the cancel reaches it
    const cancelled = await t.admin.ok<MachineAction>('POST', `/actions/${isolate.id}/cancel`, { comment: 'wrong device' });
    expect(cancelled).toMatchObject({ status: 'cancelled', cancellation: { comment: 'wrong device' } });
    const answer = (await capablePolicies(device)).body as PoliciesResponse;
    const cancel = answer.actions?.[0]?.payload as { type?: string; parameters?: unknown } | undefined;
    expect(cancel).toMatchObject({ type: 'cancel', parameters: { actionId: isolate.id } });
    // A second cancel is refused; the family stays in flight until the device answers the cancel (review 17b #9).
    expect(refused(await t.admin.call('POST', `/actions/${isolate.id}/cancel`, { comment: 'again' }))).toEqual([409, 'ACTION_NOT_CANCELLABLE']);
    expect(refused(await t.admin.call('POST', `/devices/${device.deviceId}/release`, { comment: 'x' }))).toEqual([409, 'ACTION_IN_PROGRESS']);
    const later = new Date(t.now() + 1000).toISOString();
    await postUpdates(device, [{ actionId: isolate.id, sequence: 1, status: 'cancelled', at: later }]);
    await create(device, 'release');
    const after = (await capablePolicies(device)).body as PoliciesResponse;
    expect((after.actions ?? []).map((a) => (a.payload as { type?: string }).type)).toEqual(['release']);
  });

  it('refuses to cancel a started isolation but cancels a started scan; 404 for an unknown action', async () => {
    const device = await t.enrolledDevice();
    const isolate = await create(device, 'isolate');
    const scan = await create(device, 'runAntivirusScan');
    await postUpdates(device, [
      { actionId: isolate.id, sequence: 1, status: 'inProgress' },
      { actionId: scan.id, sequence: 1, status: 'inProgress', progress: 10 },
    ]);
    expect(refused(await t.admin.call('POST', `/actions/${isolate.id}/cancel`, { comment: 'x' }))).toEqual([409, 'ACTION_NOT_CANCELLABLE']);
    expect((await t.admin.ok<MachineAction>('POST', `/actions/${scan.id}/cancel`, { comment: 'x' })).status).toBe('cancelled');
    expect(refused(await t.admin.call('POST', '/actions/00000000-0000-4000-8000-000000000000/cancel', { comment: 'x' }))).toEqual([404, 'ACTION_NOT_FOUND']);
  });
});

describe('updates', () => {
  it('applies in order, ignores a stale sequence, keeps a late outcome beside a terminal status, and refuses a foreign id whole', async () => {
    const device = await t.enrolledDevice();
    const scan = await create(device, 'runAntivirusScan', { scanType: 'full' });
    const result = { scanType: 'full', engine: 'simulated', durationMs: 5, threatsFound: 0, threats: [] };
    const first = await postUpdates(device, [{ actionId: scan.id, sequence: 1, status: 'inProgress', progress: 20 }]);
    expect(first.body).toEqual({ acks: [{ actionId: scan.id, sequence: 1, status: 'inProgress' }] });
    const done = await postUpdates(device, [{ actionId: scan.id, sequence: 3, status: 'succeeded', result }]);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const stale = await postUpdates(device, [{ actionId: scan.id, sequence: 2, status: 'failed', error: { code: 'SCAN_FAILED', message: 'x' } }]);
    expect(stale.body).toEqual({ acks: [{ actionId: scan.id, sequence: 2, status: 'succeeded' }] });
    const shown = await t.admin.ok<MachineAction>('GET', `/actions/${scan.id}`);
    expect(shown).toMatchObject({ status: 'succeeded', progress: 100, result });
    expect(shown.startedAt).not.toBeNull();

    const other = await t.enrolledDevice();
    const theirs = await create(other, 'runAntivirusScan');
    const mine = await create(device, 'collectInvestigationPackage');
    const foreign = await postUpdates(device, [
      { actionId: mine.id, sequence: 1, status: 'inProgress' },
      { actionId: theirs.id, sequence: 1, status: 'inProgress' },
    ]);
    expect(refused(foreign)).toEqual([404, 'ACTION_NOT_FOUND']);
    expect(JSON.stringify(foreign.body)).toContain(theirs.id);
    expect((await t.admin.ok<MachineAction>('GET', `/actions/${mine.id}`)).status).toBe('pending');
    const badResult = await postUpdates(device, [{ actionId: mine.id, sequence: 1, status: 'succeeded', result: { sizeBytes: 'big' } as never }]);
    expect(refused(badResult)).toEqual([400, 'SCHEMA_INVALID']);
    expect(JSON.stringify(badResult.body)).toContain('/updates/0/result');

    // A collect that says it succeeded without its package fails with PACKAGE_HASH_MISMATCH.
    const sha256 = 'a'.repeat(64);
    await postUpdates(device, [{ actionId: mine.id, sequence: 1, status: 'succeeded', result: { sizeBytes: 10, sha256, entries: 2, truncated: false } }]);
    expect((await t.admin.ok<MachineAction>('GET', `/actions/${mine.id}`)).error?.code).toBe('PACKAGE_HASH_MISMATCH');

    // After the admin cancelled, the device's real outcome is kept as lateResult.
    const scan2 = await create(device, 'runAntivirusScan');
    await t.admin.ok('POST', `/actions/${scan2.id}/cancel`, { comment: 'stop' });
    await postUpdates(device, [{ actionId: scan2.id, sequence: 1, status: 'succeeded', result: { ...result, scanType: 'quick' } }]);
    const late = await t.admin.ok<MachineAction>('GET', `/actions/${scan2.id}`);
    expect(late.status).toBe('cancelled');
    expect(late.lateResult).toMatchObject({ status: 'succeeded', result: { scanType: 'quick' } });
  });
});

describe('time-out', () => {
  it('marks an action unfinished after 72 h timeOut on the leader tick, and frees its family', async () => {
    const device = await t.enrolledDevice();
    const isolate = await create(device, 'isolate');
    t.setClockOffset(72 * HOUR + 1000);
    try {
      await t.ticker.tick();
      expect((await t.admin.ok<MachineAction>('GET', `/actions/${isolate.id}`)).status).toBe('timeOut');
      expect(((await capablePolicies(device)).body as PoliciesResponse).actions).toBeUndefined();
      await create(device, 'isolate');
    } finally {
      t.setClockOffset(0);
    }
  });
});

describe('delivery', () => {
  it('gives actions only to an agent stating the capability; without it the answer and etag are unchanged', async () => {
    const device = await t.enrolledDevice();
    const before = await device.get('/v1/device/policies');
    const cached = t.endpoint.context.sets.size;
    const scan = await create(device, 'runAntivirusScan');
    // An action changes no policy set: the cached sets are kept (SET_NEUTRAL_WRITES).
    expect(t.endpoint.context.sets.size).toBe(cached);
    const plain = await device.get('/v1/device/policies');
    expect((plain.body as PoliciesResponse).actions).toBeUndefined();
    expect(plain.headers.etag).toBe(before.headers.etag);
    expect((await device.get('/v1/device/policies', { 'if-none-match': String(before.headers.etag) })).status).toBe(304);

    const capable = await capablePolicies(device, { 'if-none-match': String(before.headers.etag) });
    expect(capable.status).toBe(200);
    expect(capable.headers.etag).not.toBe(before.headers.etag);
    const envelope = (capable.body as PoliciesResponse).actions?.[0];
    expect(envelope?.payload).toMatchObject({ actionId: scan.id, type: 'runAntivirusScan', deviceId: device.deviceId, requestorComment: 'investigating' });
    expect((await t.admin.ok<MachineAction>('GET', `/actions/${scan.id}`)).deliveredAt).not.toBeNull();
    expect((await capablePolicies(device, { 'if-none-match': String(capable.headers.etag) })).status).toBe(304);
  });

  it('pushes an actions message to a connected capable socket at create, and sets deliveredAt on its ack', async () => {
    const device = await t.enrolledDevice();
    const path = '/v1/device/push?channel=2&capabilities=actions';
    const push = await TestPushClient.open(t.endpoint.url, t.ca, device, device.signedHeaders('GET', path, ''), path);
    try {
      expect(await push.next()).toMatchObject({ type: 'hello' });
      const scan = await create(device, 'runAntivirusScan');
      const message = (await push.next()) as { type: string; requestId: string; actions: { payload: { actionId: string } }[] };
      expect(message.type).toBe('actions');
      expect(message.actions.map((a) => a.payload.actionId)).toEqual([scan.id]);
      expect((await t.admin.ok<MachineAction>('GET', `/actions/${scan.id}`)).deliveredAt).toBeNull();
      push.send(JSON.stringify({ type: 'ack', requestId: message.requestId }));
      await expect.poll(async () => (await t.admin.ok<MachineAction>('GET', `/actions/${scan.id}`)).deliveredAt).not.toBeNull();
    } finally {
      push.close();
    }
  });

  it('over channel 2: getPolicies carries actions only on a capable socket, and postActionUpdates stores updates', async () => {
    const device = await t.enrolledDevice();
    const scan = await create(device, 'runAntivirusScan');
    const request = (push: TestPushClient, method: string, body?: unknown) => {
      const id = randomUUID();
      push.send(JSON.stringify({ type: 'request', id, method, ...(body === undefined ? {} : { body }) }));
      return id;
    };
    const answer = async (push: TestPushClient, id: string) => {
      for (;;) {
        const m = (await push.next()) as { type: string; id?: string; result?: unknown };
        if (m.type === 'response' && m.id === id) return m.result as Record<string, unknown>;
      }
    };
    const plainPath = '/v1/device/push?channel=2';
    const plain = await TestPushClient.open(t.endpoint.url, t.ca, device, device.signedHeaders('GET', plainPath, ''), plainPath);
    try {
      expect((await answer(plain, request(plain, 'getPolicies'))).actions).toBeUndefined();
    } finally {
      plain.close();
      await plain.closed;
    }
    const path = '/v1/device/push?channel=2&capabilities=actions';
    const push = await TestPushClient.open(t.endpoint.url, t.ca, device, device.signedHeaders('GET', path, ''), path);
    try {
      const policies = await answer(push, request(push, 'getPolicies'));
      expect((policies.actions as { payload: { actionId: string } }[]).map((a) => a.payload.actionId)).toEqual([scan.id]);
      const at = new Date(t.now()).toISOString();
      const acks = await answer(
        push,
        request(push, 'postActionUpdates', { updates: [{ actionId: scan.id, deviceId: device.deviceId, sequence: 1, status: 'inProgress', at }] }),
      );
      expect(acks).toEqual({ acks: [{ actionId: scan.id, sequence: 1, status: 'inProgress' }] });
      expect((await t.admin.ok<MachineAction>('GET', `/actions/${scan.id}`)).status).toBe('inProgress');
    } finally {
      push.close();
    }
  });
});

describe('roles and scope', () => {
  it("lets the Help Desk scan but not isolate, and shows a scoped admin only its devices' actions", async () => {
    const inside = await t.enrolledDevice();
    const outside = await t.enrolledDevice();
    const group = await t.admin.ok<{ groupId: string }>('POST', '/groups', { name: 'actions-scope' });
    await t.admin.ok('POST', `/groups/${group.groupId}/members`, { deviceId: inside.deviceId });
    const helpDesk = await adminAccount(t, 'helpDeskOperator');
    expect((await helpDesk.api.call('POST', `/devices/${inside.deviceId}/runAntivirusScan`, { comment: 'user called' })).status).toBe(201);
    expect(refused(await helpDesk.api.call('POST', `/devices/${inside.deviceId}/isolate`, { comment: 'x' }))).toEqual([403, 'ADMIN_FORBIDDEN']);

    const theirs = await create(outside, 'runAntivirusScan');
    const scoped = await adminAccount(t, 'endpointSecurityManager', [group.groupId]);
    const listed = (await scoped.api.call('GET', '/actions')).body as MachineActionList;
    expect(new Set(listed.actions.map((a) => a.deviceId))).toEqual(new Set([inside.deviceId]));
    expect(refused(await scoped.api.call('GET', `/actions/${theirs.id}`))).toEqual([404, 'ACTION_NOT_FOUND']);
    expect(refused(await scoped.api.call('POST', `/actions/${theirs.id}/cancel`, { comment: 'x' }))).toEqual([404, 'ACTION_NOT_FOUND']);
    expect(refused(await scoped.api.call('POST', `/devices/${outside.deviceId}/collectInvestigationPackage`, { comment: 'x' }))).toEqual([404, 'NOT_FOUND']);
    expect(refused(await scoped.api.call('POST', `/devices/${inside.deviceId}/offboard`, { comment: 'x' }))).toEqual([403, 'ADMIN_FORBIDDEN']);
  });
});

describe('cancel permission (review 17b #4)', () => {
  it("needs the permission that creates the action's type: an Endpoint Security Manager cannot cancel an offboard", async () => {
    const device = await t.enrolledDevice();
    const offboard = await create(device, 'offboard');
    const esm = await adminAccount(t, 'endpointSecurityManager');
    const answer = await esm.api.call('POST', `/actions/${offboard.id}/cancel`, { comment: 'undo' });
    expect(refused(answer)).toEqual([403, 'ADMIN_FORBIDDEN']);
    expect(JSON.stringify(answer.body)).toContain('actions.offboard');
    expect((await t.admin.ok<MachineAction>('GET', `/actions/${offboard.id}`)).status).toBe('pending');
    // The Administrator, who may offboard, may cancel it.
    expect((await t.admin.ok<MachineAction>('POST', `/actions/${offboard.id}/cancel`, { comment: 'undo' })).status).toBe('cancelled');
  });
});

// Last: it switches the policy-signing key of this endpoint.
describe('a policy-signing key switch', () => {
  it('re-signs a pending action with the new key when it is delivered', async () => {
    const device = await t.enrolledDevice();
    const scan = await create(device, 'runAntivirusScan');
    await t.admin.ok('POST', '/signing-key/rotate', { now: true });
    const active = t.endpoint.context.signingKeys.active();
    const envelope = ((await capablePolicies(device)).body as PoliciesResponse).actions?.find((a) => a.payload.actionId === scan.id);
    expect(envelope?.keyId).toBe(active.keyId);
    expect(verifyBytes(createPublicKey(active.privateKey), canonicalJson(envelope?.payload), String(envelope?.signature))).toBe(true);
  });
});
