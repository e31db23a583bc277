// Response actions in the SQL store (migration 0017): create under the partial unique index (one in flight per device
// and family on every replica), keyset listing, delivery marks, updates decided inside one transaction, time-outs.
// Investigation packages: sql-action-packages.ts.
import type { Kysely, Transaction } from 'kysely';
import { AttacheError } from '../../../common/errors.js';
import type { ActionStatus, ActionType, SignedAction } from '../../../policy-schemas/src/index.js';
import type { ActionChange, ActionFilter, ActionRecord, DeliverableAction, NewAction, UpdateDecision } from './action-store.js';
import type { Database } from './schema.js';
import type { DeviceActionTable } from './schema-actions.js';
import { discardPackage } from './sql-action-packages.js';
import { chunks, isUniqueViolation } from './sql-rows.js';
import { parseStoredJson } from './stored-json.js';
import { inTransaction } from './transactions.js';

type Db = Kysely<Database>;
type Row = DeviceActionTable & { deviceName: string; pkgSize: number | null; pkgSha256: string | null; pkgReceived: number | null; pkgComplete: number | null };

const OPEN: readonly ActionStatus[] = ['pending', 'inProgress'];

function json<T>(row: DeviceActionTable, column: keyof DeviceActionTable & string): T | null {
  const text = row[column];
  return text === null ? null : parseStoredJson<T>(text as string, { table: 'device_actions', id: row.actionId, column });
}

function recordFromRow(row: Row): ActionRecord {
  return {
    actionId: row.actionId,
    deviceId: row.deviceId,
    deviceName: row.deviceName,
    type: row.type as ActionType,
    family: row.family,
    status: row.status as ActionStatus,
    parameters: json<Record<string, unknown>>(row, 'parameters') ?? {},
    envelope: json<SignedAction>(row, 'envelope') as SignedAction,
    requestor: { adminId: row.requestorId, username: row.requestor },
    requestorComment: row.requestorComment,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    expiresAt: row.expiresAt,
    deliveredAt: row.deliveredAt,
    startedAt: row.startedAt,
    completedAt: row.completedAt,
    lastSequence: row.lastSequence,
    progress: row.progress,
    result: json(row, 'result'),
    error: json(row, 'error'),
    lateResult: json(row, 'lateResult'),
    cancellation: json(row, 'cancellation'),
    cancelEnvelope: json(row, 'cancelEnvelope'),
    cancelPending: row.cancelPending === 1,
    package:
      row.pkgSize === null
        ? null
        : { sizeBytes: row.pkgSize, sha256: row.pkgSha256 ?? '', receivedBytes: row.pkgReceived ?? 0, complete: row.pkgComplete === 1 },
  };
}

function selectActions(db: Db | Transaction<Database>) {
  return db
    .selectFrom('deviceActions as a')
    .innerJoin('devices as d', 'd.deviceId', 'a.deviceId')
    .leftJoin('actionPackages as p', 'p.actionId', 'a.actionId')
    .selectAll('a')
    .select(['d.hostname as deviceName', 'p.sizeBytes as pkgSize', 'p.sha256 as pkgSha256', 'p.receivedBytes as pkgReceived', 'p.complete as pkgComplete']);
}

const text = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

function columnsOf(change: ActionChange): Partial<DeviceActionTable> {
  const out: Partial<DeviceActionTable> = { updatedAt: change.updatedAt };
  if (change.status !== undefined) out.status = change.status;
  if (change.lastSequence !== undefined) out.lastSequence = change.lastSequence;
  if (change.progress !== undefined) out.progress = change.progress;
  if (change.deliveredAt !== undefined) out.deliveredAt = change.deliveredAt;
  if (change.startedAt !== undefined) out.startedAt = change.startedAt;
  if (change.completedAt !== undefined) out.completedAt = change.completedAt;
  if (change.cancelPending !== undefined) out.cancelPending = change.cancelPending ? 1 : 0;
  for (const key of ['result', 'error', 'lateResult', 'cancellation', 'cancelEnvelope', 'envelope'] as const) {
    if (change[key] !== undefined) out[key] = text(change[key]) as never;
  }
  return out;
}

/**
 * The action of the family that may still be running on the device: pending or inProgress, or cancelled here while
 * the device received it and has not answered the cancel yet (it may have started before the cancel reached it: review
 * 17b #9; one cancelled before any delivery cannot be running). The
 * partial unique index covers the open statuses; the unanswered cancels are checked in the insert's transaction.
 */
