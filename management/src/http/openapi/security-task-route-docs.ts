// OpenAPI entries of the security-task routes (security-task-routes.ts): create from a recommendation, list, one task
// with per-device progress, and status changes with remediation. One entry per route.
import {
  CreateSecurityTaskRequest,
  SecurityTask,
  SecurityTaskDetail,
  SecurityTaskList,
  TASK_STATUSES,
  UpdateSecurityTaskRequest,
} from '../../../../policy-schemas/src/index.js';
import type { RouteDocs } from './route-doc.js';

const admin = 'admin' as const;
const tag = 'Security tasks';

/** The security-task routes. */
export const SECURITY_TASK_ROUTE_DOCS: RouteDocs = {
  'POST /v1/admin/security-tasks': {
    summary: 'Create a security task from a recommendation',
    description:
      "Intune's appVulnerabilityTask: for the recommendation's exposed devices now (or the given subset of them); appVersion is the recommendation's fixedVersion at creation. Status pending.",
    tag,
    security: admin,
    body: CreateSecurityTaskRequest,
    responses: { 201: SecurityTask },
    errors: ['TASK_INVALID', 'RECOMMENDATION_NOT_FOUND'],
  },
  'GET /v1/admin/security-tasks': {
    summary: 'Security tasks, newest first',
    tag,
    security: admin,
    query: {
      status: { description: 'Only this status.', schema: { type: 'string', enum: [...TASK_STATUSES] } },
      cursor: { description: 'nextCursor of the previous page.', schema: { type: 'string', maxLength: 200 } },
      limit: { description: 'Page size (1–200, default 50).', schema: { type: 'integer', minimum: 1, maximum: 200 } },
    },
    responses: { 200: SecurityTaskList },
    errors: ['QUERY_INVALID'],
  },
  'GET /v1/admin/security-tasks/{id}': {
    summary: "A security task and each targeted device's progress",
    description:
      'Per device: fixed (from its latest software upload), the installed version, and the last updateSoftware action made from the task with its status.',
    tag,
    security: admin,
    responses: { 200: SecurityTaskDetail },
    errors: ['TASK_NOT_FOUND'],
  },
  'POST /v1/admin/security-tasks/{id}/status': {
    summary: 'Accept, reject, complete or reopen a security task (optionally remediating)',
    description:
      'pending → active | rejected (note required); active → completed (manual) | rejected; rejected → pending. remediate with active (also on an active task) creates an updateSoftware action for every targeted device not fixed yet and needs actions.updateSoftware too; a device refused is named in the history note, never failing the change.',
    tag,
    security: admin,
    body: UpdateSecurityTaskRequest,
    responses: { 200: SecurityTaskDetail },
    errors: ['TASK_NOT_FOUND', 'TASK_TRANSITION_INVALID', 'TASK_INVALID', 'CONFLICT'],
  },
};
