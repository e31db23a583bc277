// The reusable parts of the OpenAPI document: every schema of policy-schemas/ (ALL_SCHEMAS, the objects the endpoint
// validates with), the error envelope and one response per error code of common/errors.ts, the security schemes and tags.
import { ERROR_CODES, type ErrorCode } from '../../../../common/errors.js';
import { SIGNED_REQUEST_HEADERS } from '../../../../common/signing.js';
import { ALL_SCHEMAS, ErrorResponse } from '../../../../policy-schemas/src/index.js';
import type { RouteSecurity, SchemaObject } from './route-doc.js';

const ID_PREFIX = 'urn:attache:';
// Keywords whose values are data, not subschemas (as scripts/gen-schemas.ts): never look for `$id` inside them.
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples']);

/** The component name of a schema id: `urn:attache:group-create-request` → `GroupCreateRequest`. */
export function componentName(id: string): string {
  if (!id.startsWith(ID_PREFIX)) throw new Error(`schema $id ${id} does not start with ${ID_PREFIX}`);
  return id
    .slice(ID_PREFIX.length)
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** `#/components/schemas/<name>`. */
export function schemaRef(name: string): { $ref: string } {
  return { $ref: `#/components/schemas/${name}` };
}

/** Component name of every registered schema object, by identity: a copy is not registered. */
const NAMES = new Map<object, string>(ALL_SCHEMAS.map((schema) => [schema, componentName(String(schema.$id))]));

const REGISTERED_IDS = new Set(ALL_SCHEMAS.map((schema) => String(schema.$id)));

/** The component name of `schema`; throws when it is not one of ALL_SCHEMAS (the same object, not an equal copy). */
export function registeredName(schema: SchemaObject): string {
  const name = NAMES.get(schema);
  if (name === undefined) {
    throw new Error(`schema ${String(schema.$id ?? schema.title ?? '(no $id)')} is not in ALL_SCHEMAS: document the object the endpoint validates with`);
  }
  return name;
}

/**
 * A schema as plain JSON for the document: TypeBox's symbol keys dropped, `$id` dropped (a base URI would change what
 * `#/components/…` references inside it mean), and a subschema that is itself a registered schema replaced by a `$ref`
 * (one embedded under an `$id` that is not registered, such as PolicySetManifest, stays inline).
 */
export function toDocumentSchema(schema: unknown, root = true): unknown {
  if (Array.isArray(schema)) return schema.map((item) => toDocumentSchema(item, false));
  if (schema === null || typeof schema !== 'object') return schema;
  const id = (schema as { $id?: unknown }).$id;
  if (!root && typeof id === 'string' && REGISTERED_IDS.has(id)) return schemaRef(componentName(id));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$id' || key === '$schema') continue;
    out[key] = DATA_KEYWORDS.has(key) ? value : toDocumentSchema(value, false);
  }
  return out;
}

/** components.schemas: every registered schema, the error code catalogue (`ErrorCode`), sorted by name. */
function schemas(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const schema of ALL_SCHEMAS) out[componentName(String(schema.$id))] = toDocumentSchema(schema);
  out.ErrorCode = {
    title: 'Error code',
    description: 'The stable error codes (docs/errors.md); each with the HTTP status it is answered with.',
    oneOf: Object.entries(ERROR_CODES).map(([code, info]) => ({
      const: code,
      description: `HTTP ${info.status}${info.retryable ? ', retryable' : ''}. ${info.description}`,
    })),
  };
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 0 } } };

/** The error envelope whose `error.code` is one of `codes`. */
export function errorBodySchema(codes: readonly ErrorCode[]): Record<string, unknown> {
  const code = codes.length === 1 ? { const: codes[0] } : { enum: [...codes] };
  return { allOf: [schemaRef(registeredName(ErrorResponse)), { properties: { error: { properties: { code } } } }] };
}

