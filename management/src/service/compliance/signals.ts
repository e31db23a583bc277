// What devices upload beyond policy status: alert reports (idempotent by reportId; stale ones move nothing), health and
// inventory (latest wins by collection time). Each accepted upload re-evaluates the device's compliance before the
// answer, so the access decision has moved by the time the device hears back.

import { isoNow } from '../../../../common/clock.js';
import { AttacheError } from '../../../../common/errors.js';
import { validate } from '../../../../common/validation.js';
import { AlertReport, type AlertReportAck, HealthUpload, InventoryUpload } from '../../../../policy-schemas/src/index.js';
import type { ServiceContext } from '../context.js';
import { triagedAlertsOf } from './alert-triage.js';
import { riskLevelOf } from './risk.js';
import { countingAlerts } from './triage.js';

/** SCHEMA_INVALID unless the upload names the device that signed it. */
export function requireSigner(what: string, deviceId: string, signerId: string): void {
  if (deviceId !== signerId) {
    throw new AttacheError('SCHEMA_INVALID', `${what} is invalid: /deviceId must be the signing device`, {
      details: [{ path: '/deviceId', message: 'must be the signing device' }],
    });
  }
}

/** POST /v1/device/alerts: stores the report and answers with the risk level computed from the stored alerts. */
export async function acceptAlertReport(ctx: ServiceContext, signerId: string, body: unknown): Promise<AlertReportAck> {
  const report = validate(AlertReport, body, 'alert report');
  requireSigner('alert report', report.deviceId, signerId);
  const outcome = await ctx.store.recordAlertReport(report, isoNow(ctx.clock));
  // The endpoint trusts its stored alerts, not the level the agent claims; a duplicate or stale report changed nothing.
  const state = outcome.duplicate || outcome.stale ? undefined : await ctx.compliance.evaluate(signerId, 'alerts');
  const riskLevel = state?.riskLevel ?? riskLevelOf(countingAlerts(await triagedAlertsOf(ctx, signerId)));
  const log = { component: 'signals', deviceId: signerId, reportId: report.reportId, alerts: report.alerts.length, riskLevel, ...outcome };
  if (!outcome.duplicate && !outcome.stale && riskLevel !== report.riskLevel) {
    ctx.logger.warn('alert report risk level differs from stored alerts', { ...log, agentRiskLevel: report.riskLevel });
  } else ctx.logger.info('alert report received', log);
  return { reportId: report.reportId, ...outcome, riskLevel };
}

/** POST /v1/device/health. */
export async function acceptHealth(ctx: ServiceContext, signerId: string, body: unknown): Promise<void> {
  const upload = validate(HealthUpload, body, 'health upload');
  requireSigner('health upload', upload.deviceId, signerId);
  const stored = await ctx.store.recordHealth(signerId, upload.health, isoNow(ctx.clock));
  if (stored) await ctx.compliance.evaluate(signerId, 'health');
  ctx.logger.debug('health received', { component: 'signals', deviceId: signerId, stored });
}

/** POST /v1/device/inventory. */
export async function acceptInventory(ctx: ServiceContext, signerId: string, body: unknown): Promise<void> {
  const upload = validate(InventoryUpload, body, 'inventory upload');
  requireSigner('inventory upload', upload.deviceId, signerId);
  const stored = await ctx.store.recordInventory(signerId, upload.inventory, isoNow(ctx.clock));
  if (stored) await ctx.compliance.evaluate(signerId, 'inventory');
  ctx.logger.info('inventory received', { component: 'signals', deviceId: signerId, stored, hash: upload.inventory.hash });
}
