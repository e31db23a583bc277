// What the OpenAPI document says about one route: the entry type of the *-route-docs.ts files.
// Documenting a route is one entry keyed `METHOD /full/path/{param}`; document.ts turns the entries into `paths`.
import type { ErrorCode } from '../../../../common/errors.js';

/** A JSON Schema: a TypeBox schema from policy-schemas/ (with `$id`: referenced as a component) or a small inline one. */
export type SchemaObject = Readonly<Record<string, unknown>>;

/**
 * How a caller authenticates (components.ts SECURITY_SCHEMES): `admin` a bearer token or the console session, `session`
 * the console session cookie only, `device` a signed request, `access` an access-service token; `none`: no credentials
 * (enrollment carries its token in the body).
 */
export type RouteSecurity = 'admin' | 'session' | 'device' | 'access' | 'none';

/** A response other than a JSON body described by a schema alone. */
export interface ResponseDoc {
  readonly description: string;
  /** Body schema; absent: no body (204, 304, 101). */
  readonly schema?: SchemaObject;
  /** Media type(s) of the body, each with `schema` (default application/json). */
  readonly contentType?: string | readonly string[];
  /** Response headers, name → description. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** One query or path parameter. */
export interface ParamDoc {
  readonly description: string;
  readonly schema: SchemaObject;
  readonly required?: boolean;
}

/** The documentation of one route. */
export interface RouteDoc {
  readonly summary: string;
  readonly description?: string;
  /** One of API_TAGS (components.ts): the group the route is listed under. */
  readonly tag: string;
  readonly security: RouteSecurity;
  /** The request body schema: the SAME object the service validates with (one of ALL_SCHEMAS), never a copy. */
  readonly body?: SchemaObject;
  readonly query?: Readonly<Record<string, ParamDoc>>;
  /**
   * The query string's schema: the SAME object the route checks its query with (one of ALL_SCHEMAS); each property is a
   * query parameter and the operation names the component (`x-attache-query-schema`). Not together with `query`.
   */
  readonly querySchema?: SchemaObject;
  /** Path parameters that are not an object's UUID (the default: `The id of the object.`, format uuid). */
  readonly params?: Readonly<Record<string, ParamDoc>>;
  /** Success answers by status: a schema with `$id` (its JSON body; the description is its title) or a ResponseDoc. */
  readonly responses: Readonly<Record<number, SchemaObject | ResponseDoc>>;
  /**
   * Error codes this route answers besides those every route of its security answers (components.ts securityErrors),
   * those of a body (SCHEMA_INVALID, BODY_MALFORMED, BODY_TOO_LARGE), NOT_FOUND for a path with a parameter, the audit
   * codes of an audited admin write (admin-operation.ts), and INTERNAL.
   */
  readonly errors: readonly ErrorCode[];
  /** Vendor extensions of the operation (`x-…`), e.g. the WebSocket messages of the push route. */
  readonly extensions?: Readonly<Record<`x-${string}`, unknown>>;
}

/** Route docs keyed `METHOD /full/path/{param}` (OpenAPI path syntax, upper-case method). */
export type RouteDocs = Readonly<Record<string, RouteDoc>>;

/** The answer of a route that answers 204. */
export const NO_CONTENT = { 204: { description: 'Done; no body.' } } as const;

/** True for a ResponseDoc, false for a bare schema (a schema answered as is always has an `$id`). */
export function isResponseDoc(value: SchemaObject | ResponseDoc): value is ResponseDoc {
  return typeof (value as { $id?: unknown }).$id !== 'string';
}

/** `/v1/admin/policies/:id` (fastify) → `/v1/admin/policies/{id}` (OpenAPI). */
export function openApiPath(fastifyPath: string): string {
  return fastifyPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
