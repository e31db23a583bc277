// Which audit action each admin write route records, and what its target is: the route table of the audit hook
// (audit-hooks.ts). A write route missing here is still recorded, as "<METHOD> <route>"; audit-actions.test.ts fails
// for every registered route missing here, so a new route gets its name when it is added.

/** Where an audited route's target id comes from: the route's `:id`, a field of the answer (a created object), or a query parameter. */
export type AuditTargetId = 'param' | { readonly answer: string } | { readonly query: string } | 'none';

/** How one admin write route is audited; `readOnly` routes (a POST that changes nothing) are not recorded. */
export type AuditedRoute = { readonly action: string; readonly targetType: string; readonly targetId: AuditTargetId } | { readonly readOnly: true };

const param = 'param' as const;
const answer = (field: string) => ({ answer: field });

/** `METHOD /route` (as registered under /v1/admin) → its audit. Keep in the order of docs/audit.md's action list. */
export const AUDITED_ROUTES: Readonly<Record<string, AuditedRoute>> = {
  'POST /onboarding-packages': { action: 'onboardingPackage.create', targetType: 'onboardingPackage', targetId: 'none' },
  'POST /onboarding-packages/:id/revoke': { action: 'onboardingPackage.revoke', targetType: 'onboardingPackage', targetId: param },

  'POST /policies': { action: 'policy.create', targetType: 'policy', targetId: answer('policyId') },
  'PUT /policies/:id': { action: 'policy.update', targetType: 'policy', targetId: param },
  'DELETE /policies/:id': { action: 'policy.delete', targetType: 'policy', targetId: param },
  'POST /what-if': { readOnly: true },

  'POST /groups': { action: 'group.create', targetType: 'group', targetId: answer('groupId') },
  'PUT /groups/:id/rule': { action: 'group.setRule', targetType: 'group', targetId: param },
  'POST /groups/preview': { readOnly: true },
  'POST /groups/:id/members': { action: 'group.addMember', targetType: 'group', targetId: param },
  'DELETE /groups/:id': { action: 'group.delete', targetType: 'group', targetId: param },
  'DELETE /groups/:id/members/:deviceId': { action: 'group.removeMember', targetType: 'group', targetId: param },

  'POST /assignments': { action: 'assignment.create', targetType: 'assignment', targetId: answer('assignmentId') },
  'DELETE /assignments/:id': { action: 'assignment.delete', targetType: 'assignment', targetId: param },

  'POST /devices/:id/tags': { action: 'device.setTags', targetType: 'device', targetId: param },
  'POST /devices/:id/sync': { action: 'device.sync', targetType: 'device', targetId: param },
  'POST /devices/:id/revoke': { action: 'device.revoke', targetType: 'device', targetId: param },
  'POST /devices/:id/rotate-key': { action: 'device.rotateKey', targetType: 'device', targetId: param },
  'DELETE /devices/:id': { action: 'device.delete', targetType: 'device', targetId: param },

  'PATCH /devices/:id/alerts/:alertId': { action: 'alert.update', targetType: 'device', targetId: param },
  'POST /devices/:id/alerts/:alertId/comments': { action: 'alert.comment', targetType: 'device', targetId: param },
  'POST /devices/:id/isolate': { action: 'action.isolate', targetType: 'action', targetId: answer('id') },
  'POST /devices/:id/release': { action: 'action.release', targetType: 'action', targetId: answer('id') },
  'POST /devices/:id/runAntivirusScan': { action: 'action.runAntivirusScan', targetType: 'action', targetId: answer('id') },
  'POST /devices/:id/collectInvestigationPackage': { action: 'action.collectInvestigationPackage', targetType: 'action', targetId: answer('id') },
  'POST /devices/:id/stopAndQuarantineFile': { action: 'action.stopAndQuarantineFile', targetType: 'action', targetId: answer('id') },
  'POST /devices/:id/restoreFromQuarantine': { action: 'action.restoreFromQuarantine', targetType: 'action', targetId: answer('id') },
  'POST /devices/:id/offboard': { action: 'action.offboard', targetType: 'action', targetId: answer('id') },
  'POST /devices/:id/updateSoftware': { action: 'action.updateSoftware', targetType: 'action', targetId: answer('id') },
  'POST /actions/:id/cancel': { action: 'action.cancel', targetType: 'action', targetId: param },
  'POST /security-tasks': { action: 'securityTask.create', targetType: 'securityTask', targetId: answer('taskId') },
  'POST /security-tasks/:id/status': { action: 'securityTask.changeStatus', targetType: 'securityTask', targetId: param },
  'POST /suppression-rules': { action: 'suppressionRule.create', targetType: 'suppressionRule', targetId: answer('ruleId') },
  'PATCH /suppression-rules/:id': { action: 'suppressionRule.update', targetType: 'suppressionRule', targetId: param },
  'DELETE /suppression-rules/:id': { action: 'suppressionRule.delete', targetType: 'suppressionRule', targetId: param },

  'POST /signing-key/rotate': { action: 'signingKey.rotate', targetType: 'signingKey', targetId: answer('payload.newKeyId') },

  'POST /compliance-policies': { action: 'compliancePolicy.create', targetType: 'compliancePolicy', targetId: answer('compliancePolicyId') },
  'PUT /compliance-policies/:id': { action: 'compliancePolicy.update', targetType: 'compliancePolicy', targetId: param },
  'DELETE /compliance-policies/:id': { action: 'compliancePolicy.delete', targetType: 'compliancePolicy', targetId: param },
  'POST /compliance-policies/:id/assignments': {
    action: 'complianceAssignment.create',
    targetType: 'complianceAssignment',
    targetId: answer('assignmentId'),
  },
  'DELETE /compliance-assignments/:id': { action: 'complianceAssignment.delete', targetType: 'complianceAssignment', targetId: param },

  'POST /access-tokens': { action: 'accessToken.create', targetType: 'accessToken', targetId: answer('tokenId') },
  'DELETE /access-tokens/:id': { action: 'accessToken.revoke', targetType: 'accessToken', targetId: param },

  // Vulnerability management (issue 18): the result (counts, skips, withdrawn ids) is the entry's `after`.
  'POST /vulnerabilities/advisories': { action: 'vulnerabilities.import', targetType: 'advisoryFile', targetId: { query: 'name' } },
  // The answer (device or null for every device, count) is the entry's `after`.
  'POST /vulnerabilities/recompute': { action: 'vulnerabilities.recompute', targetType: 'vulnerabilityRecompute', targetId: 'none' },

  // Admin accounts and personal API tokens (issue 15, contract 3).
  'POST /admins': { action: 'admin.create', targetType: 'admin', targetId: answer('adminId') },
  'PATCH /admins/:id': { action: 'admin.update', targetType: 'admin', targetId: param },
  'DELETE /admins/:id': { action: 'admin.delete', targetType: 'admin', targetId: param },
  'PUT /admins/:id/password': { action: 'admin.setPassword', targetType: 'admin', targetId: param },
  'POST /api-tokens': { action: 'apiToken.create', targetType: 'apiToken', targetId: answer('tokenId') },
  'DELETE /api-tokens/:id': { action: 'apiToken.revoke', targetType: 'apiToken', targetId: param },
};

