// What a signed device asks for during a sync: its assigned policy set (with etag) and the acceptance of its report.

import { isoNow } from '../../../common/clock.js';
import { AttacheError } from '../../../common/errors.js';
import { validate } from '../../../common/validation.js';
import { type ReportAck, StatusReport } from '../../../policy-schemas/src/index.js';
import type { DeviceRecord } from '../store/store.js';
import type { ServiceContext } from './context.js';
import type { DeviceSetView } from './device-sets.js';
import { refreshDeviceMemberships } from './membership.js';

/** The device's set as its fetch answers it (service/device-sets.ts keeps it per device until something changes). */
export function assignedPolicies(ctx: ServiceContext, device: DeviceRecord): Promise<DeviceSetView> {
  return ctx.sets.view(device);
}

/** Validates and stores a status report of the signing device (`signer`: its record, when the caller has read it); idempotent by reportId. */
export async function acceptReport(ctx: ServiceContext, signerId: string, body: unknown, signer?: DeviceRecord): Promise<ReportAck> {
  // The push channel has just read the device (its per-request revocation check): not read a second time.
  const before = signer ?? (await ctx.store.getDevice(signerId));
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
  // What a status report can change for compliance is the agent version (minAgentVersion): re-evaluated when it moved;
  // and a conflict on a setting a compliance check rests on (onReport re-evaluates only when one is reported or ends).
  // Its being a check-in is handled for every request (compliance.onCheckin re-evaluates a device that was
  // noncompliant for not checking in), and time-based rules by the compliance timer: any other report changes no input
  // of the evaluation, so it is not evaluated again (issue 13: CPU per delivered change).
  if (!outcome.duplicate && !outcome.stale && before?.agentVersion !== report.agentVersion) await ctx.compliance.evaluate(signerId, 'status');
  else if (!outcome.duplicate && !outcome.stale) await ctx.compliance.onReport(signerId, report.settings);
  ctx.logger.info('report received', {
    component: 'reports',
    deviceId: signerId,
    reportId: report.reportId,
    settings: report.settings.length,
    ...outcome,
  });
  return { reportId: report.reportId, ...outcome };
}
