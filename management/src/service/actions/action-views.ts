// The action center's reads: a stored action as Defender's MachineAction (camelCase, plus delivery and progress), the
// filtered, keyset-paged list (newest first; a scoped admin sees only its devices' actions) and one action. Expired
// unfinished actions are marked timeOut before every read, so a read never shows one still pending.
import { isoNow } from '../../../../common/clock.js';
import { AttacheError } from '../../../../common/errors.js';
import {
  ACTION_STATUSES,
  ACTION_TYPES,
  type ActionStatus,
  type ActionType,
  type MachineAction,
  type MachineActionList,
} from '../../../../policy-schemas/src/index.js';
import type { ActionRecord } from '../../store/action-store.js';
import type { AdminPrincipal } from '../admin-principal.js';
import type { ServiceContext } from '../context.js';
import { oneOf, pageSize, queryInvalid, refuseUnknown, single } from '../device-list-query.js';
import { requireDeviceInScope } from '../identity/scope.js';

export const DEFAULT_ACTION_PAGE = 50;
export const MAX_ACTION_PAGE = 200;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const QUERY_PARAMS = ['deviceId', 'type', 'status', 'requestor', 'cursor', 'limit'];

/** The action-center view of a stored action. */
export function machineAction(record: ActionRecord): MachineAction {
  return {
    id: record.actionId,
    type: record.type,
    deviceId: record.deviceId,
    deviceName: record.deviceName,
    parameters: { ...record.parameters },
    status: record.status,
    requestor: record.requestor,
    requestorComment: record.requestorComment,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    expiresAt: record.expiresAt,
    deliveredAt: record.deliveredAt,
    startedAt: record.startedAt,
    completedAt: record.completedAt,
    progress: record.progress,
    result: record.result,
    error: record.error,
    cancellation: record.cancellation,
    ...(record.lateResult ? { lateResult: record.lateResult } : {}),
    ...(record.type === 'collectInvestigationPackage'
      ? {
          package: {
            receivedBytes: record.package?.receivedBytes ?? 0,
            sizeBytes: record.package?.sizeBytes ?? null,
            available: record.package?.complete === true,
          },
        }
      : {}),
  };
}

/** Marks every expired unfinished action timeOut (the leader's ticker, and before each admin read). */
export async function timeOutDue(ctx: Pick<ServiceContext, 'store' | 'clock' | 'logger'>): Promise<string[]> {
  const devices = await ctx.store.timeOutActions(isoNow(ctx.clock));
  if (devices.length > 0) ctx.logger.info('actions timed out', { component: 'actions', devices: devices.length });
  return devices;
}

/** The action, or ACTION_NOT_FOUND (also for a scoped admin when its device is outside the scope). */
export async function scopedAction(ctx: ServiceContext, admin: AdminPrincipal | undefined, actionId: string): Promise<ActionRecord> {
  const notFound = () => new AttacheError('ACTION_NOT_FOUND', `no action ${actionId.slice(0, 64)}`);
  if (!UUID_RE.test(actionId)) throw notFound();
  const record = await ctx.store.getAction(actionId);
  if (!record) throw notFound();
  try {
    await requireDeviceInScope(ctx, record.deviceId, admin?.scopeGroupIds);
  } catch {
    throw notFound();
  }
  return record;
}

/** GET /v1/admin/actions/:id. */
export async function showAction(ctx: ServiceContext, admin: AdminPrincipal | undefined, actionId: string): Promise<MachineAction> {
  await timeOutDue(ctx);
  return machineAction(await scopedAction(ctx, admin, actionId));
}

/** A keyset cursor of (createdAt, uuid) as keysetCursor made it; QUERY_INVALID for anything else. */
export function cursorOf(cursor: string | undefined): { createdAt: string; actionId: string } | undefined {
  if (cursor === undefined) return undefined;
  const bad = queryInvalid('query parameter cursor is not a cursor this endpoint issued; pass the nextCursor of the previous page unchanged');
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad;
  try {
    const [createdAt, actionId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof actionId === 'string' && createdAt.length <= 40 && UUID_RE.test(actionId)) return { createdAt, actionId };
  } catch {
    // falls through to the refusal
  }
  throw bad;
}

/** The cursor of the page after the row (createdAt, id). */
export function keysetCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

/** GET /v1/admin/actions?deviceId&type&status&requestor&cursor&limit. */
export async function listActions(
  ctx: ServiceContext,
  admin: AdminPrincipal | undefined,
  query: Readonly<Record<string, unknown>>,
): Promise<MachineActionList> {
  refuseUnknown(query, QUERY_PARAMS);
  const deviceId = single(query, 'deviceId');
  if (deviceId !== undefined && !UUID_RE.test(deviceId)) throw queryInvalid('query parameter deviceId must be a device id (lowercase UUID)');
  const type = oneOf<ActionType>('type', single(query, 'type'), ACTION_TYPES);
  const status = oneOf<ActionStatus>('status', single(query, 'status'), ACTION_STATUSES);
  const requestor = single(query, 'requestor');
  if (requestor !== undefined && (requestor.length === 0 || requestor.length > 200)) throw queryInvalid('query parameter requestor must be 1–200 characters');
  const limit = pageSize(single(query, 'limit'), { defaultSize: DEFAULT_ACTION_PAGE, max: MAX_ACTION_PAGE });
  const before = cursorOf(single(query, 'cursor'));
  await timeOutDue(ctx);
  const rows = await ctx.store.listActions({
    ...(deviceId !== undefined ? { deviceId } : {}),
    ...(type !== undefined ? { type } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(requestor !== undefined ? { requestor } : {}),
    ...(before ? { before } : {}),
    scopeGroupIds: admin?.scopeGroupIds ?? null,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    actions: page.map(machineAction),
    nextCursor: rows.length > limit && last ? keysetCursor(last.createdAt, last.actionId) : null,
  };
}
