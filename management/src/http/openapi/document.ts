// Builds the OpenAPI 3.1 document of the endpoint from the route entries (ROUTE_DOCS) and the TypeBox schemas the
// endpoint validates with: paths, per-route error answers grouped by HTTP status, components. Pure and deterministic:
// GET /v1/openapi.json serves it and `npm run gen` writes the same bytes to docs/openapi.json.
import { ERROR_CODES, type ErrorCode } from '../../../../common/errors.js';
import { ATTACHE_VERSION } from '../../../../common/version.js';
import { ACCESS_OPS_ROUTE_DOCS } from './access-ops-route-docs.js';
import { ACTION_ROUTE_DOCS } from './action-route-docs.js';
import { adminAuditErrors, adminExtensions, adminNote, isAdminPath } from './admin-operation.js';
import { ADMIN_ROUTE_DOCS } from './admin-route-docs.js';
import { AUDIT_ROUTE_DOCS } from './audit-route-docs.js';
import { COMPLIANCE_ROUTE_DOCS } from './compliance-route-docs.js';
import {
  API_TAGS,
  components,
  errorBodySchema,
  hasRetryAfter,
  registeredName,
  schemaRef,
  securityErrors,
  securityRequirement,
  toDocumentSchema,
} from './components.js';
import { CONSOLE_ROUTE_DOCS } from './console-route-docs.js';
import { DEVICE_ROUTE_DOCS } from './device-route-docs.js';
import { IDENTITY_ROUTE_DOCS } from './identity-route-docs.js';
import { isResponseDoc, type ParamDoc, type ResponseDoc, type RouteDoc, type RouteDocs, type SchemaObject } from './route-doc.js';
import { SECURITY_TASK_ROUTE_DOCS } from './security-task-route-docs.js';
import { TRIAGE_ROUTE_DOCS } from './triage-route-docs.js';
import { VULNERABILITY_ROUTE_DOCS } from './vulnerability-route-docs.js';

/** The entries of several files as one; a route documented twice is an error (a spread would silently keep one). */
export function mergeRouteDocs(...files: readonly RouteDocs[]): RouteDocs {
  const out: Record<string, RouteDoc> = {};
  for (const file of files) {
    for (const [key, doc] of Object.entries(file)) {
      if (key in out) throw new Error(`route ${key} is documented twice`);
      out[key] = doc;
    }
  }
  return out;
}

/** Every documented route. A route registered on the server needs an entry in one of these files. */
export const ROUTE_DOCS: RouteDocs = mergeRouteDocs(
  DEVICE_ROUTE_DOCS,
  ADMIN_ROUTE_DOCS,
  COMPLIANCE_ROUTE_DOCS,
  TRIAGE_ROUTE_DOCS,
  ACTION_ROUTE_DOCS,
  IDENTITY_ROUTE_DOCS,
  AUDIT_ROUTE_DOCS,
  CONSOLE_ROUTE_DOCS,
  ACCESS_OPS_ROUTE_DOCS,
  SECURITY_TASK_ROUTE_DOCS,
  VULNERABILITY_ROUTE_DOCS,
);

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE'] as const;
const BODY_ERRORS: readonly ErrorCode[] = ['SCHEMA_INVALID', 'BODY_MALFORMED', 'BODY_TOO_LARGE'];

/** `METHOD /path` → method and path; throws on a malformed key. */
export function parseRouteKey(key: string): { method: (typeof METHODS)[number]; path: string } {
  const [method, path, ...rest] = key.split(' ');
  if (!METHODS.includes(method as (typeof METHODS)[number]) || !path?.startsWith('/') || rest.length > 0) {
    throw new Error(`route doc key "${key}" is not "METHOD /path"`);
  }
  return { method: method as (typeof METHODS)[number], path };
}

/** A body schema: a `$ref` to its component when registered (ALL_SCHEMAS), else inline. */
function schemaOf(schema: SchemaObject): unknown {
  return typeof schema.$id === 'string' ? schemaRef(registeredName(schema)) : toDocumentSchema(schema);
}

