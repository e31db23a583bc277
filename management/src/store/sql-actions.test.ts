// Tests of the SQL store's response actions (migration 0017) on SQLite and PostgreSQL: concurrent creates leave exactly
// one action in flight per device and family, listing by keyset, delivery, updates in one transaction (a foreign id
// stores nothing), time-outs, and package chunks (resume, offset mismatch, hash check at the end).
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import type { SignedAction } from '../../../policy-schemas/src/index.js';
import type { NewAction } from './action-store.js';
import type { Database } from './schema.js';
import { isUniqueViolation } from './sql-rows.js';
import type { ManagementStore } from './store.js';
import { freshStorePerTest, STORE_ENGINES } from './testing/store-engines.js';
import { codeOf, enrolledDevice } from './testing/store-fixtures.js';

const NOW = '2025-01-10T12:00:00.000Z';
const LATER = '2025-01-13T12:00:00.000Z';

let store: ManagementStore;

function action(deviceId: string, overrides: Partial<NewAction> = {}): NewAction {
  const actionId = randomUUID();
  return {
    actionId,
    deviceId,
    type: 'runAntivirusScan',
    family: 'runAntivirusScan',
    parameters: { scanType: 'quick' },
    envelope: { payload: { actionId }, keyId: 'a'.repeat(32), signature: 'sig' } as unknown as SignedAction,
    requestor: { adminId: null, username: 'alice' },
    requestorComment: 'look',
    createdAt: NOW,
    expiresAt: LATER,
    ...overrides,
  };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function collect(iterable: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of iterable) parts.push(p);
  return Buffer.concat(parts);
}