async function inFlight(db: Db | Transaction<Database>, deviceId: string, family: string, nowIso?: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('deviceActions')
    .select('actionId')
    .where('deviceId', '=', deviceId)
    .where('family', '=', family)
    .where((eb) =>
      nowIso === undefined
        ? eb('status', 'in', OPEN)
        : eb.or([
            eb('status', 'in', OPEN),
            // Only an action the device received can still be running; one cancelled before delivery frees its family.
            eb.and([eb('cancelPending', '=', 1), eb('deliveredAt', 'is not', null), eb('expiresAt', '>', nowIso)]),
          ]),
    )
    .executeTakeFirst();
  return row?.actionId;
}

function inProgressError(actionId: string | undefined): AttacheError {
  return new AttacheError(
    'ACTION_IN_PROGRESS',
    `action ${actionId ?? '(another)'} of this kind is pending, in progress, or cancelled and not yet confirmed by the device`,
    {
      details: actionId ? [{ path: 'actionId', message: actionId }] : [],
    },
  );
}

export async function createAction(db: Db, action: NewAction): Promise<void> {
  try {
    await inTransaction(db, async (trx) => {
      const device = await trx.selectFrom('devices').select('deviceId').where('deviceId', '=', action.deviceId).executeTakeFirst();
      if (!device) throw new AttacheError('NOT_FOUND', `device ${action.deviceId} does not exist`);
      const open = await inFlight(trx, action.deviceId, action.family, action.createdAt);
      if (open) throw inProgressError(open);
      // A device leaving management takes nothing new (review 17b #1): an isolate after the offboard would outlive the agent.
      const offboarding = await inFlight(trx, action.deviceId, 'offboard');
      if (offboarding) {
        throw new AttacheError('ACTION_IN_PROGRESS', `offboard ${offboarding} of this device is pending or in progress; nothing was queued`, {
          details: [{ path: 'actionId', message: offboarding }],
        });
      }
      await trx
        .insertInto('deviceActions')
        .values({
          actionId: action.actionId,
          deviceId: action.deviceId,
          type: action.type,
          family: action.family,
          status: 'pending',
          parameters: JSON.stringify(action.parameters),
          envelope: JSON.stringify(action.envelope),
          requestorId: action.requestor.adminId,
          requestor: action.requestor.username,
          requestorComment: action.requestorComment,
          createdAt: action.createdAt,
          updatedAt: action.createdAt,
          expiresAt: action.expiresAt,
          deliveredAt: null,
          startedAt: null,
          completedAt: null,
          lastSequence: 0,
          progress: null,
          result: null,
          error: null,
          lateResult: null,
          cancellation: null,
          cancelEnvelope: null,
          cancelPending: 0,
        })
        .execute();
    });
  } catch (err) {
    // Another replica inserted between our check and our insert: the partial unique index refused this one.
    if (isUniqueViolation(err)) throw inProgressError(await inFlight(db, action.deviceId, action.family));
    throw err;
  }
}

export async function getAction(db: Db | Transaction<Database>, actionId: string): Promise<ActionRecord | undefined> {
  const row = await selectActions(db).where('a.actionId', '=', actionId).executeTakeFirst();
  return row ? recordFromRow(row as Row) : undefined;
}

export async function listActions(db: Db, filter: ActionFilter): Promise<ActionRecord[]> {
  let query = selectActions(db);
  if (filter.deviceId !== undefined) query = query.where('a.deviceId', '=', filter.deviceId);
  if (filter.type !== undefined) query = query.where('a.type', '=', filter.type);
  if (filter.status !== undefined) query = query.where('a.status', '=', filter.status);
  if (filter.requestor !== undefined) query = query.where('a.requestor', '=', filter.requestor);
  const scope = filter.scopeGroupIds;
  if (scope !== null && scope !== undefined) {
    if (scope.length === 0) return [];
    query = query.where(
      'a.deviceId',
      'in',
      db
        .selectFrom('groupMembers')
        .select('deviceId')
        .where('groupId', 'in', [...scope]),
    );
  }
  const before = filter.before;
  if (before)
    query = query.where((eb) =>
      eb.or([eb('a.createdAt', '<', before.createdAt), eb.and([eb('a.createdAt', '=', before.createdAt), eb('a.actionId', '<', before.actionId)])]),
    );
  const rows = await query.orderBy('a.createdAt', 'desc').orderBy('a.actionId', 'desc').limit(filter.limit).execute();
  return rows.map((r) => recordFromRow(r as Row));
}

