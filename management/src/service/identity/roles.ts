// Built-in admin roles modelled on Intune's, the permissions each grants, and the permission every /v1/admin route
// needs (by method + route pattern). Deny by default: a route missing from ROUTE_PERMISSIONS is Administrator-only.
import { AttacheError } from '../../../../common/errors.js';
import type { AdminPrincipal, AdminRole } from '../admin-principal.js';

/** Everything an admin may be allowed to do; each route needs exactly one. */
export const PERMISSIONS = [
  'devices.read',
  'devices.sync',
  'devices.rotateKey',
  'devices.revoke',
  'devices.delete',
  'devices.tag',
  'alerts.triage',
  'suppressions.write',
  // Response actions (issue 17): Defender's "Active remediation actions" and "Alerts investigation" split by action.
  'actions.isolate',
  'actions.scan',
  'actions.collect',
  'actions.quarantine',
  'actions.offboard',
  'actions.cancel',
  'packages.download',
  // Vulnerability management (issue 18): the fleet views, advisory imports, security tasks and updateSoftware actions.
  'vulnerabilities.read',
  'vulnerabilities.import',
  'tasks.write',
  'actions.updateSoftware',
  'policies.read',
  'policies.write',
  'assignments.write',
  'groups.write',
  'whatIf.run',
  'compliancePolicies.write',
  'onboarding.write',
  'signingKey.read',
  'signingKey.rotate',
  'accessTokens.read',
  'accessTokens.write',
  'audit.read',
  'admins.read',
  'admins.write',
  'roles.read',
  'self',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What every role may read (Intune's Read Only Operator: view everything, change nothing). */
const READ: readonly Permission[] = [
  'devices.read',
  'vulnerabilities.read',
  'policies.read',
  'signingKey.read',
  'accessTokens.read',
  'audit.read',
  'roles.read',
  'self',
];

/** A built-in role: its name as shown, what it is for, and its permissions. */
export interface RoleDefinition {
  readonly role: AdminRole;
  readonly displayName: string;
  readonly description: string;
  readonly permissions: readonly Permission[];
}

export const ROLES: Readonly<Record<AdminRole, RoleDefinition>> = {
  administrator: {
    role: 'administrator',
    displayName: 'Administrator',
    description: 'Everything, including admin accounts and roles, the policy-signing key, onboarding and access tokens.',
    permissions: PERMISSIONS,
  },
  endpointSecurityManager: {
    role: 'endpointSecurityManager',
    displayName: 'Endpoint Security Manager',
    description: 'Policies, compliance policies, assignments, groups, what-if and every device action; reads everything device-side.',
    permissions: [
      ...READ,
      'policies.write',
      'compliancePolicies.write',
      'assignments.write',
      'groups.write',
      'whatIf.run',
      'devices.sync',
      'devices.rotateKey',
      'devices.revoke',
      'devices.tag',
      'alerts.triage',
      'suppressions.write',
      'actions.isolate',
      'actions.scan',
      'actions.collect',
      'actions.quarantine',
      'actions.cancel',
      'packages.download',
      'vulnerabilities.import',
      'tasks.write',
      'actions.updateSoftware',
    ],
  },
  helpDeskOperator: {
    role: 'helpDeskOperator',
    displayName: 'Help Desk Operator',
    description: 'Reads everything and runs device actions that do not change policy: sync, device key rotation and antivirus scans.',
    permissions: [...READ, 'devices.sync', 'devices.rotateKey', 'actions.scan'],
  },
  readOnlyOperator: {
    role: 'readOnlyOperator',
    displayName: 'Read Only Operator',
    description: 'Reads everything; changes nothing.',
    permissions: READ,
  },
};

/**
 * The permission of each admin route, keyed `METHOD /v1/admin/pattern` (fastify's routeOptions.url). Routes of other
 * parts of issue 15 (audit, dashboard, catalog) are listed ahead so they are not Administrator-only by accident.
 */
export const ROUTE_PERMISSIONS: Readonly<Record<string, Permission>> = {
  'POST /v1/admin/onboarding-packages': 'onboarding.write',
  'GET /v1/admin/onboarding-packages': 'onboarding.write',
  'POST /v1/admin/policies': 'policies.write',
  'PUT /v1/admin/policies/:id': 'policies.write',
  'DELETE /v1/admin/policies/:id': 'policies.write',
  'GET /v1/admin/policies': 'policies.read',
  'GET /v1/admin/policies/:id': 'policies.read',
  'GET /v1/admin/policies/:id/status': 'policies.read',
  'POST /v1/admin/what-if': 'whatIf.run',
  'POST /v1/admin/groups': 'groups.write',
  'GET /v1/admin/groups': 'policies.read',
  'PUT /v1/admin/groups/:id/rule': 'groups.write',
  // The rule editor's live preview: for those who edit rules (a scan of every device per call, on arbitrary input).
  'POST /v1/admin/groups/preview': 'groups.write',
  'POST /v1/admin/groups/:id/members': 'groups.write',
  'DELETE /v1/admin/groups/:id': 'groups.write',
  'DELETE /v1/admin/groups/:id/members/:deviceId': 'groups.write',
  'POST /v1/admin/assignments': 'assignments.write',
  'GET /v1/admin/assignments': 'policies.read',
  'DELETE /v1/admin/assignments/:id': 'assignments.write',
  'GET /v1/admin/devices': 'devices.read',
  'GET /v1/admin/devices/:id': 'devices.read',
  'GET /v1/admin/devices/:id/status': 'devices.read',
  'GET /v1/admin/devices/:id/events': 'devices.read',
  'POST /v1/admin/devices/:id/tags': 'devices.tag',
  'POST /v1/admin/devices/:id/sync': 'devices.sync',
  'POST /v1/admin/devices/:id/revoke': 'devices.revoke',
  // Forgetting a device and its history is the Administrator's alone (an Endpoint Security Manager revokes).
  'DELETE /v1/admin/devices/:id': 'devices.delete',
  'POST /v1/admin/devices/:id/rotate-key': 'devices.rotateKey',
  'GET /v1/admin/signing-key': 'signingKey.read',
  'POST /v1/admin/signing-key/rotate': 'signingKey.rotate',
  'POST /v1/admin/compliance-policies': 'compliancePolicies.write',
  'GET /v1/admin/compliance-policies': 'policies.read',
  'GET /v1/admin/compliance-policies/:id': 'policies.read',
  'PUT /v1/admin/compliance-policies/:id': 'compliancePolicies.write',
  'DELETE /v1/admin/compliance-policies/:id': 'compliancePolicies.write',
  'POST /v1/admin/compliance-policies/:id/assignments': 'assignments.write',
  'GET /v1/admin/compliance/devices': 'devices.read',
  'GET /v1/admin/compliance-assignments': 'policies.read',
  'DELETE /v1/admin/compliance-assignments/:id': 'assignments.write',
  'POST /v1/admin/access-tokens': 'accessTokens.write',
  'GET /v1/admin/access-tokens': 'accessTokens.read',
  'DELETE /v1/admin/access-tokens/:id': 'accessTokens.write',
  'GET /v1/admin/devices/:id/alerts': 'devices.read',
  // Alert triage (issue 17 §5): Defender's "Alerts investigation" → Endpoint Security Manager; Help Desk reads only.
  'GET /v1/admin/devices/:id/alerts/:alertId': 'devices.read',
  'PATCH /v1/admin/devices/:id/alerts/:alertId': 'alerts.triage',
  'POST /v1/admin/devices/:id/alerts/:alertId/comments': 'alerts.triage',
  'POST /v1/admin/devices/:id/isolate': 'actions.isolate',
  'POST /v1/admin/devices/:id/release': 'actions.isolate',
  'POST /v1/admin/devices/:id/runAntivirusScan': 'actions.scan',
  'POST /v1/admin/devices/:id/collectInvestigationPackage': 'actions.collect',
  'POST /v1/admin/devices/:id/stopAndQuarantineFile': 'actions.quarantine',
  'POST /v1/admin/devices/:id/restoreFromQuarantine': 'actions.quarantine',
  'POST /v1/admin/devices/:id/offboard': 'actions.offboard',
  'GET /v1/admin/actions': 'devices.read',
  'GET /v1/admin/actions/:id': 'devices.read',
  'POST /v1/admin/actions/:id/cancel': 'actions.cancel',
  'GET /v1/admin/actions/:id/package': 'packages.download',
  'POST /v1/admin/devices/:id/updateSoftware': 'actions.updateSoftware',
  'GET /v1/admin/devices/:id/software': 'devices.read',
  'GET /v1/admin/devices/:id/vulnerabilities': 'devices.read',
  'GET /v1/admin/vulnerabilities': 'vulnerabilities.read',
  'GET /v1/admin/vulnerabilities/devices': 'vulnerabilities.read',
  'GET /v1/admin/vulnerabilities/recommendations': 'vulnerabilities.read',
  'GET /v1/admin/vulnerabilities/recommendations/:id': 'vulnerabilities.read',
  'GET /v1/admin/vulnerabilities/advisories/:id': 'vulnerabilities.read',
  'POST /v1/admin/vulnerabilities/advisories': 'vulnerabilities.import',
  'POST /v1/admin/vulnerabilities/recompute': 'vulnerabilities.import',
  'GET /v1/admin/security-tasks': 'vulnerabilities.read',
  'GET /v1/admin/security-tasks/:id': 'vulnerabilities.read',
  'POST /v1/admin/security-tasks': 'tasks.write',
  'POST /v1/admin/security-tasks/:id/status': 'tasks.write',
  'POST /v1/admin/suppression-rules': 'suppressions.write',
  'GET /v1/admin/suppression-rules': 'devices.read',
  'GET /v1/admin/suppression-rules/:id': 'devices.read',
  'PATCH /v1/admin/suppression-rules/:id': 'suppressions.write',
  'DELETE /v1/admin/suppression-rules/:id': 'suppressions.write',
  'GET /v1/admin/devices/:id/health': 'devices.read',
  'GET /v1/admin/devices/:id/inventory': 'devices.read',
  'GET /v1/admin/devices/:id/compliance': 'devices.read',
  // Identity (this part): every admin sees itself, its own API tokens, the roles; accounts are Administrator-only.
  'GET /v1/admin/me': 'self',
  'GET /v1/admin/roles': 'roles.read',
  'GET /v1/admin/admins': 'admins.read',
  'POST /v1/admin/admins': 'admins.write',
  'GET /v1/admin/admins/:id': 'admins.read',
  'PATCH /v1/admin/admins/:id': 'admins.write',
  'DELETE /v1/admin/admins/:id': 'admins.write',
  'PUT /v1/admin/admins/:id/password': 'self',
  'GET /v1/admin/api-tokens': 'self',
  'POST /v1/admin/api-tokens': 'self',
  'DELETE /v1/admin/api-tokens/:id': 'self',
  // Other parts of issue 15 (contracts 5 and 6, CLI parity); paths as planned, the lead checks them at merge.
  'POST /v1/admin/onboarding-packages/:id/revoke': 'onboarding.write',
  'GET /v1/admin/audit': 'audit.read',
  'GET /v1/admin/audit/export': 'audit.read',
  'GET /v1/admin/audit/verify': 'audit.read',
  'GET /v1/admin/dashboard': 'devices.read',
  'GET /v1/admin/catalog': 'policies.read',
};

/**
 * What a scoped admin (scopeGroupIds not null) must show to make a write: the writes not listed here (policy and
 * compliance policy create/update/delete, group create/rule/delete, onboarding, keys, accounts, …) change the whole
 * tenant and are refused to scoped admins (deny by default). Every listed write names what http/admin-auth.ts checks:
 * - `devices`: only the devices it names (`:id` under /devices, `:deviceId`, body `deviceId`), which must be in scope;
 * - `group`: also the group `:id` (/groups/:id/…), which must be one of the admin's scope groups;
 * - `bodyGroups`: the group(s) of the body (`groupId`, `assignments[].groupId`), each a scope group;
 * - `assignment` / `complianceAssignment`: the assignment `:id`, whose group must be a scope group;
 * - `self`: the admin's own password and API tokens (`:id` must be its own account or one of its own tokens);
 * - `action`: the action `:id`, whose device must be in scope (checked by service/actions/action-views.ts scopedAction,
 *   which answers ACTION_NOT_FOUND outside it, as it does for the reads of one action and its package).
 */
export type ScopeCheck = 'devices' | 'group' | 'bodyGroups' | 'assignment' | 'complianceAssignment' | 'self' | 'action';
export const SCOPE_SAFE_WRITES: Readonly<Record<string, ScopeCheck>> = {
  'POST /v1/admin/devices/:id/tags': 'devices',
  'POST /v1/admin/devices/:id/sync': 'devices',
  'POST /v1/admin/devices/:id/revoke': 'devices',
  'POST /v1/admin/devices/:id/rotate-key': 'devices',
  'DELETE /v1/admin/devices/:id': 'devices',
  'PATCH /v1/admin/devices/:id/alerts/:alertId': 'devices',
  'POST /v1/admin/devices/:id/alerts/:alertId/comments': 'devices',
  'POST /v1/admin/devices/:id/isolate': 'devices',
  'POST /v1/admin/devices/:id/release': 'devices',
  'POST /v1/admin/devices/:id/runAntivirusScan': 'devices',
  'POST /v1/admin/devices/:id/collectInvestigationPackage': 'devices',
  'POST /v1/admin/devices/:id/stopAndQuarantineFile': 'devices',
  'POST /v1/admin/devices/:id/restoreFromQuarantine': 'devices',
  'POST /v1/admin/devices/:id/offboard': 'devices',
  'POST /v1/admin/devices/:id/updateSoftware': 'devices',
  'POST /v1/admin/actions/:id/cancel': 'action',
  // The body's deviceId must be in scope; an organization-wide rule (no deviceId) is refused by the service
  // (service/compliance/suppressions.ts). Changing or deleting a rule is not scope-safe: scoped admins are refused.
  'POST /v1/admin/suppression-rules': 'devices',
  'POST /v1/admin/groups/:id/members': 'group',
  'DELETE /v1/admin/groups/:id/members/:deviceId': 'group',
  'POST /v1/admin/assignments': 'bodyGroups',
  'DELETE /v1/admin/assignments/:id': 'assignment',
  'POST /v1/admin/compliance-policies/:id/assignments': 'bodyGroups',
  'DELETE /v1/admin/compliance-assignments/:id': 'complianceAssignment',
  // A what-if stores nothing; its answer lists only devices in scope (service/what-if.ts).
  'POST /v1/admin/what-if': 'bodyGroups',
  // A rule preview stores nothing; its answer lists only devices in scope (service/membership.ts ruleMembers + scope).
  'POST /v1/admin/groups/preview': 'bodyGroups',
  'PUT /v1/admin/admins/:id/password': 'self',
  'POST /v1/admin/api-tokens': 'self',
  'DELETE /v1/admin/api-tokens/:id': 'self',
};

/** Reads refused to scoped admins: their answers show devices and groups outside any scope. */
// The fleet's vulnerability views and security tasks (issue 18) aggregate every device: unscoped admins only; a scoped
// admin reads its own devices' software and vulnerabilities through /devices/:id/… (devices.read).
const UNSCOPED_ONLY_READS: ReadonlySet<Permission> = new Set<Permission>(['audit.read', 'vulnerabilities.read']);

/** What scoped admins get on `METHOD route`: refused, the scope check of a scope-safe write, or undefined (a read). */
export function scopeRule(method: string, route: string): ScopeCheck | 'refused' | undefined {
  if (method === 'GET' || method === 'HEAD') {
    const permission = routePermission(method, route);
    return permission !== undefined && UNSCOPED_ONLY_READS.has(permission) ? 'refused' : undefined;
  }
  return SCOPE_SAFE_WRITES[`${method} ${route}`] ?? 'refused';
}

/**
 * For a scoped admin, what the request must show (SCOPE_SAFE_WRITES) or ADMIN_FORBIDDEN for a tenant-wide write or an
 * unscoped-only read; undefined for an unscoped admin or a read needing nothing more.
 */
export function scopeCheckOf(admin: Pick<AdminPrincipal, 'scopeGroupIds'>, method: string, route: string): ScopeCheck | undefined {
  if (admin.scopeGroupIds === null) return undefined;
  const rule = scopeRule(method, route);
  if (rule !== 'refused') return rule;
  if (method === 'GET' || method === 'HEAD') {
    throw new AttacheError(
      'ADMIN_FORBIDDEN',
      `scoped admins may not use ${routePermission(method, route)} (${method} ${route}): its entries show devices outside any scope`,
    );
  }
  throw new AttacheError('ADMIN_FORBIDDEN', `scoped admins may not make tenant-wide changes (${method} ${route}); ask an unscoped admin`);
}

/** The permission `METHOD route` needs; undefined for a route nobody mapped (Administrator-only). HEAD counts as GET. */
export function routePermission(method: string, route: string): Permission | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  return ROUTE_PERMISSIONS[`${m} ${route}`];
}

/** Whether `role` grants `permission`. */
export function roleAllows(role: AdminRole, permission: Permission): boolean {
  return ROLES[role].permissions.includes(permission);
}

/** ADMIN_FORBIDDEN naming the permission unless the admin's role grants what the route needs. */
export function authorizeRoute(admin: Pick<AdminPrincipal, 'role' | 'scopeGroupIds'>, method: string, route: string): void {
  authorizeRole(admin, method, route);
  scopeCheckOf(admin, method, route);
}

/**
 * Every `METHOD route` of ROUTE_PERMISSIONS this admin may call (role permissions and the scope rule), for GET
 * /v1/admin/me: the console shows only these controls. Scope-safe writes still check their targets per request.
 */
export function allowedRoutes(admin: Pick<AdminPrincipal, 'role' | 'scopeGroupIds'>): string[] {
  return Object.keys(ROUTE_PERMISSIONS).filter((key) => {
    const [method = '', route = ''] = key.split(' ');
    try {
      authorizeRoute(admin, method, route);
      return true;
    } catch {
      return false;
    }
  });
}

function authorizeRole(admin: Pick<AdminPrincipal, 'role'>, method: string, route: string): void {
  const permission = routePermission(method, route);
  if (permission === undefined) {
    if (admin.role === 'administrator') return;
    throw new AttacheError('ADMIN_FORBIDDEN', `${method} ${route} is reserved to the Administrator role (no permission is mapped to it)`);
  }
  if (!roleAllows(admin.role, permission)) {
    throw new AttacheError('ADMIN_FORBIDDEN', `the ${ROLES[admin.role].displayName} role lacks the permission ${permission} (${method} ${route})`);
  }
}
