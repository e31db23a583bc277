// OpenAPI entries of the admin API (/v1/admin/*): one entry per route, keyed `METHOD /full/path/{param}`. A route added
// to admin-routes.ts gets its entry here (compliance routes: compliance-route-docs.ts; a new area: its own file, merged in
// document.ts ROUTE_DOCS); openapi.integration.test.ts names any route without one.
import {
  Assignment,
  AssignmentCreateRequest,
  AssignmentList,
  Device,
  DeviceEvents,
  DeviceKeyRotationMark,
  DeviceList,
  DeviceStatus,
  DeviceTagsRequest,
  Group,
  GroupCreateRequest,
  GroupList,
  GroupMemberRequest,
  GroupRuleRequest,
  OnboardingCreateRequest,
  OnboardingPackage,
  PolicyDocument,
  PolicyList,
  PolicySettingsSchemas,
  PolicyStatusReport,
  PolicySummary,
  SignedSigningKeyAnnouncement,
  SigningKeyRotateRequest,
  SigningKeyState,
  SyncRequested,
  WhatIfRequest,
  WhatIfResponse,
} from '../../../../policy-schemas/src/index.js';
import { registeredName, schemaRef } from './components.js';
import { NO_CONTENT, type RouteDocs } from './route-doc.js';

const admin = 'admin' as const;

// A policy document's `settings` are also checked against the catalog schema of its kind (POLICY_INVALID).
const SETTINGS_OF_KIND = {
  description: "`settings` is also checked against the schema of the policy's kind (x-settings-schemas); a mismatch is POLICY_INVALID.",
  extensions: {
    'x-settings-schemas': Object.fromEntries(
      PolicySettingsSchemas.map((schema) => [String(schema.$id).replace('urn:attache:policy-settings-', ''), schemaRef(registeredName(schema))]),
    ),
  },
};

