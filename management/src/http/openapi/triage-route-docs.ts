// OpenAPI entries of the alert triage routes (triage-routes.ts): a device's alerts with their triage, one alert's
// triage and comments, and suppression rules. One entry per route, keyed `METHOD /path`.
import {
  Alert,
  AlertCommentRequest,
  AlertTriagePatch,
  AlertTriageView,
  DeviceAlerts,
  SuppressionRule,
  SuppressionRuleList,
  SuppressionRulePatch,
  SuppressionRuleRequest,
} from '../../../../policy-schemas/src/index.js';
import { NO_CONTENT, type RouteDocs } from './route-doc.js';

const admin = 'admin' as const;
const tag = 'Alert triage';
const alertParams = {
  alertId: { description: 'The alert id (e.g. posture.realTimeProtectionOff), as the device reports it.', schema: Alert.properties.alertId },
};

/** The alert triage admin API. */
export const TRIAGE_ROUTE_DOCS: RouteDocs = {
  'GET /v1/admin/devices/{id}/alerts': {
    summary: "The device's alerts with their triage",
    description: 'The risk level counts only alerts whose effect is `active` (not resolved by an admin, not suppressed).',
    tag: 'Devices',
    security: admin,
    responses: { 200: DeviceAlerts },
    errors: [],
  },
  'GET /v1/admin/devices/{id}/alerts/{alertId}': {
    summary: 'One alert with its triage, effect and comments',
    tag,
    security: admin,
    params: alertParams,
    responses: { 200: AlertTriageView },
    errors: ['SCHEMA_INVALID'],
  },
  'PATCH /v1/admin/devices/{id}/alerts/{alertId}': {
    summary: 'Resolve, classify, assign or comment on an alert',
    description:
      "Defender's update alert: omitted properties keep their values, null clears one. The device's risk level, compliance and access decision are re-evaluated before the answer.",
    tag,
    security: admin,
    params: alertParams,
    body: AlertTriagePatch,
    responses: { 200: AlertTriageView },
    errors: [],
  },
  'POST /v1/admin/devices/{id}/alerts/{alertId}/comments': {
    summary: 'Comment on an alert',
    tag,
    security: admin,
    params: alertParams,
    body: AlertCommentRequest,
    responses: { 201: AlertTriageView },
    errors: [],
  },
  'POST /v1/admin/suppression-rules': {
    summary: 'Suppress an alert on one device or in the whole organization',
    description: 'Affected devices are re-evaluated at once and receive the rule in their signed suppression list. Scoped admins: device rules only.',
    tag,
    security: admin,
    body: SuppressionRuleRequest,
    responses: { 201: SuppressionRule },
    errors: ['CONFLICT'],
  },
  'GET /v1/admin/suppression-rules': { summary: 'List suppression rules', tag, security: admin, responses: { 200: SuppressionRuleList }, errors: [] },
  'GET /v1/admin/suppression-rules/{id}': { summary: 'Get a suppression rule', tag, security: admin, responses: { 200: SuppressionRule }, errors: [] },
  'PATCH /v1/admin/suppression-rules/{id}': {
    summary: "Change a suppression rule's comment or expiry",
    description:
      'null expiresAt: until deleted. The devices it reaches are re-evaluated at once and get a new signed list. Bringing an expired rule back into force counts against the 500 rules in force of its scope (CONFLICT past them).',
    tag,
    security: admin,
    body: SuppressionRulePatch,
    responses: { 200: SuppressionRule },
    errors: ['CONFLICT'],
  },
  'DELETE /v1/admin/suppression-rules/{id}': {
    summary: 'Delete a suppression rule',
    description: 'The alerts it suppressed count again at once, on the endpoint and (next fetch) on the device.',
    tag,
    security: admin,
    responses: NO_CONTENT,
    errors: [],
  },
};
