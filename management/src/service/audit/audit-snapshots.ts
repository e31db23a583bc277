// Before/after snapshots of an audited admin write, per target type: the target as an admin reads it through the API
// (policy summary with settings, group with up to 100 members, device view, …), read before the handler runs and
// after it answered. A target that does not exist (yet, or any more) is null. Secrets are removed later by record().
import { AttacheError } from '../../../../common/errors.js';
import { requireCompliancePolicy } from '../compliance/compliance-policies.js';
import type { ServiceContext } from '../context.js';
import { signingKeyState } from '../device-keys.js';
import { getDevice } from '../directory.js';
import { accountView } from '../identity/admins.js';
import { apiTokenView } from '../identity/api-tokens.js';
import { policySummary } from '../policies.js';

/** Members a group snapshot lists (memberCount says how many there are in all). */
export const SNAPSHOT_GROUP_MEMBERS = 100;

/** Target types whose state the audit can read. */
export type SnapshotTargetType = keyof typeof LOADERS;

type Loader = (ctx: ServiceContext, id: string) => Promise<unknown>;

const LOADERS = {
  policy: async (ctx, id) => {
    const record = await ctx.store.getPolicy(id);
    return record ? policySummary(record) : null;
  },
  group: async (ctx, id) => {
    const group = await ctx.store.getGroup(id);
    if (!group) return null;
    const members = (await ctx.store.deviceIdsInGroup(id)).sort();
    return { ...group, members: members.slice(0, SNAPSHOT_GROUP_MEMBERS), ...(members.length > SNAPSHOT_GROUP_MEMBERS ? { membersTruncated: true } : {}) };
  },
  assignment: async (ctx, id) => (await ctx.store.listAssignments()).find((a) => a.assignmentId === id) ?? null,
  device: (ctx, id) => getDevice(ctx, id),
  compliancePolicy: (ctx, id) => requireCompliancePolicy(ctx, id),
  complianceAssignment: async (ctx, id) => (await ctx.store.listComplianceAssignments()).find((a) => a.assignmentId === id) ?? null,
  accessToken: async (ctx, id) => (await ctx.accessTokens.list()).find((t) => t.tokenId === id) ?? null,
  admin: async (ctx, id) => {
    const admin = await ctx.store.getAdmin(id);
    return admin ? accountView(admin) : null;
  },
  apiToken: async (ctx, id) => {
    const token = (await ctx.store.listAdminApiTokens()).find((t) => t.tokenId === id);
    return token ? apiTokenView(token) : null;
  },
  // One state for the whole endpoint: the id (the announced key) does not narrow it.
  signingKey: (ctx) => signingKeyState(ctx),
} satisfies Record<string, Loader>;

/** True when the audit can read targets of `type`. */
export function hasSnapshot(type: string): type is SnapshotTargetType {
  return Object.hasOwn(LOADERS, type);
}

/**
 * The current state of the target, or null when it does not exist. A target that cannot be read for another reason
 * (a corrupt row) is recorded as that error's code rather than failing the audited request.
 */
export async function loadSnapshot(ctx: ServiceContext, type: SnapshotTargetType, id: string | null): Promise<unknown> {
  if (id === null && type !== 'signingKey') return null;
  try {
    return await LOADERS[type](ctx, id ?? '');
  } catch (err) {
    if (err instanceof AttacheError && err.code === 'NOT_FOUND') return null;
    return { unreadable: err instanceof AttacheError ? err.code : 'INTERNAL' };
  }
}
