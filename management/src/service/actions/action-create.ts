// Creating a response action (POST /v1/admin/devices/:id/<type>) and cancelling one (POST /v1/admin/actions/:id/cancel):
// every refusal before anything is stored (bad body, unknown, revoked or offboarded device, one of the family in
// flight), the envelope signed once and stored, then pushed to the device at once. docs/actions.md "Action center (API)".
import { randomUUID } from 'node:crypto';
import { cancelRefusal } from '../../../../common/action-state.js';
import { isoNow } from '../../../../common/clock.js';
import { AttacheError } from '../../../../common/errors.js';
import { validate } from '../../../../common/validation.js';
import {
  ACTION_TYPES,
  type ActionPayload,
  ActionRequestBodies,
  type ActionType,
  CancelActionRequest,
  type MachineAction,
} from '../../../../policy-schemas/src/index.js';
import type { ActionAdmin } from '../../store/action-store.js';
import type { AdminPrincipal } from '../admin-principal.js';
import type { ServiceContext } from '../context.js';
import { authorizeRoute } from '../identity/roles.js';
import { pushActions } from './action-delivery.js';
import { ACTION_TTL_MS, DEFAULT_PACKAGE_MAX_BYTES, familyOf, signAction } from './action-envelope.js';
import { machineAction, scopedAction, timeOutDue } from './action-views.js';
import { updatePackages } from './update-software.js';

/** Who asks: the admin signed in, or `admin` for the endpoint's admin token. */
export function adminOf(admin: AdminPrincipal | undefined): ActionAdmin {
  return admin ? { adminId: admin.adminId, username: admin.username } : { adminId: null, username: 'admin' };
}

/** The parameters the device receives, from a validated request body. */
function parametersOf(ctx: ServiceContext, type: ActionType, body: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case 'isolate':
      return { mode: body.isolationType ?? 'full' };
    case 'runAntivirusScan':
      return { scanType: body.scanType ?? 'quick' };
    case 'collectInvestigationPackage':
      return { maxBytes: ctx.actionSettings?.packageMaxBytes ?? DEFAULT_PACKAGE_MAX_BYTES };
    case 'stopAndQuarantineFile':
      return { sha256: body.sha256, ...(body.path !== undefined ? { path: body.path } : {}) };
    case 'restoreFromQuarantine':
      return { quarantineId: body.quarantineId };
    default:
      return {};
  }
}

/** updateSoftware's parameters: the request's names checked against the device's last software upload. */
async function updateSoftwareParameters(
  ctx: ServiceContext,
  deviceId: string,
  body: Record<string, unknown>,
  taskId?: string,
): Promise<Record<string, unknown>> {
  const requested = body.packages as { name: string; fixedVersion?: string }[];
  const packages = await updatePackages(ctx.store, deviceId, requested);
  return { packages, ...(taskId ? { taskId } : {}) };
}

/** What a caller inside the endpoint adds to a request (a security task remediating: its id in the parameters). */
export interface CreateActionOptions {
  readonly taskId?: string;
}

/** POST /v1/admin/devices/:id/<type>: 201 with the new action. */
export async function createAction(
  ctx: ServiceContext,
  admin: AdminPrincipal | undefined,
  deviceId: string,
  type: ActionType,
  rawBody: unknown,
  options: CreateActionOptions = {},
): Promise<MachineAction> {
  if (!ACTION_TYPES.includes(type)) throw new AttacheError('ACTION_INVALID', `unknown action type ${String(type).slice(0, 64)}`);
  const body = validate(ActionRequestBodies[type], rawBody ?? {}, `${type} request`, 'ACTION_INVALID') as Record<string, unknown>;
  const device = await ctx.store.getDevice(deviceId);
  if (!device) throw new AttacheError('NOT_FOUND', `device ${deviceId} does not exist`);
  if (device.revoked) throw new AttacheError('DEVICE_REVOKED', `device ${deviceId} was revoked; nothing was queued`);
  if (device.offboardedAt) throw new AttacheError('DEVICE_OFFBOARDED', `device ${deviceId} was offboarded at ${device.offboardedAt}; nothing was queued`);
  // Expired actions free their family first, so a timed-out one does not hold the next.
  await timeOutDue(ctx);
  const now = ctx.clock.now();
  const requestor = adminOf(admin);
  const actionId = randomUUID();
  const createdAt = new Date(now).toISOString();
  const expiresAt = new Date(now + ACTION_TTL_MS).toISOString();
  const parameters = type === 'updateSoftware' ? await updateSoftwareParameters(ctx, deviceId, body, options.taskId) : parametersOf(ctx, type, body);
  const payload = {
    purpose: 'attache-action',
    actionId,
    deviceId,
    tenantId: ctx.identity.tenantId,
    type,
    parameters,
    requestor: requestor.username,
    requestorComment: body.comment as string,
    issuedAt: createdAt,
    expiresAt,
  } as ActionPayload;
  const envelope = signAction(payload, ctx.signingKeys);
  await ctx.store.createAction({
    actionId,
    deviceId,
    type,
    family: familyOf(type),
    parameters,
    envelope,
    requestor,
    requestorComment: body.comment as string,
    createdAt,
    expiresAt,
  });
  ctx.logger.info('action created', { component: 'actions', actionId, deviceId, type, requestor: requestor.username });
  await pushActions(ctx, deviceId);
  const created = await ctx.store.getAction(actionId);
  if (!created) throw new AttacheError('INTERNAL', `action ${actionId} was stored but cannot be read back`);
  return machineAction(created);
}

/**
 * POST /v1/admin/actions/:id/cancel: ACTION_NOT_CANCELLABLE as common/action-state.ts cancelRefusal says; otherwise the
 * action is cancelled at once and a signed `cancel` envelope (new action id, same expiresAt) is delivered until the
 * device reports on the action after the cancellation.
 */
export async function cancelAction(ctx: ServiceContext, admin: AdminPrincipal | undefined, actionId: string, rawBody: unknown): Promise<MachineAction> {
  const body = validate(CancelActionRequest, rawBody ?? {}, 'cancel request');
  await timeOutDue(ctx);
  const target = await scopedAction(ctx, admin, actionId);
  // As in Defender, cancelling needs the permission that creates the action (review 17b #4): an Endpoint Security
  // Manager must not undo an Administrator's offboard, nor a role without actions.isolate an isolation.
  if (admin) authorizeRoute(admin, 'POST', `/v1/admin/devices/:id/${target.type}`);
  const at = isoNow(ctx.clock);
  const requestor = adminOf(admin);
  const record = await ctx.store.changeAction(actionId, (current) => {
    const refusal = cancelRefusal(current.type, current.status);
    if (refusal) throw new AttacheError('ACTION_NOT_CANCELLABLE', `action ${actionId} cannot be cancelled: ${refusal}`);
    const payload = {
      purpose: 'attache-action',
      actionId: randomUUID(),
      deviceId: current.deviceId,
      tenantId: ctx.identity.tenantId,
      type: 'cancel',
      parameters: { actionId },
      requestor: requestor.username,
      requestorComment: body.comment,
      issuedAt: at,
      expiresAt: current.expiresAt,
    } as ActionPayload;
    return {
      status: 'cancelled',
      completedAt: at,
      cancellation: { requestor, comment: body.comment, at },
      cancelEnvelope: signAction(payload, ctx.signingKeys),
      cancelPending: true,
      updatedAt: at,
    };
  });
  ctx.logger.info('action cancelled', { component: 'actions', actionId, deviceId: record.deviceId, requestor: requestor.username });
  await pushActions(ctx, record.deviceId);
  return machineAction(record);
}
