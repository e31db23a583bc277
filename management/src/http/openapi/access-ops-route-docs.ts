// OpenAPI entries of the access decision API (/v1/access/*) and the unauthenticated operations routes (/healthz,
// /readyz, /metrics, this document). One entry per route, keyed `METHOD /full/path/{param}`.
import { AccessDecision, HealthzAnswer, ReadyzAnswer } from '../../../../policy-schemas/src/index.js';
import type { RouteDocs } from './route-doc.js';

/** Where the document is served. */
export const OPENAPI_PATH = '/v1/openapi.json';

/** The access API and the operations routes. */
export const ACCESS_OPS_ROUTE_DOCS: RouteDocs = {
  'GET /v1/access/devices/{id}': {
    summary: "A device's precomputed access decision (conditional-access gateway)",
    tag: 'Access',
    security: 'access',
    params: { id: { description: 'The device id (any case).', schema: { type: 'string' } } },
    responses: { 200: AccessDecision },
    errors: [],
  },
  'GET /healthz': {
    summary: 'Liveness: the process serves (no database access)',
    tag: 'Operations',
    security: 'none',
    responses: { 200: HealthzAnswer },
    errors: [],
  },
  'GET /readyz': {
    summary: 'Readiness: the database answers and every migration of this build ran',
    tag: 'Operations',
    security: 'none',
    responses: {
      200: { description: 'Ready.', schema: ReadyzAnswer },
      503: { description: 'Not ready, and why.', schema: ReadyzAnswer },
    },
    errors: [],
  },
  'GET /metrics': {
    summary: 'Prometheus metrics (only with --metrics on; with --metrics host:port on that plain-HTTP listener instead)',
    tag: 'Operations',
    security: 'none',
    responses: { 200: { description: 'Prometheus text exposition format.', contentType: 'text/plain; version=0.0.4', schema: { type: 'string' } } },
    errors: [],
  },
  [`GET ${OPENAPI_PATH}`]: {
    summary: 'This OpenAPI 3.1 document (also docs/openapi.json)',
    tag: 'Operations',
    security: 'none',
    responses: {
      200: {
        description: 'The document; cacheable, with an ETag.',
        schema: { type: 'object', description: 'OpenAPI 3.1 document' },
        headers: { ETag: 'The tag of this document.' },
      },
      304: { description: 'The document named by If-None-Match is current.' },
    },
    errors: [],
  },
};