/**
 * The audit of `method route` (route relative to /v1/admin, fastify's pattern). An unmapped write route is recorded as
 * `<METHOD> <route>` with its `:id` as the target, so nothing goes unrecorded.
 */
export function auditedRoute(method: string, route: string): AuditedRoute {
  const known = AUDITED_ROUTES[`${method} ${route}`];
  if (known) return known;
  return { action: `${method} ${route}`, targetType: route.split('/')[1] || 'endpoint', targetId: route.includes('/:id') ? param : 'none' };
}

/** The prefix the admin routes are registered under (server.ts). */
const ADMIN_PREFIX = '/v1/admin';

/** A route pattern relative to /v1/admin (`/policies/:id`), as AUDITED_ROUTES names it. */
export function adminRoute(url: string): string {
  return url.startsWith(ADMIN_PREFIX) ? url.slice(ADMIN_PREFIX.length) : url;
}

/** Whether `METHOD url` (a full /v1/admin route pattern) is a POST that changes nothing, such as a what-if. */
export function isReadOnlyWrite(method: string, url: string): boolean {
  return 'readOnly' in auditedRoute(method, adminRoute(url));
}

/** The value at a dotted `path` of a JSON answer, when it is a string. */
export function answerField(body: unknown, path: string): string | null {
  let value: unknown = body;
  for (const key of path.split('.')) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : null;
}
