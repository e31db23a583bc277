// What admins see of a device's signals and compliance (alerts: alert-triage.ts): the latest health and inventory,
// and the compliance state with reasons, per-policy results and transitions.
import { AttacheError } from '../../../../common/errors.js';
import type { ComplianceOverview, DeviceCompliance, DeviceHealthView, DeviceInventoryView } from '../../../../policy-schemas/src/index.js';
import type { ServiceContext } from '../context.js';
import { requireDevice } from '../directory.js';
import { type DeviceScope, devicesInScope } from '../identity/scope.js';
import { accessDecision } from './evaluate.js';

/** Transitions shown per device. */
export const TRANSITIONS_SHOWN = 50;

/** GET /v1/admin/devices/:id/health. */
export async function getDeviceHealth(ctx: ServiceContext, deviceId: string): Promise<DeviceHealthView> {
  await requireDevice(ctx, deviceId);
  const { health } = await ctx.store.getSignals(deviceId);
  return { deviceId, receivedAt: health?.receivedAt ?? null, health: health?.value ?? null };
}

/** GET /v1/admin/devices/:id/inventory. */
export async function getDeviceInventory(ctx: ServiceContext, deviceId: string): Promise<DeviceInventoryView> {
  await requireDevice(ctx, deviceId);
  const { inventory } = await ctx.store.getSignals(deviceId);
  return { deviceId, receivedAt: inventory?.receivedAt ?? null, inventory: inventory?.value ?? null };
}

/** GET /v1/admin/devices/:id/compliance (evaluates the device first if it never was). */
export async function getDeviceCompliance(ctx: ServiceContext, deviceId: string): Promise<DeviceCompliance> {
  await requireDevice(ctx, deviceId);
  const state = (await ctx.store.getComplianceState(deviceId)) ?? (await ctx.compliance.evaluate(deviceId, 'admin'));
  if (!state) throw new AttacheError('NOT_FOUND', `device ${deviceId} does not exist`);
  const transitions = await ctx.store.listComplianceTransitions(deviceId, TRANSITIONS_SHOWN);
  return {
    deviceId,
    state: state.state,
    decision: accessDecision(state).decision,
    riskLevel: state.riskLevel,
    reasons: [...state.reasons],
    policies: [...state.policies],
    evaluatedAt: state.evaluatedAt,
    evidenceAt: state.evidenceAt,
    nextEvaluationAt: state.nextEvaluationAt,
    transitions,
  };
}

/** GET /v1/admin/compliance/devices: every device with its precomputed decision (no evaluation, no per-device query). */
export async function getComplianceOverview(ctx: ServiceContext, scope?: DeviceScope): Promise<ComplianceOverview> {
  const devices = await devicesInScope(ctx, (await ctx.store.listDevices()).devices, scope);
  return {
    devices: devices.flatMap((d) => {
      const decision = ctx.compliance.decision(d.deviceId);
      if (!decision) return [];
      const { complianceState, riskLevel, evaluatedAt, reasons } = decision;
      return [
        {
          deviceId: d.deviceId,
          hostname: d.hostname,
          platform: d.platform,
          decision: decision.decision,
          complianceState,
          riskLevel,
          evaluatedAt,
          firstReason: reasons[0] ?? null,
        },
      ];
    }),
  };
}
