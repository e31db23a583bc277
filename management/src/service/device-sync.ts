// What a signed device asks for during a sync: its assigned policy set (with etag) and the acceptance of its report.

import { isoNow } from '../../../common/clock.js';
import { AttacheError } from '../../../common/errors.js';
import { validate } from '../../../common/validation.js';
import { type ReportAck, type SignedPolicy, StatusReport } from '../../../policy-schemas/src/index.js';
import type { ServiceContext } from './context.js';
import { policiesEtag } from './device-views.js';
import { refreshDeviceMemberships } from './membership.js';

/** The latest version of every policy assigned to the device, and the etag of that set. */
export async function assignedPolicies(ctx: ServiceContext, deviceId: string): Promise<{ etag: string; policies: SignedPolicy[] }> {
  const policies = await ctx.store.policiesForDevice(deviceId);
  return { etag: policiesEtag(policies), policies };
}

/** Validates and stores a status report of the signing device; idempotent by reportId. */
export async function acceptReport(ctx: ServiceContext, signerId: string, body: unknown): Promise<ReportAck> {
  const before = await ctx.store.getDevice(signerId);
  const report = validate(StatusReport, body, 'status report');
  if (report.deviceId !== signerId) {
    throw new AttacheError('SCHEMA_INVALID', 'status report is invalid: /deviceId must be the signing device', {
      details: [{ path: '/deviceId', message: 'must be the signing device' }],
    });
  }
  const outcome = await ctx.store.recordReport(report, isoNow(ctx.clock));
  // A new agent version can move the device in or out of dynamic groups with agentVersion rules.
  if (before && !outcome.duplicate && !outcome.stale && before.agentVersion !== report.agentVersion) {
    await refreshDeviceMemberships(ctx, { ...before, agentVersion: report.agentVersion }, isoNow(ctx.clock));
  }
  // A status report is a check-in and may carry a new agent version (minAgentVersion): compliance is re-evaluated.
  if (!outcome.duplicate && !outcome.stale) await ctx.compliance.evaluate(signerId, 'status');
  ctx.logger.info('report received', {
    component: 'reports',
    deviceId: signerId,
    reportId: report.reportId,
    settings: report.settings.length,
    ...outcome,
  });
  return { reportId: report.reportId, ...outcome };
}