function successResponse(answer: SchemaObject | ResponseDoc): Record<string, unknown> {
  const doc: ResponseDoc = isResponseDoc(answer) ? answer : { description: String(answer.title ?? 'OK'), schema: answer };
  const headers = doc.headers
    ? Object.fromEntries(Object.entries(doc.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]))
    : undefined;
  return {
    description: doc.description,
    ...(headers ? { headers } : {}),
    ...(doc.schema
      ? { content: Object.fromEntries([doc.contentType ?? 'application/json'].flat().map((type) => [type, { schema: schemaOf(doc.schema as SchemaObject) }])) }
      : {}),
  };
}

/** Every error code `METHOD path` can answer, in catalogue order. */
export function routeErrors(method: string, path: string, doc: RouteDoc): ErrorCode[] {
  const codes = new Set<ErrorCode>([...securityErrors(doc.security, method), ...doc.errors, 'INTERNAL']);
  if (isAdminPath(path)) for (const code of adminAuditErrors(method, path)) codes.add(code);
  if (doc.body) for (const code of BODY_ERRORS) codes.add(code);
  if (path.includes('{')) codes.add('NOT_FOUND');
  return (Object.keys(ERROR_CODES) as ErrorCode[]).filter((code) => codes.has(code));
}

/** The error answers of a route: one per status; a status shared by several codes lists them all. */
function errorResponses(codes: readonly ErrorCode[]): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_CODES[code].status, [...(byStatus.get(ERROR_CODES[code].status) ?? []), code]);
  const out: Record<string, unknown> = {};
  for (const [status, group] of [...byStatus].sort(([a], [b]) => a - b)) {
    const [only] = group;
    if (group.length === 1 && only) {
      out[String(status)] = { $ref: `#/components/responses/${only}` };
      continue;
    }
    out[String(status)] = {
      description: group.map((code) => `${code}: ${ERROR_CODES[code].description}`).join(' | '),
      ...(group.some(hasRetryAfter)
        ? { headers: { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 0 } } } }
        : {}),
      content: { 'application/json': { schema: errorBodySchema(group) } },
    };
  }
  return out;
}

function operationId(method: string, path: string): string {
  const words = path
    .split('/')
    .filter(Boolean)
    .map((segment) => segment.replace(/^\{(.+)\}$/, 'by-$1'))
    .flatMap((segment) => segment.split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  return [method.toLowerCase(), ...words.map((w) => w.charAt(0).toUpperCase() + w.slice(1))].join('');
}

const UUID_PARAM: ParamDoc = { description: 'The id of the object.', schema: { type: 'string', format: 'uuid' } };

function parameter(name: string, where: 'path' | 'query', doc: ParamDoc): Record<string, unknown> {
  return { name, in: where, required: where === 'path' || (doc.required ?? false), description: doc.description, schema: toDocumentSchema(doc.schema) };
}

/** The query parameters of a query schema: one per property, required as the schema says. */
function queryParams(schema: SchemaObject): Record<string, ParamDoc> {
  const name = registeredName(schema);
  const required = (schema.required ?? []) as readonly string[];
  const properties = (schema.properties ?? {}) as Record<string, SchemaObject>;
  return Object.fromEntries(
    Object.entries(properties).map(([key, property]) => [
      key,
      { description: String(property.description ?? `See ${name}.`), schema: property, required: required.includes(key) },
    ]),
  );
}

function parameters(path: string, doc: RouteDoc): Record<string, unknown>[] {
  const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');
  for (const name of Object.keys(doc.params ?? {})) if (!names.includes(name)) throw new Error(`route doc ${path}: params.${name} is not in the path`);
  if (doc.query && doc.querySchema) throw new Error(`route doc ${path}: give query or querySchema, not both`);
  const query = doc.querySchema ? queryParams(doc.querySchema) : (doc.query ?? {});
  return [
    ...names.map((name) => parameter(name, 'path', doc.params?.[name] ?? UUID_PARAM)),
    ...Object.entries(query).map(([name, q]) => parameter(name, 'query', q)),
  ];
}

function operation(method: string, path: string, doc: RouteDoc): Record<string, unknown> {
  const params = parameters(path, doc);
  const responses: Record<string, unknown> = {};
  for (const [status, answer] of Object.entries(doc.responses)) responses[status] = successResponse(answer);
  Object.assign(responses, errorResponses(routeErrors(method, path, doc)));
  const admin = isAdminPath(path);
  const description = [doc.description, admin ? adminNote(method, path) : undefined].filter(Boolean).join(' ');
  return {
    operationId: operationId(method, path),
    summary: doc.summary,
    ...(description ? { description } : {}),
    tags: [doc.tag],
    security: securityRequirement(doc.security, method),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(doc.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaRef(registeredName(doc.body)) } } } } : {}),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b))),
    ...(doc.querySchema ? { 'x-attache-query-schema': schemaRef(registeredName(doc.querySchema)) } : {}),
    ...(admin ? adminExtensions(method, path) : {}),
    ...(doc.extensions ?? {}),
  };
}

