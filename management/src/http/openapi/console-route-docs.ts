// OpenAPI entries of the web console's files (console-routes.ts): its page at `/` and its content-hashed assets. No
// credentials: the console logs in with POST /v1/session and reads the admin API like any client (docs/console.md).
import { CONSOLE_SECURITY_HEADERS } from '../console-routes.js';
import type { RouteDocs } from './route-doc.js';

/** The security headers every console answer carries (read from console-routes.ts), for the answers' `headers`. */
const SECURITY_HEADERS = Object.fromEntries(Object.entries(CONSOLE_SECURITY_HEADERS).map(([name, value]) => [name, `Always \`${value}\`.`]));

/** Media types of the assets the console build writes (scripts/build-console.ts: one script and one style sheet). */
export const CONSOLE_ASSET_TYPES = ['text/javascript; charset=utf-8', 'text/css; charset=utf-8'] as const;

/** The console routes. */
export const CONSOLE_ROUTE_DOCS: RouteDocs = {
  'GET /': {
    summary: 'The web console (index.html); never cached',
    description: 'NOT_FOUND when the endpoint was run from source without `npm run build` (no dist/console/).',
    tag: 'Console',
    security: 'none',
    responses: {
      200: {
        description: 'The console page.',
        contentType: 'text/html; charset=utf-8',
        schema: { type: 'string' },
        headers: { ...SECURITY_HEADERS, 'Cache-Control': 'no-cache' },
      },
    },
    errors: ['NOT_FOUND'],
  },
  'GET /assets/{name}': {
    summary: 'A console asset (content-hashed name; cached for a year)',
    tag: 'Console',
    security: 'none',
    params: { name: { description: 'The file name, e.g. main-<hash>.js.', schema: { type: 'string', minLength: 1 } } },
    responses: {
      200: {
        description: 'The asset.',
        contentType: CONSOLE_ASSET_TYPES,
        schema: { type: 'string' },
        headers: { ...SECURITY_HEADERS, 'Cache-Control': 'public, max-age=31536000, immutable' },
      },
    },
    errors: [],
  },
};
