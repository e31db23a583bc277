// The OpenAPI document: valid OpenAPI 3.1, every $ref resolves, every error code a component with its status, request
// bodies taken from the very schema objects the endpoint validates with, and route entries checked as they are built.
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../../common/errors.js';
import { ALL_SCHEMAS, GroupCreateRequest } from '../../../../policy-schemas/src/index.js';
import { componentName, registeredName, toDocumentSchema } from './components.js';
import { buildOpenApiDocument, mergeRouteDocs, openApiJson, parseRouteKey, ROUTE_DOCS, routeErrors } from './document.js';

type Json = Record<string, unknown>;
const doc = buildOpenApiDocument();

/** Every `$ref` in `value` with the JSON pointer where it occurs. */
function refsIn(value: unknown, at = '#', out: { at: string; ref: string }[] = []): { at: string; ref: string }[] {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) refsIn(item, `${at}/${i}`, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') out.push({ at, ref: item });
      else refsIn(item, `${at}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`, out);
    }
  }
  return out;
}

/** The value a local JSON pointer (`#/a/b`) names in `root`, or undefined. */
function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

describe('the OpenAPI document', () => {
  it('validates as OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('is refused by the validator when it is broken (the check above can fail)', async () => {
    const broken = structuredClone(doc) as Json;
    delete (broken.info as Json).version;
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('has only local $refs, and every one resolves', () => {
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(100);
    const broken = refs.filter(({ ref }) => resolvePointer(doc, ref) === undefined).map(({ at, ref }) => `${at}: ${ref}`);
    expect(broken, `unresolved $refs:\n${broken.join('\n')}`).toEqual([]);
    expect(resolvePointer(doc, '#/components/schemas/NoSuchSchema')).toBeUndefined();
  });

  it('carries every error code with its HTTP status, and the error envelope', () => {
    const components = doc.components as { responses: Json; schemas: Json };
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      const response = components.responses[code] as { description: string } | undefined;
      expect(response?.description, code).toMatch(new RegExp(`^${info.status} ${code}: `));
    }
    const codes = (components.schemas.ErrorCode as { oneOf: { const: string }[] }).oneOf.map((c) => c.const);
    expect(codes).toEqual(Object.keys(ERROR_CODES));
    expect(components.schemas.ErrorResponse).toEqual(toDocumentSchema(ALL_SCHEMAS.find((s) => s.$id === 'urn:attache:error-response')));
  });

  it('answers each error of a route under its status, several codes of one status listed together', () => {
    const paths = doc.paths as Record<string, Record<string, { responses: Record<string, Json> }>>;
    const enroll = paths['/v1/enroll']?.post?.responses ?? {};
    expect(enroll['429']).toEqual({ $ref: '#/components/responses/RATE_LIMITED' });
    const unauthorized = JSON.stringify(enroll['401']);
    for (const code of ['ENROLLMENT_TOKEN_INVALID', 'ENROLLMENT_TOKEN_EXPIRED', 'ENROLLMENT_TOKEN_EXHAUSTED']) expect(unauthorized).toContain(code);
    const policy = paths['/v1/admin/policies/{id}']?.put;
    expect(Object.keys(policy?.responses ?? {})).toEqual(['200', '400', '401', '403', '404', '409', '413', '500', '503']);
    const put = routeErrors('PUT', '/v1/admin/policies/{id}', ROUTE_DOCS['PUT /v1/admin/policies/{id}'] ?? ({} as never));
    expect(put).toEqual(expect.arrayContaining(['NOT_FOUND', 'ADMIN_FORBIDDEN', 'CSRF_FAILED', 'AUDIT_UNAVAILABLE', 'AUDIT_WRITE_FAILED']));
    // A read needs no CSRF token and records no audit entry.
    const get = routeErrors('GET', '/v1/admin/policies/{id}', ROUTE_DOCS['GET /v1/admin/policies/{id}'] ?? ({} as never));
    expect(get).toContain('ADMIN_FORBIDDEN');
    expect(get.filter((code) => ['CSRF_FAILED', 'AUDIT_UNAVAILABLE', 'AUDIT_WRITE_FAILED'].includes(code))).toEqual([]);
    const locked = paths['/v1/session']?.post?.responses['429'] as { headers?: Json; description?: string } | undefined;
    expect([locked?.description, locked?.headers?.['Retry-After']]).toEqual([expect.stringContaining('LOGIN_LOCKED'), expect.anything()]);
  });

  it('describes each request body by the schema object the endpoint validates with (identity, not a copy)', () => {
    const paths = doc.paths as Record<string, Record<string, { requestBody?: { content: { 'application/json': { schema: { $ref: string } } } } }>>;
    let bodies = 0;
    for (const [key, route] of Object.entries(ROUTE_DOCS)) {
      if (!route.body) continue;
      bodies++;
      expect(ALL_SCHEMAS.includes(route.body), key).toBe(true);
      const { method, path } = parseRouteKey(key);
      const ref = paths[path]?.[method.toLowerCase()]?.requestBody?.content['application/json'].schema.$ref;
      expect(ref, key).toBe(`#/components/schemas/${componentName(String(route.body.$id))}`);
    }
    expect(bodies).toBeGreaterThanOrEqual(20);
    expect(() => registeredName({ ...GroupCreateRequest })).toThrow(/not in ALL_SCHEMAS/);
  });

  it('refuses a malformed route key, an unknown tag, and a parameter that is not in the path', () => {
    const entry = { summary: 's', tag: 'Devices', security: 'admin', responses: {}, errors: [] } as const;
    expect(() => parseRouteKey('FETCH /x')).toThrow(/not "METHOD \/path"/);
    expect(() => buildOpenApiDocument({ 'GET x': entry })).toThrow(/not "METHOD \/path"/);
    expect(() => buildOpenApiDocument({ 'GET /x': { ...entry, tag: 'Nope' } })).toThrow(/tag "Nope"/);
    expect(() => buildOpenApiDocument({ 'GET /x/{id}': { ...entry, params: { other: { description: 'o', schema: { type: 'string' } } } } })).toThrow(
      /params.other/,
    );
    expect(() => buildOpenApiDocument({ 'GET /a-b': entry, 'GET /a/b': entry })).toThrow(/operationId getAB is taken/);
    expect(() => mergeRouteDocs({ 'GET /x': entry }, { 'GET /y': entry, 'GET /x': entry })).toThrow(/GET \/x is documented twice/);
  });

  it('documents a console-session route, a non-UUID path parameter and an answer in several media types', () => {
    const built = buildOpenApiDocument({
      'DELETE /v1/session/{name}': {
        summary: 'End a session',
        tag: 'Operations',
        security: 'session',
        params: { name: { description: 'A name.', schema: { type: 'string', minLength: 1 } } },
        responses: { 200: { description: 'Rows.', contentType: ['application/x-ndjson', 'text/csv'], schema: { type: 'string' } } },
        errors: [],
      },
    });
    const op = (built.paths as Record<string, Record<string, Json>>)['/v1/session/{name}']?.delete;
    expect(op?.security).toEqual([{ consoleSession: [], csrfToken: [] }]);
    expect(op?.parameters).toEqual([{ name: 'name', in: 'path', required: true, description: 'A name.', schema: { type: 'string', minLength: 1 } }]);
    const ok = (op?.responses as Record<string, { content: Json }> | undefined)?.['200'];
    expect(Object.keys(ok?.content ?? {})).toEqual(['application/x-ndjson', 'text/csv']);
  });

  it('is deterministic JSON with a final newline', () => {
    expect(openApiJson()).toBe(openApiJson());
    expect(openApiJson().endsWith('}\n')).toBe(true);
  });
});