/** The codes answered with a Retry-After header (server.ts, device-routes.ts, admission.ts, session-routes.ts, audit-hooks.ts). */
const RETRY_AFTER_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'RATE_LIMITED',
  'ENDPOINT_BUSY',
  'DATABASE_UNAVAILABLE',
  'LOGIN_LOCKED',
  'AUDIT_UNAVAILABLE',
]);

/** Whether an answer with this code tells the client when to retry. */
export function hasRetryAfter(code: ErrorCode): boolean {
  return RETRY_AFTER_CODES.has(code);
}

/** components.responses: one per error code, named after it. */
function errorResponses(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [code, info] of Object.entries(ERROR_CODES) as [ErrorCode, (typeof ERROR_CODES)[ErrorCode]][]) {
    out[code] = {
      description: `${info.status} ${code}: ${info.description}`,
      ...(hasRetryAfter(code) ? { headers: RETRY_AFTER } : {}),
      content: { 'application/json': { schema: errorBodySchema([code]) } },
    };
  }
  return out;
}

const SIGNING = `Every /v1/device/* request (the push upgrade too) carries the four ${Object.values(SIGNED_REQUEST_HEADERS).join(', ')} headers. \
${SIGNED_REQUEST_HEADERS.signature} is the Ed25519 signature (base64) with the device key of these lines joined by \\n: \
ATTACHE-REQUEST-V1, the upper-case method, the path with its query string as sent, the device id, the time, the nonce, and \
the hex SHA-256 of the exact body bytes (of the empty string when there is none). docs/protocol.md, "Request signing".`;

/** components.securitySchemes. */
export const SECURITY_SCHEMES = {
  adminToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'The admin token (admin.token in the data directory) or a personal API token (`atp_…`) of a named admin.',
  },
  consoleSession: {
    type: 'apiKey',
    in: 'cookie',
    name: '__Host-attache_session',
    description:
      'The console session cookie set by POST /v1/session (HttpOnly, Secure, SameSite=Strict). Requests other than GET and HEAD also need csrfToken.',
  },
  csrfToken: {
    type: 'apiKey',
    in: 'header',
    name: 'x-csrf-token',
    description: 'The csrfToken of the console session (answer of POST /v1/session); a cookie-authenticated write without it is 403 CSRF_FAILED.',
  },
  deviceId: { type: 'apiKey', in: 'header', name: SIGNED_REQUEST_HEADERS.device, description: 'The device id (UUID) given at enrollment.' },
  requestTime: {
    type: 'apiKey',
    in: 'header',
    name: SIGNED_REQUEST_HEADERS.time,
    description: "The sender's clock, Unix milliseconds (within 300 s of the endpoint's).",
  },
  requestNonce: { type: 'apiKey', in: 'header', name: SIGNED_REQUEST_HEADERS.nonce, description: '16 random bytes, base64url (22 characters), never reused.' },
  deviceSignature: { type: 'apiKey', in: 'header', name: SIGNED_REQUEST_HEADERS.signature, description: SIGNING },
  accessToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'An access-service token (`att_acc_…`, POST /v1/admin/access-tokens) or the admin token.',
  },
} as const;

// A console-session request other than GET/HEAD without its x-csrf-token is refused (service/identity/authenticate.ts).
const isRead = (method: string) => method === 'GET' || method === 'HEAD';

/** The console session; a write also needs the CSRF header. */
function sessionRequirement(method: string): Record<string, never[]> {
  return isRead(method) ? { consoleSession: [] } : { consoleSession: [], csrfToken: [] };
}

/** The security requirement of each kind of route (alternatives; each object's schemes all apply). */
export function securityRequirement(security: RouteSecurity, method: string): Record<string, never[]>[] {
  switch (security) {
    case 'admin':
      return [{ adminToken: [] }, sessionRequirement(method)];
    case 'session':
      return [sessionRequirement(method)];
    case 'device':
      return [{ deviceId: [], requestTime: [], requestNonce: [], deviceSignature: [] }];
    case 'access':
      return [{ accessToken: [] }];
    case 'none':
      return [];
  }
}

