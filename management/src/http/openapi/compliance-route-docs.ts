// OpenAPI entries of the compliance admin routes (compliance-admin-routes.ts): compliance policies and assignments,
// access tokens, and a device's health, inventory and compliance (alerts: triage-route-docs.ts). One entry per route, keyed `METHOD /path`.
import {
  AccessTokenCreated,
  AccessTokenCreateRequest,
  AccessTokenList,
  ComplianceAssignment,
  ComplianceAssignmentList,
  ComplianceAssignmentRequest,
  ComplianceOverview,
  CompliancePolicy,
  CompliancePolicyDocument,
  CompliancePolicyList,
  DeviceCompliance,
  DeviceHealthView,
  DeviceInventoryView,
} from '../../../../policy-schemas/src/index.js';
import { NO_CONTENT, type RouteDocs } from './route-doc.js';

const admin = 'admin' as const;

/** The compliance admin API. */
export const COMPLIANCE_ROUTE_DOCS: RouteDocs = {
  'GET /v1/admin/devices/{id}/health': {
    summary: "The device's last health upload",
    tag: 'Devices',
    security: admin,
    responses: { 200: DeviceHealthView },
    errors: [],
  },
  'GET /v1/admin/devices/{id}/inventory': {
    summary: "The device's last inventory upload",
    tag: 'Devices',
    security: admin,
    responses: { 200: DeviceInventoryView },
    errors: [],
  },
  'GET /v1/admin/devices/{id}/compliance': {
    summary: "The device's compliance state, reasons and access decision",
    tag: 'Devices',
    security: admin,
    responses: { 200: DeviceCompliance },
    errors: [],
  },

  'POST /v1/admin/compliance-policies': {
    summary: 'Create a compliance policy',
    description: '`source` names the Intune compliance policy an import made it from (attache-admin policy import sets it; re-imports match on its id).',
    tag: 'Compliance',
    security: admin,
    body: CompliancePolicyDocument,
    responses: { 201: CompliancePolicy },
    errors: [],
  },
  'GET /v1/admin/compliance-policies': {
    summary: 'List compliance policies',
    tag: 'Compliance',
    security: admin,
    responses: { 200: CompliancePolicyList },
    errors: [],
  },
  'GET /v1/admin/compliance-policies/{id}': {
    summary: 'Get a compliance policy',
    tag: 'Compliance',
    security: admin,
    responses: { 200: CompliancePolicy },
    errors: [],
  },
  'PUT /v1/admin/compliance-policies/{id}': {
    summary: 'Replace a compliance policy with its next version',
    description: 'A body without `source` keeps the stored source (the Intune provenance survives an edit); one with a source replaces it.',
    tag: 'Compliance',
    security: admin,
    body: CompliancePolicyDocument,
    responses: { 200: CompliancePolicy },
    errors: [],
  },
  'DELETE /v1/admin/compliance-policies/{id}': {
    summary: 'Delete a compliance policy and its assignments',
    tag: 'Compliance',
    security: admin,
    responses: NO_CONTENT,
    errors: [],
  },
  'POST /v1/admin/compliance-policies/{id}/assignments': {
    summary: 'Assign a compliance policy to a group',
    tag: 'Compliance',
    security: admin,
    body: ComplianceAssignmentRequest,
    responses: { 201: ComplianceAssignment },
    errors: ['CONFLICT'],
  },
  'GET /v1/admin/compliance/devices': {
    summary: "Every device's access decision and first reason (fleet overview)",
    tag: 'Compliance',
    security: admin,
    responses: { 200: ComplianceOverview },
    errors: [],
  },
  'GET /v1/admin/compliance-assignments': {
    summary: 'List compliance policy assignments',
    tag: 'Compliance',
    security: admin,
    responses: { 200: ComplianceAssignmentList },
    errors: [],
  },
  'DELETE /v1/admin/compliance-assignments/{id}': {
    summary: 'Remove a compliance assignment',
    tag: 'Compliance',
    security: admin,
    responses: NO_CONTENT,
    errors: [],
  },

  'POST /v1/admin/access-tokens': {
    summary: 'Create an access-service token (shown once)',
    tag: 'Access tokens',
    security: admin,
    body: AccessTokenCreateRequest,
    responses: { 201: AccessTokenCreated },
    errors: [],
  },
  'GET /v1/admin/access-tokens': {
    summary: 'List access-service tokens',
    tag: 'Access tokens',
    security: admin,
    responses: { 200: AccessTokenList },
    errors: [],
  },
  'DELETE /v1/admin/access-tokens/{id}': {
    summary: 'Revoke an access-service token',
    tag: 'Access tokens',
    security: admin,
    responses: NO_CONTENT,
    errors: [],
  },
};