/** The admin API. */
export const ADMIN_ROUTE_DOCS: RouteDocs = {
  'POST /v1/admin/onboarding-packages': {
    summary: 'Create an onboarding package (enrollment token, CA pin, endpoint URLs)',
    tag: 'Onboarding',
    security: admin,
    body: OnboardingCreateRequest,
    responses: { 201: OnboardingPackage },
    errors: [],
  },

  'POST /v1/admin/policies': {
    summary: 'Create a policy (version 1)',
    tag: 'Policies',
    security: admin,
    body: PolicyDocument,
    responses: { 201: PolicySummary },
    errors: ['POLICY_INVALID'],
    ...SETTINGS_OF_KIND,
  },
  'GET /v1/admin/policies': { summary: 'List policies', tag: 'Policies', security: admin, responses: { 200: PolicyList }, errors: [] },
  'GET /v1/admin/policies/{id}': { summary: 'Get a policy', tag: 'Policies', security: admin, responses: { 200: PolicySummary }, errors: ['STORE_CORRUPT'] },
  'PUT /v1/admin/policies/{id}': {
    summary: 'Issue the next version of a policy (its kind cannot change)',
    tag: 'Policies',
    security: admin,
    body: PolicyDocument,
    responses: { 200: PolicySummary },
    errors: ['POLICY_INVALID', 'CONFLICT'],
    ...SETTINGS_OF_KIND,
  },
  'DELETE /v1/admin/policies/{id}': { summary: 'Delete a policy and its assignments', tag: 'Policies', security: admin, responses: NO_CONTENT, errors: [] },
  'GET /v1/admin/policies/{id}/status': {
    summary: 'Per-device and per-setting status of a policy',
    tag: 'Policies',
    security: admin,
    responses: { 200: PolicyStatusReport },
    errors: ['STORE_CORRUPT'],
  },
  'POST /v1/admin/what-if': {
    summary: 'What a proposed change would do to each device (nothing is stored)',
    tag: 'Policies',
    security: admin,
    body: WhatIfRequest,
    responses: { 200: WhatIfResponse },
    errors: ['POLICY_INVALID', 'NOT_FOUND', 'CONFLICT'],
    ...SETTINGS_OF_KIND,
  },

  'POST /v1/admin/groups': {
    summary: 'Create a static or dynamic group',
    tag: 'Groups',
    security: admin,
    body: GroupCreateRequest,
    responses: { 201: Group },
    errors: ['CONFLICT'],
  },
  'GET /v1/admin/groups': { summary: 'List groups', tag: 'Groups', security: admin, responses: { 200: GroupList }, errors: [] },
  'PUT /v1/admin/groups/{id}/rule': {
    summary: "Replace a dynamic group's rule (members are recomputed)",
    tag: 'Groups',
    security: admin,
    body: GroupRuleRequest,
    responses: { 200: Group },
    errors: ['CONFLICT'],
  },
  'POST /v1/admin/groups/{id}/members': {
    summary: 'Add a device to a static group',
    tag: 'Groups',
    security: admin,
    body: GroupMemberRequest,
    responses: NO_CONTENT,
    errors: ['CONFLICT'],
  },

  'POST /v1/admin/assignments': {
    summary: 'Assign a policy to a group (include or exclude)',
    tag: 'Assignments',
    security: admin,
    body: AssignmentCreateRequest,
    responses: { 201: Assignment },
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
  'GET /v1/admin/assignments': { summary: 'List policy assignments', tag: 'Assignments', security: admin, responses: { 200: AssignmentList }, errors: [] },
  'DELETE /v1/admin/assignments/{id}': { summary: 'Remove a policy assignment', tag: 'Assignments', security: admin, responses: NO_CONTENT, errors: [] },

  'GET /v1/admin/devices': { summary: 'List devices', tag: 'Devices', security: admin, responses: { 200: DeviceList }, errors: [] },
  'GET /v1/admin/devices/{id}': { summary: 'Get a device', tag: 'Devices', security: admin, responses: { 200: Device }, errors: [] },
  'GET /v1/admin/devices/{id}/status': {
    summary: 'Per-policy and per-setting status of a device',
    tag: 'Devices',
    security: admin,
    responses: { 200: DeviceStatus },
    errors: [],
  },
  'GET /v1/admin/devices/{id}/events': {
    summary: "The device's reported events, newest first",
    tag: 'Devices',
    security: admin,
    responses: { 200: DeviceEvents },
    errors: [],
  },
  'POST /v1/admin/devices/{id}/tags': {
    summary: 'Add and remove device tags',
    tag: 'Devices',
    security: admin,
    body: DeviceTagsRequest,
    responses: { 200: Device },
    errors: [],
  },
  'POST /v1/admin/devices/{id}/sync': {
    summary: 'Ask a device to sync now (a nudge over its push socket)',
    tag: 'Devices',
    security: admin,
    responses: { 202: SyncRequested },
    errors: [],
  },
  'POST /v1/admin/devices/{id}/revoke': {
    summary: 'Revoke a device (it must enroll again)',
    tag: 'Devices',
    security: admin,
    responses: NO_CONTENT,
    errors: [],
  },
  'POST /v1/admin/devices/{id}/rotate-key': {
    summary: 'Ask a device to rotate its key at its next sync',
    tag: 'Devices',
    security: admin,
    responses: { 202: DeviceKeyRotationMark },
    errors: [],
  },
  'GET /v1/admin/signing-key': {
    summary: 'The policy-signing key state and announcement chain',
    tag: 'Signing keys',
    security: admin,
    responses: { 200: SigningKeyState },
    errors: [],
  },
  'POST /v1/admin/signing-key/rotate': {
    summary: 'Start a policy-signing key rotation',
    tag: 'Signing keys',
    security: admin,
    body: SigningKeyRotateRequest,
    responses: { 201: SignedSigningKeyAnnouncement },
    errors: ['CONFLICT'],
  },
};
