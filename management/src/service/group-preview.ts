// Live member preview of a dynamic group rule (POST /v1/admin/groups/preview): the devices in the admin's scope that
// the rule would make members now, by hostname, one page at a time. Matched by membership.ts's ruleMembers, so the
// preview is what saving the rule would do; nothing is stored.
import { validate } from '../../../common/validation.js';
import { GroupPreviewQuery, type GroupRulePreview, GroupRuleRequest } from '../../../policy-schemas/src/index.js';
import type { DeviceKey } from '../store/device-query.js';
import type { DeviceWithGroups } from '../store/store.js';
import type { ServiceContext } from './context.js';
import { decodeDeviceCursor, encodeDeviceCursor, pageSize, refuseUnknown, single } from './device-list-query.js';
import { deviceView } from './device-views.js';
import { connectedDevices } from './directory.js';
import { type DeviceScope, devicesInScope } from './identity/scope.js';
import { ruleMembers } from './membership.js';

/** Hostname order, then device id (the key a cursor carries). */
function compareKey(a: DeviceKey, b: DeviceKey): number {
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  return a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0;
}

const keyOf = (d: DeviceWithGroups): DeviceKey => ({ value: d.hostname, deviceId: d.deviceId });

/**
 * The page of `query` (`limit`, `cursor`, as the device list takes them) of the devices in `scope` that the rule of
 * `body` (urn:attache:group-rule-request, validated as PUT /groups/:id/rule validates it) matches.
 */
export async function previewGroupRule(
  ctx: ServiceContext,
  body: unknown,
  query: Readonly<Record<string, unknown>>,
  scope: DeviceScope,
): Promise<GroupRulePreview> {
  const { rule } = validate(GroupRuleRequest, body, 'group rule');
  refuseUnknown(query, Object.keys(GroupPreviewQuery.properties));
  const limit = pageSize(single(query, 'limit'));
  const cursor = single(query, 'cursor');
  const after = cursor ? decodeDeviceCursor(cursor, 'hostname', 'asc') : undefined;
  const listing = await ctx.store.listDevices();
  const matched = ruleMembers(await devicesInScope(ctx, listing.devices, scope), rule).sort((a, b) => compareKey(keyOf(a), keyOf(b)));
  const from = after ? matched.findIndex((d) => compareKey(keyOf(d), after) > 0) : 0;
  const start = from < 0 ? matched.length : from;
  const page = matched.slice(start, start + limit);
  const last = page.at(-1);
  const connected = await connectedDevices(
    ctx,
    page.map((d) => d.deviceId),
  );
  return {
    devices: page.map((d) => deviceView(d, d.groups, connected.has(d.deviceId))),
    total: matched.length,
    nextCursor: last && start + limit < matched.length ? encodeDeviceCursor('hostname', 'asc', keyOf(last)) : null,
    // A scoped admin is not told about rows it might not be allowed to see (as the device list).
    problems: scope === null ? listing.problems : [],
  };
}
