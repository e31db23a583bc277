// OpenAPI entries of the device API: enrollment (unsigned) and the signed /v1/device/* routes, the push WebSocket
// upgrade included. One entry per route, keyed `METHOD /full/path/{param}` (docs/protocol.md describes each in prose).
import {
  AccessDecision,
  AgentPushMessage,
  AlertReport,
  AlertReportAck,
  DeviceKeyRotationRequest,
  DeviceKeyRotationResponse,
  EnrollRequest,
  EnrollResponse,
  HealthUpload,
  InventoryUpload,
  PoliciesResponse,
  ReportAck,
  ServerPushMessage,
  StatusReport,
} from '../../../../policy-schemas/src/index.js';
import { registeredName, schemaRef } from './components.js';
import { NO_CONTENT, type RouteDocs } from './route-doc.js';

const device = 'device' as const;

/** The device API. */
export const DEVICE_ROUTE_DOCS: RouteDocs = {
  'POST /v1/enroll': {
    summary: 'Enroll a device with an enrollment token and the public key it proves it holds',
    tag: 'Enrollment',
    security: 'none',
    body: EnrollRequest,
    responses: { 201: EnrollResponse },
    errors: [
      'ENROLLMENT_TOKEN_INVALID',
      'ENROLLMENT_TOKEN_EXPIRED',
      'ENROLLMENT_TOKEN_EXHAUSTED',
      'ENROLLMENT_PROOF_INVALID',
      'RATE_LIMITED',
      'ENDPOINT_BUSY',
      'DATABASE_UNAVAILABLE',
    ],
  },
  'GET /v1/device/policies': {
    summary: "The device's signed policy set",
    description: 'Answers an ETag; a request whose If-None-Match names the current set gets 304 with no body.',
    tag: 'Device',
    security: device,
    responses: {
      200: { description: 'The signed manifest and every policy it lists.', schema: PoliciesResponse, headers: { ETag: 'The tag of this policy set.' } },
      304: { description: 'The set named by If-None-Match is current.', headers: { ETag: 'The tag of this policy set.' } },
    },
    errors: ['STORE_CORRUPT'],
  },
  'POST /v1/device/reports': {
    summary: 'Report per-setting status and events',
    tag: 'Device',
    security: device,
    body: StatusReport,
    responses: { 200: ReportAck },
    errors: [],
  },
  'POST /v1/device/key': {
    summary: "Rotate the device's own key (signed with the current key, proved with the new one)",
    tag: 'Device',
    security: device,
    body: DeviceKeyRotationRequest,
    responses: { 200: DeviceKeyRotationResponse },
    errors: ['DEVICE_KEY_PROOF_INVALID', 'CONFLICT'],
  },
  'POST /v1/device/alerts': { summary: 'Report alerts', tag: 'Device', security: device, body: AlertReport, responses: { 200: AlertReportAck }, errors: [] },
  'POST /v1/device/health': { summary: 'Upload device health', tag: 'Device', security: device, body: HealthUpload, responses: NO_CONTENT, errors: [] },
  'POST /v1/device/inventory': {
    summary: 'Upload device inventory',
    tag: 'Device',
    security: device,
    body: InventoryUpload,
    responses: NO_CONTENT,
    errors: [],
  },
  'GET /v1/device/access': {
    summary: "The device's own access decision",
    tag: 'Device',
    security: device,
    responses: { 200: AccessDecision },
    errors: ['NOT_FOUND'],
  },
  'GET /v1/device/push': {
    summary: 'Open the push WebSocket (signed upgrade)',
    description:
      'A WebSocket upgrade signed like any device request (the query string is part of the signed path). Channel 1 carries `sync` ' +
      'nudges; `?channel=2` also carries the signed set and requests answered as the HTTP routes would. Messages: ' +
      'x-websocket-messages; docs/protocol.md, "Push channel".',
    tag: 'Device',
    security: device,
    query: { channel: { description: 'Push channel version: 2 for requests over the socket; absent for channel 1.', schema: { type: 'string', enum: ['2'] } } },
    responses: { 101: { description: 'Switching Protocols: the WebSocket is open; the endpoint sends `hello` first.' } },
    errors: [],
    extensions: {
      'x-websocket-messages': {
        endpointToAgent: schemaRef(registeredName(ServerPushMessage)),
        agentToEndpoint: schemaRef(registeredName(AgentPushMessage)),
      },
    },
  },
};