const DESCRIPTION = `The admin, console, device and access APIs of the Attaché management endpoint, generated from the TypeBox schemas in \
policy-schemas/ that the endpoint validates requests with (one source of truth; docs/api.md). Every error answer is the \
envelope ErrorResponse with a stable code (components.schemas.ErrorCode, docs/errors.md). Besides the codes each operation \
lists, any request can be refused before routing with REQUEST_MALFORMED, URI_TOO_LONG, HEADERS_TOO_LARGE or REQUEST_TIMEOUT. \
Each /v1/admin operation names the permission it needs (x-attache-permission) and, when it records one, its audit action \
(x-attache-audit-action).`;

/** The component schema names `value` references (`#/components/schemas/<name>`), directly. */
function schemaRefsIn(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const item of value) schemaRefsIn(item, into);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string' && item.startsWith('#/components/schemas/')) into.add(item.slice('#/components/schemas/'.length));
      else schemaRefsIn(item, into);
    }
  }
  return into;
}

/** Only the schemas the API uses (reachable from `roots`): agent files, the control channel and the simulator stay out. */
function usedSchemas(all: Record<string, unknown>, roots: unknown): Record<string, unknown> {
  const used = new Set<string>();
  const queue = [...schemaRefsIn(roots, new Set(['ErrorCode']))];
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    if (used.has(name)) continue;
    if (!(name in all)) throw new Error(`#/components/schemas/${name} is referenced but not a component`);
    used.add(name);
    queue.push(...schemaRefsIn(all[name], new Set()));
  }
  return Object.fromEntries(Object.entries(all).filter(([name]) => used.has(name)));
}

/** The OpenAPI 3.1 document of `docs` (default: every documented route). */
export function buildOpenApiDocument(docs: RouteDocs = ROUTE_DOCS): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const operationIds = new Set<string>();
  for (const [key, doc] of Object.entries(docs)) {
    const { method, path } = parseRouteKey(key);
    if (!API_TAGS.some((tag) => tag.name === doc.tag)) throw new Error(`route doc ${key}: tag "${doc.tag}" is not one of API_TAGS`);
    const op = operation(method, path, doc);
    if (operationIds.has(String(op.operationId))) throw new Error(`route doc ${key}: operationId ${String(op.operationId)} is taken`);
    operationIds.add(String(op.operationId));
    paths[path] ??= {};
    paths[path][method.toLowerCase()] = op;
  }
  const parts = components();
  const schemas = usedSchemas(parts.schemas, [paths, parts.responses]);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Attaché management endpoint',
      version: ATTACHE_VERSION,
      description: DESCRIPTION,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: API_TAGS,
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: { ...parts, schemas },
  };
}

/** The document as served and committed: 2-space JSON with a final newline. */
export function openApiJson(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}