describe.each(STORE_ENGINES)('%s store: response actions', (engineName) => {
  freshStorePerTest(engineName, (s) => {
    store = s;
  });
  let deviceId: string;
  beforeEach(async () => {
    deviceId = await enrolledDevice(store, NOW);
  });

  it('keeps exactly one action in flight per device and family when creates race', async () => {
    const attempts = Array.from({ length: 6 }, () => action(deviceId, { type: 'isolate', family: 'isolation', parameters: { mode: 'full' } }));
    const outcomes = await Promise.allSettled(attempts.map((a) => store.createAction(a)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect((o.reason as { code: string }).code).toBe('ACTION_IN_PROGRESS');
    expect(await store.listActions({ deviceId, limit: 10 })).toHaveLength(1);
    // Another family is independent; release shares the isolation family.
    await store.createAction(action(deviceId));
    expect(await codeOf(store.createAction(action(deviceId, { type: 'release', family: 'isolation', parameters: {} })))).toBe('ACTION_IN_PROGRESS');
  });

  it('refuses any action while an offboard of the device is unfinished, naming the offboard (review 17b #1)', async () => {
    const offboard = action(deviceId, { type: 'offboard', family: 'offboard', parameters: {} });
    await store.createAction(offboard);
    for (const other of [action(deviceId, { type: 'isolate', family: 'isolation', parameters: { mode: 'full' } }), action(deviceId)]) {
      const refused = await store.createAction(other).then(
        () => undefined,
        (err: { code: string; message: string }) => err,
      );
      expect(refused?.code).toBe('ACTION_IN_PROGRESS');
      expect(refused?.message).toContain(offboard.actionId);
    }
    await store.changeAction(offboard.actionId, () => ({ status: 'failed', updatedAt: NOW }));
    await store.createAction(action(deviceId));
  });

  it('delivers an isolate behind 25 pending cancels: actions come first (review 17b #3)', async () => {
    for (let i = 0; i < 25; i++) {
      const old = action(deviceId, { family: `f${i}`, createdAt: `2025-01-10T11:00:${String(i).padStart(2, '0')}.000Z` });
      await store.createAction(old);
      const cancelEnvelope = { payload: { actionId: randomUUID() }, keyId: 'b'.repeat(32), signature: 's' } as unknown as SignedAction;
      await store.changeAction(old.actionId, () => ({ status: 'cancelled', cancelEnvelope, cancelPending: true, updatedAt: NOW }));
    }
    const isolate = action(deviceId, { type: 'isolate', family: 'isolation', parameters: { mode: 'full' } });
    await store.createAction(isolate);
    const delivered = await store.deliverableActions(deviceId, NOW, 20);
    expect(delivered).toHaveLength(20);
    expect(delivered[0]).toMatchObject({ actionId: isolate.actionId, kind: 'action' });
  });

  it('keeps the family of a delivered action in flight after a cancel until the device answers it (review 17b #9)', async () => {
    const isolate = action(deviceId, { type: 'isolate', family: 'isolation', parameters: { mode: 'full' } });
    await store.createAction(isolate);
    const cancelEnvelope = { payload: { actionId: randomUUID() }, keyId: 'b'.repeat(32), signature: 's' } as unknown as SignedAction;
    const release = () => action(deviceId, { type: 'release', family: 'isolation', parameters: {} });
    // Cancelled before any delivery: the device cannot be running it, the family is free at once.
    const undelivered = action(deviceId, { type: 'runAntivirusScan', family: 'runAntivirusScan', parameters: { scanType: 'quick' } });
    await store.createAction(undelivered);
    await store.changeAction(undelivered.actionId, () => ({ status: 'cancelled', cancelEnvelope, cancelPending: true, updatedAt: NOW }));
    await store.createAction(action(deviceId, { type: 'runAntivirusScan', family: 'runAntivirusScan', parameters: { scanType: 'full' } }));
    // Delivered, then cancelled: it may be running until the device answers.
    await store.changeAction(isolate.actionId, () => ({ deliveredAt: NOW, updatedAt: NOW }));
    await store.changeAction(isolate.actionId, () => ({ status: 'cancelled', cancelEnvelope, cancelPending: true, updatedAt: NOW }));
    const refused = await store.createAction(release()).then(
      () => undefined,
      (err: { code: string; message: string }) => err,
    );
    expect(refused?.code).toBe('ACTION_IN_PROGRESS');
    expect(refused?.message).toContain(isolate.actionId);
    // The device's answer (its real outcome, or cancelled) frees it.
    await store.changeAction(isolate.actionId, () => ({ cancelPending: false, updatedAt: NOW }));
    await store.createAction(release());
  });

  it('refuses a second open row of a family in the database itself: the partial unique index, not the check (review 17b #16)', async () => {
    const first = action(deviceId, { type: 'isolate', family: 'isolation', parameters: { mode: 'full' } });
    await store.createAction(first);
    // Around the store's check, as a second replica racing past it would: only device_actions_in_flight refuses it.
    const db = (store as unknown as { db: Kysely<Database> }).db;
    const row = { ...(await db.selectFrom('deviceActions').selectAll().where('actionId', '=', first.actionId).executeTakeFirstOrThrow()) };
    const insert = (status: string) =>
      db
        .insertInto('deviceActions')
        .values({ ...row, actionId: randomUUID(), status })
        .execute();
    const error = await insert('inProgress').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isUniqueViolation(error)).toBe(true);
    // A terminal row of the family is outside the index.
    await insert('succeeded');
  });

  it('frees the family once the action is terminal, and refuses an unknown device', async () => {
    const first = action(deviceId);
    await store.createAction(first);
    await store.changeAction(first.actionId, () => ({ status: 'cancelled', updatedAt: NOW }));
    await store.createAction(action(deviceId));
    expect(await codeOf(store.createAction(action(randomUUID())))).toBe('NOT_FOUND');
  });

  it('lists newest first by keyset with filters, and delivers open actions and pending cancels', async () => {
    const a = action(deviceId, { createdAt: '2025-01-10T12:00:01.000Z' });
    const b = action(deviceId, { type: 'collectInvestigationPackage', family: 'collectInvestigationPackage', createdAt: '2025-01-10T12:00:02.000Z' });
    await store.createAction(a);
    await store.createAction(b);
    const page1 = await store.listActions({ limit: 1 });
    expect(page1.map((x) => x.actionId)).toEqual([b.actionId]);
    expect(page1[0]?.deviceName).toBe('ws-042');
    const page2 = await store.listActions({ limit: 5, before: { createdAt: b.createdAt, actionId: b.actionId } });
    expect(page2.map((x) => x.actionId)).toEqual([a.actionId]);
    expect((await store.listActions({ limit: 5, type: 'collectInvestigationPackage' })).map((x) => x.actionId)).toEqual([b.actionId]);
    expect(await store.listActions({ limit: 5, requestor: 'bob' })).toEqual([]);
    expect(await store.listActions({ limit: 5, scopeGroupIds: [] })).toEqual([]);

    const cancelEnvelope = { payload: { actionId: randomUUID() }, keyId: 'b'.repeat(32), signature: 's' } as unknown as SignedAction;
    await store.changeAction(a.actionId, () => ({ status: 'cancelled', cancelEnvelope, cancelPending: true, updatedAt: NOW }));
    const delivered = await store.deliverableActions(deviceId, NOW, 20);
    // Actions before cancels (review 17b #3): a cancel never takes an action's slot.
    expect(delivered.map((d) => [d.actionId, d.kind])).toEqual([
      [b.actionId, 'action'],
      [a.actionId, 'cancel'],
    ]);
    expect(delivered[1]?.envelope).toEqual(cancelEnvelope);
    await store.markActionsDelivered([b.actionId], '2025-01-10T12:01:00.000Z');
    await store.markActionsDelivered([b.actionId], '2025-01-10T12:09:00.000Z');
    expect((await store.getAction(b.actionId))?.deliveredAt).toBe('2025-01-10T12:01:00.000Z');
    expect(await store.deliverableActions(deviceId, LATER, 20)).toEqual([]);
  });

  it('applies updates in one transaction: an action of another device stores nothing', async () => {
    const mine = action(deviceId);
    await store.createAction(mine);
    const other = await enrolledDevice(store, NOW);
    const theirs = action(other);
    await store.createAction(theirs);
    const decide = () => ({ change: { status: 'inProgress' as const, lastSequence: 1, updatedAt: NOW }, status: 'inProgress' as const });
    expect(await codeOf(store.applyActionUpdates(deviceId, [{ actionId: mine.actionId }, { actionId: theirs.actionId }], decide))).toBe('ACTION_NOT_FOUND');
    expect((await store.getAction(mine.actionId))?.status).toBe('pending');
    await store.applyActionUpdates(deviceId, [{ actionId: mine.actionId }], decide);
    expect((await store.getAction(mine.actionId))?.lastSequence).toBe(1);
  });

  it('marks the device offboarded with a succeeded offboard, and times out expired actions', async () => {
    // The scan first: nothing can be created once the offboard is open.
    const scan = action(deviceId, { expiresAt: '2025-01-10T13:00:00.000Z' });
    await store.createAction(scan);
    const off = action(deviceId, { type: 'offboard', family: 'offboard', parameters: {} });
    await store.createAction(off);
    await store.applyActionUpdates(deviceId, [{ actionId: off.actionId }], () => ({
      change: { status: 'succeeded', updatedAt: LATER },
      status: 'succeeded',
      offboardDevice: true,
    }));
    expect((await store.getDevice(deviceId))?.offboardedAt).toBe(LATER);
    expect(await store.timeOutActions('2025-01-10T12:30:00.000Z')).toEqual([]);
    expect(await store.timeOutActions('2025-01-10T13:00:00.000Z')).toEqual([deviceId]);
    expect((await store.getAction(scan.actionId))?.status).toBe('timeOut');
  });

  it('stores package chunks, resumes at the stored offset, refuses another offset and checks the hash', async () => {
    const collectAction = action(deviceId, { type: 'collectInvestigationPackage', family: 'collectInvestigationPackage' });
    await store.createAction(collectAction);
    const bytes = Buffer.from('0123456789abcdef'.repeat(64));
    const chunk = (offset: number, end: number, hash = sha(bytes)) => ({
      offset,
      sizeBytes: bytes.length,
      sha256: hash,
      data: bytes.subarray(offset, end),
      at: NOW,
    });
    expect(await store.putPackageChunk(collectAction.actionId, deviceId, chunk(0, 400))).toEqual({ receivedBytes: 400, complete: false });
    const mismatch = await store.putPackageChunk(collectAction.actionId, deviceId, chunk(100, 500)).catch((e: { code: string; details: unknown }) => e);
    expect(mismatch).toMatchObject({ code: 'PACKAGE_OFFSET_MISMATCH', details: [{ path: 'receivedBytes', message: '400' }] });
    expect((await store.getAction(collectAction.actionId))?.package).toEqual({
      sizeBytes: bytes.length,
      sha256: sha(bytes),
      receivedBytes: 400,
      complete: false,
    });
    expect(await store.putPackageChunk(collectAction.actionId, deviceId, chunk(400, bytes.length))).toEqual({ receivedBytes: bytes.length, complete: true });
    expect(await collect(store.packageChunks(collectAction.actionId))).toEqual(bytes);

    // A complete package is never replaced (review 17b #14): a download in progress would get a mix.
    const wrong = 'f'.repeat(64);
    expect(await codeOf(store.putPackageChunk(collectAction.actionId, deviceId, chunk(0, 1000, wrong)))).toBe('CONFLICT');
    expect(await collect(store.packageChunks(collectAction.actionId))).toEqual(bytes);

    // An upload with a wrong hash: discarded when its last byte arrives.
    const second = action(deviceId, { type: 'collectInvestigationPackage', family: 'collect-b' });
    await store.createAction(second);
    await store.putPackageChunk(second.actionId, deviceId, chunk(0, 1000, wrong));
    expect(await store.putPackageChunk(second.actionId, deviceId, chunk(1000, bytes.length, wrong))).toEqual({
      receivedBytes: 0,
      complete: false,
      hashMismatch: true,
    });
    expect((await store.getAction(second.actionId))?.package).toBeNull();
    expect(await collect(store.packageChunks(second.actionId))).toEqual(Buffer.alloc(0));

    // An action that ended (cancelled, timed out, failed) takes no upload, checked in the upload's transaction.
    await store.changeAction(second.actionId, () => ({ status: 'cancelled', updatedAt: NOW }));
    expect(await codeOf(store.putPackageChunk(second.actionId, deviceId, chunk(0, 400)))).toBe('CONFLICT');
    expect((await store.getAction(second.actionId))?.package).toBeNull();
  });

  it('drops the package of an action that ends without success: cancelled, failed or timed out (review 17b #14)', async () => {
    const part = { offset: 0, sizeBytes: 10, sha256: 'a'.repeat(64), data: Buffer.alloc(5), at: NOW };
    const ends: [string, (id: string) => Promise<unknown>][] = [
      ['cancelled', (id) => store.changeAction(id, () => ({ status: 'cancelled', updatedAt: NOW }))],
      ['failed', (id) => store.applyActionUpdates(deviceId, [{ actionId: id }], () => ({ change: { status: 'failed', updatedAt: NOW }, status: 'failed' }))],
      ['timeOut', () => store.timeOutActions(LATER)],
    ];
    for (const [status, end] of ends) {
      const collectAction = action(deviceId, { type: 'collectInvestigationPackage', family: `collect-${status}` });
      await store.createAction(collectAction);
      await store.putPackageChunk(collectAction.actionId, deviceId, part);
      await end(collectAction.actionId);
      const after = await store.getAction(collectAction.actionId);
      expect([after?.status, after?.package]).toEqual([status, null]);
      expect(await collect(store.packageChunks(collectAction.actionId))).toEqual(Buffer.alloc(0));
    }
  });

  it('deletes actions and packages with the device', async () => {
    const collectAction = action(deviceId, { type: 'collectInvestigationPackage', family: 'collectInvestigationPackage' });
    await store.createAction(collectAction);
    await store.putPackageChunk(collectAction.actionId, deviceId, { offset: 0, sizeBytes: 10, sha256: 'a'.repeat(64), data: Buffer.alloc(5), at: NOW });
    expect(await store.deleteDevice(deviceId)).toBe(true);
    expect(await store.getAction(collectAction.actionId)).toBeUndefined();
  });
});
