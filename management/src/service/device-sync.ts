// What a signed device asks for during a sync: its assigned policy set (with etag) and the acceptance of its report.

import { canonicalJson } from '../../../common/canonical-json.js';
import { isoNow } from '../../../common/clock.js';
import { AttacheError } from '../../../common/errors.js';
import { sha256Hex, signBytes } from '../../../common/signing.js';
import { validate } from '../../../common/validation.js';
import {
  type PolicySetManifest,
  type ReportAck,
  type SignedPolicy,
  type SignedPolicySetManifest,
  type SignedSigningKeyAnnouncement,
  StatusReport,
} from '../../../policy-schemas/src/index.js';
import type { DeviceRecord } from '../store/store.js';
import type { ServiceContext } from './context.js';
import { refreshDeviceMemberships } from './membership.js';

/** What a device's fetch answers: the signed set, its signed manifest, the signing-key chain and the etag of all that. */
export interface DeviceSetView {
  readonly etag: string;
  readonly manifest: SignedPolicySetManifest;
  readonly policies: SignedPolicy[];
  readonly signingKeys: SignedSigningKeyAnnouncement[];
  /** An admin asked the device to rotate its key. */
  readonly rotateDeviceKey: boolean;
}

/**
 * The latest version of every policy assigned to the device, and the manifest that binds the list to the device:
 * (device, tenant, set version, assigned ids and versions), signed with the policy-signing key. The manifest lists what
 * is assigned even when a payload cannot be loaded, so the agent refuses an incomplete set instead of un-applying.
 */
export async function assignedPolicies(ctx: ServiceContext, device: DeviceRecord): Promise<DeviceSetView> {
  const { deviceId } = device;
  await ctx.signingKeys.advance(ctx.clock.now());
  const set = await ctx.store.policySetForDevice(deviceId, isoNow(ctx.clock));
  const payload: PolicySetManifest = {
    deviceId,
    tenantId: ctx.identity.tenantId,
    setVersion: set.setVersion,
    issuedAt: set.issuedAt,
    policies: [...set.entries],
  };
  const keys = ctx.signingKeys.active();
  const manifest = { payload, keyId: keys.keyId, signature: signBytes(keys.privateKey, canonicalJson(payload)) };
  const signingKeys = ctx.signingKeys.announcements();
  const rotateDeviceKey = device.keyRotationRequestedAt !== undefined;
  // The etag covers what a 304 would hide: the set, the key that signs it, the chain and a pending rotation request.
  const etag = `"${sha256Hex(`${set.setVersion}:${set.digest}:${keys.keyId}:${signingKeys.length}:${rotateDeviceKey}`)}"`;
  return { etag, manifest, policies: set.policies.map((p) => ctx.signingKeys.resign(p)), signingKeys, rotateDeviceKey };
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
