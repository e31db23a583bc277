// OpenAPI entries of the response-action routes (action-routes.ts, device-action-routes.ts): the action center (create
// per type, list, show, cancel, package download) and the device side (updates, package upload). One entry per route.
import {
  ACTION_STATUSES,
  ACTION_TYPES,
  ActionRequestBodies,
  type ActionType,
  ActionUpdatesAck,
  ActionUpdatesRequest,
  CancelActionRequest,
  MachineAction,
  MachineActionList,
} from '../../../../policy-schemas/src/index.js';
import type { RouteDoc, RouteDocs } from './route-doc.js';

const admin = 'admin' as const;
const device = 'device' as const;
const tag = 'Response actions';

const SUMMARIES: Record<ActionType, string> = {
  isolate: 'Isolate a device from the network (the endpoint stays reachable)',
  release: 'Release a device from isolation',
  runAntivirusScan: 'Run an antivirus scan (quick or full)',
  collectInvestigationPackage: 'Collect an investigation package',
  stopAndQuarantineFile: 'Stop the processes of a file and quarantine it',
  restoreFromQuarantine: 'Restore a quarantined file',
  offboard: 'Offboard a device: restore its settings, delete its identity, stop the agent',
  updateSoftware: "Update installed software to a fixed version with the device's package manager",
};

function createDoc(type: ActionType): RouteDoc {
  return {
    summary: SUMMARIES[type],
    description:
      'Defender machine action: the comment is required. One pending or inProgress action per device and family (isolate and release share one). The signed action is pushed to the device at once and carried in its policies answers until it finishes or expires (72 h, then timeOut).',
    tag,
    security: admin,
    body: ActionRequestBodies[type],
    responses: { 201: MachineAction },
    errors: ['ACTION_INVALID', 'DEVICE_REVOKED', 'DEVICE_OFFBOARDED', 'ACTION_IN_PROGRESS', ...(type === 'updateSoftware' ? (['CONFLICT'] as const) : [])],
  };
}

const packageQuery = {
  offset: { description: 'Where this chunk starts: the bytes the endpoint holds (GET tells).', schema: { type: 'integer', minimum: 0 }, required: true },
  size: {
    description: "Size of the whole package in bytes (at most the action's parameters.maxBytes).",
    schema: { type: 'integer', minimum: 1 },
    required: true,
  },
  sha256: { description: 'SHA-256 of the whole package, lowercase hex.', schema: { type: 'string', pattern: '^[0-9a-f]{64}$' }, required: true },
};

const uploadState = {
  type: 'object',
  additionalProperties: false,
  required: ['receivedBytes', 'sizeBytes', 'complete'],
  properties: { receivedBytes: { type: 'integer', minimum: 0 }, sizeBytes: { type: ['integer', 'null'], minimum: 0 }, complete: { type: 'boolean' } },
};

const chunkAnswer = {
  type: 'object',
  additionalProperties: false,
  required: ['receivedBytes', 'complete'],
  properties: { receivedBytes: { type: 'integer', minimum: 0 }, complete: { type: 'boolean' } },
};

/** The response-action routes. */
export const ACTION_ROUTE_DOCS: RouteDocs = {
  ...Object.fromEntries(ACTION_TYPES.map((type) => [`POST /v1/admin/devices/{id}/${type}`, createDoc(type)])),
  'GET /v1/admin/actions': {
    summary: 'The action center: response actions, newest first',
    description: "A scoped admin sees only its devices' actions. Expired unfinished actions are shown timeOut.",
    tag,
    security: admin,
    query: {
      deviceId: { description: 'Only this device.', schema: { type: 'string', format: 'uuid' } },
      type: { description: 'Only this type.', schema: { type: 'string', enum: [...ACTION_TYPES] } },
      status: { description: 'Only this status.', schema: { type: 'string', enum: [...ACTION_STATUSES] } },
      requestor: { description: 'Only actions this admin (username) asked for.', schema: { type: 'string', maxLength: 200 } },
      cursor: { description: 'nextCursor of the previous page.', schema: { type: 'string', maxLength: 200 } },
      limit: { description: 'Page size (1–200, default 50).', schema: { type: 'integer', minimum: 1, maximum: 200 } },
    },
    responses: { 200: MachineActionList },
    errors: ['QUERY_INVALID'],
  },
  'GET /v1/admin/actions/{id}': {
    summary: 'One response action',
    tag,
    security: admin,
    responses: { 200: MachineAction },
    errors: ['ACTION_NOT_FOUND'],
  },
  'POST /v1/admin/actions/{id}/cancel': {
    summary: 'Cancel a response action',
    description:
      "A pending action of any type, or a running scan or package collection. The action is cancelled at once; a signed cancel goes to the device until it reports on the action. Also needs the permission that creates the action's type (only an Administrator cancels an offboard).",
    tag,
    security: admin,
    body: CancelActionRequest,
    responses: { 200: MachineAction },
    errors: ['ACTION_NOT_FOUND', 'ACTION_NOT_CANCELLABLE'],
  },
  'GET /v1/admin/actions/{id}/package': {
    summary: 'Download the investigation package of a collect action (audited)',
    tag,
    security: admin,
    responses: {
      200: {
        description: 'The .tar.gz the device uploaded, byte for byte.',
        schema: { type: 'string', format: 'binary' },
        contentType: 'application/gzip',
        headers: {
          'x-attache-package-sha256': 'SHA-256 of the package (lowercase hex), checked by the endpoint when the upload completed.',
          'content-disposition': 'attachment; filename="<device name>-<action id>.tar.gz"',
        },
      },
    },
    errors: ['ACTION_NOT_FOUND', 'PACKAGE_NOT_AVAILABLE'],
  },
  'POST /v1/device/actions/updates': {
    summary: 'Report where response actions stand on the device',
    description: 'Stored in one transaction before the answer; an action of another device refuses the whole request.',
    tag: 'Device',
    security: device,
    body: ActionUpdatesRequest,
    responses: { 200: ActionUpdatesAck },
    errors: ['ACTION_NOT_FOUND'],
  },
  'GET /v1/device/actions/{id}/package': {
    summary: 'How much of an investigation package the endpoint holds (resume point)',
    tag: 'Device',
    security: device,
    responses: { 200: { description: 'The upload state.', schema: uploadState } },
    errors: ['ACTION_NOT_FOUND', 'ACTION_INVALID'],
  },
  'PUT /v1/device/actions/{id}/package': {
    summary: 'Upload one chunk (≤ 1 MiB) of an investigation package',
    description: 'The body is application/octet-stream; the query is signed with the path. The SHA-256 is checked when the last byte arrives.',
    tag: 'Device',
    security: device,
    query: packageQuery,
    responses: { 200: { description: 'Bytes stored so far.', schema: chunkAnswer } },
    errors: [
      'ACTION_NOT_FOUND',
      'ACTION_INVALID',
      'QUERY_INVALID',
      'CONFLICT',
      'PACKAGE_TOO_LARGE',
      'PACKAGE_OFFSET_MISMATCH',
      'PACKAGE_HASH_MISMATCH',
      'BODY_TOO_LARGE',
    ],
  },
};
