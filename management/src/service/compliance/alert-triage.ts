// Admin triage of one device's alerts (issue 17 §5): read an alert with its triage, comments and effect; change its
// status, classification, determination or assignee and comment on it (Defender's PATCH alert). A change re-evaluates
// the device at once, so risk level, compliance and the access decision have moved when the admin gets the answer.
import { isoNow } from '../../../../common/clock.js';
import { AttacheError } from '../../../../common/errors.js';
import { validate } from '../../../../common/validation.js';
import { Alert, AlertCommentRequest, AlertTriagePatch, type AlertTriageView, type DeviceAlerts } from '../../../../policy-schemas/src/index.js';
import type { StoredAlert } from '../../store/compliance-store.js';
import { COMMENTS_SHOWN } from '../../store/triage-store.js';
import type { AdminPrincipal } from '../admin-principal.js';
import type { ServiceContext } from '../context.js';
import { requireDevice } from '../directory.js';
import { riskLevelOf } from './risk.js';
import { applyTriagePatch, countingAlerts, type TriagedAlert, triageAlerts } from './triage.js';

const ALERT_ID = new RegExp(Alert.properties.alertId.pattern as string);

/** The device's stored alerts with their triage and effect (what risk and compliance count). */
export async function triagedAlertsOf(ctx: ServiceContext, deviceId: string): Promise<TriagedAlert<StoredAlert>[]> {
  const [alerts, triage, rules] = await Promise.all([
    ctx.store.listAlerts(deviceId),
    ctx.store.listAlertTriage(deviceId),
    ctx.store.suppressionRulesForDevice(deviceId),
  ]);
  return triageAlerts(deviceId, alerts, triage, rules, ctx.clock.now());
}

/** GET /v1/admin/devices/:id/alerts: every alert with its triage; the risk level counts only the effective ones. */
export async function getDeviceAlerts(ctx: ServiceContext, deviceId: string): Promise<DeviceAlerts> {
  await requireDevice(ctx, deviceId);
  const [alerts, signals] = await Promise.all([triagedAlertsOf(ctx, deviceId), ctx.store.getSignals(deviceId)]);
  const counting = countingAlerts(alerts);
  return {
    deviceId,
    riskLevel: riskLevelOf(counting),
    agentRiskLevel: signals.agentRiskLevel,
    lastAlertReportAt: signals.lastAlertReportAt,
    activeCount: counting.length,
    alerts,
  };
}

function requireAlertId(alertId: string): void {
  if (!ALERT_ID.test(alertId) || alertId.length > 200) {
    throw new AttacheError('SCHEMA_INVALID', 'alert id is invalid: /alertId must be an alert id such as posture.realTimeProtectionOff', {
      details: [{ path: '/alertId', message: 'must match the alert id pattern' }],
    });
  }
}

/** GET /v1/admin/devices/:id/alerts/:alertId. NOT_FOUND for an unknown device or an alert the device never reported. */
export async function getAlertTriageView(ctx: ServiceContext, deviceId: string, alertId: string): Promise<AlertTriageView> {
  requireAlertId(alertId);
  await requireDevice(ctx, deviceId);
  const alert = (await triagedAlertsOf(ctx, deviceId)).find((a) => a.alertId === alertId);
  if (!alert) throw new AttacheError('NOT_FOUND', `device ${deviceId} has no alert ${alertId}`);
  const { triage, effect, suppressedBy, ...stored } = alert;
  return { deviceId, alert: stored, triage, effect, suppressedBy, comments: await ctx.store.listAlertComments(deviceId, alertId, COMMENTS_SHOWN) };
}

/** PATCH /v1/admin/devices/:id/alerts/:alertId: stores the change and its history, then re-evaluates the device. */
export async function patchAlertTriage(
  ctx: ServiceContext,
  admin: Pick<AdminPrincipal, 'username'> | undefined,
  deviceId: string,
  alertId: string,
  body: unknown,
): Promise<AlertTriageView> {
  const patch = validate(AlertTriagePatch, body, 'alert triage change');
  requireAlertId(alertId);
  await requireDevice(ctx, deviceId);
  const actor = admin?.username ?? 'admin';
  const current = await ctx.store.getAlertTriage(deviceId, alertId);
  const { triage, comments } = applyTriagePatch(current, patch, actor, isoNow(ctx.clock));
  await ctx.store.saveAlertTriage(deviceId, alertId, triage ?? null, comments);
  if (triage) await ctx.compliance.evaluate(deviceId, 'triage');
  ctx.logger.info('alert triaged', { component: 'triage', deviceId, alertId, status: triage?.status, comment: patch.comment !== undefined });
  return getAlertTriageView(ctx, deviceId, alertId);
}

/** POST /v1/admin/devices/:id/alerts/:alertId/comments. */
export async function commentOnAlert(
  ctx: ServiceContext,
  admin: Pick<AdminPrincipal, 'username'> | undefined,
  deviceId: string,
  alertId: string,
  body: unknown,
): Promise<AlertTriageView> {
  const { comment } = validate(AlertCommentRequest, body, 'alert comment');
  requireAlertId(alertId);
  await requireDevice(ctx, deviceId);
  await ctx.store.saveAlertTriage(deviceId, alertId, null, [{ at: isoNow(ctx.clock), author: admin?.username ?? 'admin', text: comment }]);
  return getAlertTriageView(ctx, deviceId, alertId);
}
