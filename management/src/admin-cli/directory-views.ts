// Human output of the admin CLI for onboarding packages and assignments (lists and what a removal did).
import type { Assignment, GroupDeleted, OnboardingPackageInfo } from '../../../policy-schemas/src/index.js';
import { renderTable } from './table.js';

/** Onboarding packages, newest first: id, state, uses, expiry, tags, description (never a token). */
export function onboardingTable(packages: readonly OnboardingPackageInfo[]): string {
  return renderTable(
    ['ID', 'STATE', 'USES', 'CREATED', 'EXPIRES', 'TAGS', 'DESCRIPTION'],
    packages.map((p) => [p.id, p.state, `${p.uses}/${p.maxUses}`, p.createdAt, p.expiresAt, p.tags.join(', ') || '-', p.description ?? '-']),
  );
}

/** Assignments with their policy and group names where known (an id otherwise). */
export function assignmentsTable(
  assignments: readonly Assignment[],
  policyNames: ReadonlyMap<string, string>,
  groupNames: ReadonlyMap<string, string>,
): string {
  return renderTable(
    ['ASSIGNMENT ID', 'POLICY', 'GROUP', 'MODE', 'CREATED'],
    assignments.map((a) => [a.assignmentId, policyNames.get(a.policyId) ?? a.policyId, groupNames.get(a.groupId) ?? a.groupId, a.mode, a.createdAt]),
  );
}

/** What `group delete` removed. */
export function groupDeletedView(name: string, deleted: GroupDeleted): string {
  const removed = [
    ...deleted.removedAssignments.map((id) => `assignment ${id}`),
    ...deleted.removedComplianceAssignments.map((id) => `compliance assignment ${id}`),
  ];
  return `group ${name} deleted${removed.length ? `, with ${removed.join(', ')}` : ''}\n`;
}