/** Error codes every route of a kind of security can answer (STORE_CORRUPT: a stored admin with an unknown role). */
const SECURITY_ERRORS: Readonly<Record<RouteSecurity, readonly ErrorCode[]>> = {
  admin: ['ADMIN_UNAUTHORIZED', 'ADMIN_FORBIDDEN', 'STORE_CORRUPT', 'DATABASE_UNAVAILABLE'],
  session: ['ADMIN_UNAUTHORIZED', 'STORE_CORRUPT', 'DATABASE_UNAVAILABLE'],
  device: ['DEVICE_UNKNOWN', 'DEVICE_REVOKED', 'REQUEST_SIGNATURE_INVALID', 'REQUEST_EXPIRED', 'REQUEST_REPLAYED', 'ENDPOINT_BUSY', 'DATABASE_UNAVAILABLE'],
  access: ['ACCESS_UNAUTHORIZED'],
  none: [],
};

/** The error codes the authentication of `method` with `security` can answer: a cookie write also CSRF_FAILED. */
export function securityErrors(security: RouteSecurity, method: string): readonly ErrorCode[] {
  const cookie = security === 'admin' || security === 'session';
  return cookie && !isRead(method) ? [...SECURITY_ERRORS[security], 'CSRF_FAILED'] : SECURITY_ERRORS[security];
}

/** The tags, in the order a reader meets them. */
export const API_TAGS: readonly { name: string; description: string }[] = [
  { name: 'Session', description: 'Console login and logout: the __Host-attache_session cookie and its CSRF token.' },
  { name: 'Admins', description: 'The calling admin, admin accounts, their roles and personal API tokens.' },
  { name: 'Enrollment', description: 'A device joins with an onboarding package.' },
  { name: 'Device', description: 'Signed requests of an enrolled device: policy, reports, signals, key rotation, push channel.' },
  { name: 'Onboarding', description: 'Onboarding packages (enrollment tokens).' },
  { name: 'Policies', description: 'Security settings policies, their versions, status and what-if.' },
  { name: 'Groups', description: 'Static and dynamic device groups.' },
  { name: 'Assignments', description: 'Policies assigned to groups (include or exclude).' },
  { name: 'Devices', description: 'The device directory: status, events, signals, actions.' },
  { name: 'Compliance', description: 'Compliance policies, their assignments and the fleet overview.' },
  { name: 'Alert triage', description: 'Resolve, classify, assign and comment on device alerts; suppression rules.' },
  { name: 'Response actions', description: 'The action center: isolate, scan, collect, quarantine, offboard; cancel; investigation packages.' },
  { name: 'Security tasks', description: 'Remediation of vulnerability recommendations: tasks, their status, history and per-device progress.' },
  { name: 'Vulnerabilities', description: 'Advisory imports, exposure, security recommendations (software inventory: Devices).' },
  { name: 'Access tokens', description: 'Tokens of conditional-access gateways.' },
  { name: 'Signing keys', description: 'The policy-signing key and its rotation.' },
  { name: 'Audit', description: 'The hash-chained audit log of admin actions: listing, export, verification.' },
  { name: 'Console', description: 'The web console: its page and its content-hashed assets (no credentials; it calls the admin API).' },
  { name: 'Access', description: 'The access decision API of a conditional-access gateway.' },
  { name: 'Operations', description: 'Liveness, readiness, metrics, this document.' },
];

/** components of the document (document.ts keeps only the schemas the paths use). */
export function components(): { schemas: Record<string, unknown>; responses: Record<string, unknown>; securitySchemes: typeof SECURITY_SCHEMES } {
  return { schemas: schemas(), responses: errorResponses(), securitySchemes: SECURITY_SCHEMES };
}
