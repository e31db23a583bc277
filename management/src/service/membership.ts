// Keeps dynamic group memberships true to their rules, and nudges exactly the devices whose assigned policy set a
// change altered (Intune re-evaluates dynamic groups on attribute changes; the push hub tells the device at once).
import type { DynamicGroupRule } from '../../../policy-schemas/src/index.js';
import type { SyncReason } from '../push/push-hub.js';
import type { DeviceRecord } from '../store/store.js';
import type { ServiceContext } from './context.js';
import { policiesEtag } from './device-views.js';
import { matchingGroups, ruleMatches } from './targeting.js';

/**
 * Of `devices`, those a dynamic group with `rule` has as members: not revoked, and matching the rule. The one answer to
 * "who is in it", shared by the membership refresh and the rule preview (group-preview.ts).
 */
export function ruleMembers<T extends DeviceRecord>(devices: readonly T[], rule: DynamicGroupRule): T[] {
  return devices.filter((d) => !d.revoked && ruleMatches(rule, d));
}

/**
 * Runs `change`, then nudges each of `candidates` (plus any ids `change` returns) whose assigned policy set differs
 * from before. Returns how many nudges reached an open push channel.
 */
export async function nudgeAffected(
  ctx: ServiceContext,
  candidates: Iterable<string>,
  reason: SyncReason,
  change: () => Promise<Iterable<string> | undefined>,
): Promise<number> {
  const before = new Map<string, string>();
  for (const id of new Set(candidates)) before.set(id, policiesEtag(await ctx.store.policiesForDevice(id)));
  const more = (await change()) ?? [];
  for (const id of more) if (!before.has(id)) before.set(id, policiesEtag([]));
  const changed: string[] = [];
  for (const [id, etag] of before) if (policiesEtag(await ctx.store.policiesForDevice(id)) !== etag) changed.push(id);
  ctx.sets.invalidate(...changed);
  return changed.length === 0 ? 0 : ctx.hub.nudge(changed, reason);
}

/**
 * Re-evaluates every dynamic group for one device (enrollment, tag change, new agent version) and nudges it if needed.
 * A device whose groups changed may have other compliance policies: its compliance is re-evaluated too.
 */
export async function refreshDeviceMemberships(ctx: ServiceContext, device: DeviceRecord, at: string): Promise<number> {
  const { groups, problems } = await ctx.store.listDynamicGroups();
  const current = await ctx.store.groupIdsOfDevice(device.deviceId);
  // A group whose stored rule is corrupt cannot be evaluated: the device keeps its membership until the rule is replaced.
  const corrupt = new Set(problems.map((p) => p.id));
  const matched = [...matchingGroups(groups, device), ...current.filter((id) => corrupt.has(id))];
  const before = current.join(',');
  const nudged = await nudgeAffected(ctx, [device.deviceId], 'assignment-changed', async () => {
    await ctx.store.replaceDynamicMemberships(device.deviceId, matched, at);
    return undefined;
  });
  if ((await ctx.store.groupIdsOfDevice(device.deviceId)).join(',') !== before) await ctx.compliance.evaluate(device.deviceId, 'membership');
  return nudged;
}

/** Re-evaluates one dynamic group against every device (group created, rule changed) and nudges affected devices. */
export async function refreshGroupMembers(ctx: ServiceContext, groupId: string, at: string): Promise<number> {
  const rule = (await ctx.store.listDynamicGroups()).groups.find((g) => g.groupId === groupId)?.rule;
  if (!rule) return 0;
  const listing = await ctx.store.listDevices();
  const current = await ctx.store.deviceIdsInGroup(groupId);
  // A device whose stored row is corrupt cannot be matched: it keeps its membership until the row is readable again.
  const unreadable = new Set(listing.problems.map((p) => p.id));
  const members = [...ruleMembers(listing.devices, rule).map((d) => d.deviceId), ...current.filter((id) => unreadable.has(id))];
  const nudged = await nudgeAffected(ctx, [...current, ...members], 'assignment-changed', async () => {
    await ctx.store.replaceGroupMembers(groupId, members, at);
    return undefined;
  });
  // Devices that joined or left the group may have gained or lost compliance policies.
  const was = new Set(current);
  const now = new Set(members);
  await ctx.compliance.evaluateMany([...current.filter((id) => !now.has(id)), ...members.filter((id) => !was.has(id))], 'membership');
  return nudged;
}