export async function deliverableActions(db: Db, deviceId: string, nowIso: string, limit: number): Promise<DeliverableAction[]> {
  const rows = await db
    .selectFrom('deviceActions')
    .select(['actionId', 'status', 'envelope', 'cancelEnvelope', 'cancelPending', 'deliveredAt', 'createdAt', 'expiresAt', 'type', 'deviceId'])
    .where('deviceId', '=', deviceId)
    .where('expiresAt', '>', nowIso)
    .where((eb) => eb.or([eb('status', 'in', OPEN), eb('cancelPending', '=', 1)]))
    // Actions first, then cancels (review 17b #3): cancels never take the slots of actions still to run.
    .orderBy('cancelPending')
    .orderBy('createdAt')
    .orderBy('actionId')
    .limit(limit)
    .execute();
  return rows.map((row) => {
    const where = { table: 'device_actions', id: row.actionId };
    const cancel = row.cancelPending === 1 && row.cancelEnvelope !== null;
    return {
      actionId: row.actionId,
      kind: cancel ? 'cancel' : 'action',
      envelope: parseStoredJson<SignedAction>(cancel ? (row.cancelEnvelope as string) : row.envelope, {
        ...where,
        column: cancel ? 'cancelEnvelope' : 'envelope',
      }),
      deliveredAt: row.deliveredAt,
      createdAt: row.createdAt,
    };
  });
}

export async function markActionsDelivered(db: Db, actionIds: readonly string[], atIso: string): Promise<void> {
  for (const batch of chunks(actionIds, 500)) {
    await db.updateTable('deviceActions').set({ deliveredAt: atIso }).where('actionId', 'in', batch).where('deliveredAt', 'is', null).execute();
  }
}

/** Statuses after which an investigation package is of no use: its chunks are deleted (review 17b #14). */
const ENDED_WITHOUT_SUCCESS: readonly ActionStatus[] = ['failed', 'cancelled', 'timeOut'];

async function writeChange(trx: Transaction<Database>, actionId: string, change: ActionChange): Promise<void> {
  await trx.updateTable('deviceActions').set(columnsOf(change)).where('actionId', '=', actionId).execute();
  if (change.status !== undefined && ENDED_WITHOUT_SUCCESS.includes(change.status)) await discardPackage(trx, actionId);
}

export function applyActionUpdates<U extends { readonly actionId: string }>(
  db: Db,
  deviceId: string,
  updates: readonly U[],
  decide: (current: ActionRecord, update: U) => UpdateDecision,
): Promise<UpdateDecision[]> {
  return inTransaction(db, async (trx) => {
    const decisions: UpdateDecision[] = [];
    for (const update of updates) {
      const current = await getAction(trx, update.actionId);
      if (!current || current.deviceId !== deviceId) {
        throw new AttacheError('ACTION_NOT_FOUND', `no action ${update.actionId} for this device`, {
          details: [{ path: 'actionId', message: update.actionId }],
        });
      }
      const decision = decide(current, update);
      if (decision.change) await writeChange(trx, current.actionId, decision.change);
      if (decision.discardPackage) await discardPackage(trx, current.actionId);
      if (decision.offboardDevice)
        await trx
          .updateTable('devices')
          .set({ offboardedAt: decision.change?.updatedAt ?? current.updatedAt })
          .where('deviceId', '=', deviceId)
          .execute();
      decisions.push(decision);
    }
    return decisions;
  });
}

export function changeAction(db: Db, actionId: string, decide: (current: ActionRecord) => ActionChange): Promise<ActionRecord> {
  return inTransaction(db, async (trx) => {
    const current = await getAction(trx, actionId);
    if (!current) throw new AttacheError('ACTION_NOT_FOUND', `no action ${actionId}`);
    await writeChange(trx, actionId, decide(current));
    return (await getAction(trx, actionId)) as ActionRecord;
  });
}

export async function timeOutActions(db: Db, nowIso: string): Promise<string[]> {
  return inTransaction(db, async (trx) => {
    const due = await trx.selectFrom('deviceActions').select(['actionId', 'deviceId']).where('status', 'in', OPEN).where('expiresAt', '<=', nowIso).execute();
    if (due.length === 0) return [];
    for (const batch of chunks(
      due.map((d) => d.actionId),
      500,
    )) {
      await trx
        .updateTable('deviceActions')
        .set({ status: 'timeOut', completedAt: nowIso, updatedAt: nowIso })
        .where('actionId', 'in', batch)
        .where('status', 'in', OPEN)
        .execute();
      await trx.deleteFrom('actionPackageChunks').where('actionId', 'in', batch).execute();
      await trx.deleteFrom('actionPackages').where('actionId', 'in', batch).execute();
    }
    return [...new Set(due.map((d) => d.deviceId))];
  });
}
