// GET /v1/openapi.json: the OpenAPI document (document.ts), unauthenticated and cacheable. Built once per process on
// first request (the document is a pure function of the code), answered with an ETag and 304 for a matching If-None-Match.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { etagMatches } from '../device-routes.js';
import { OPENAPI_PATH } from './access-ops-route-docs.js';
import { openApiJson } from './document.js';

/** The served bytes and their tag; built on first use. */
let served: { readonly json: string; readonly etag: string } | undefined;

function document(): { readonly json: string; readonly etag: string } {
  if (!served) {
    const json = openApiJson();
    served = { json, etag: `"${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"` };
  }
  return served;
}

/** Registers GET /v1/openapi.json on `app` (the root scope: no authentication hook applies). */
export function registerOpenApiRoute(app: FastifyInstance): void {
  app.get(OPENAPI_PATH, async (req, reply) => {
    const { json, etag } = document();
    // Public and the same for every caller; revalidated after an hour (a new build of the endpoint may change it).
    reply.header('cache-control', 'public, max-age=3600').header('etag', etag);
    if (etagMatches(req.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(json);
  });
}
