// Serves the web console at `/` (index.html, never cached) and `/assets/*` (content-hashed, cached for a year), with
// the security headers of every console answer: a strict Content-Security-Policy (no inline script, no eval, no
// framing), X-Frame-Options, nosniff and no referrer. The console calls only the public admin API (docs/console.md).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AttacheError } from '../../../common/errors.js';
import { type ConsoleFileBody, loadConsoleBundle } from './console-bundle.js';

/** The Content-Security-Policy of every console answer. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Headers set on every console answer (and its 404s). */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONSOLE_CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

function send(reply: FastifyReply, file: ConsoleFileBody, cacheControl: string): FastifyReply {
  return reply.headers({ ...CONSOLE_SECURITY_HEADERS, 'content-type': file.contentType, 'cache-control': cacheControl }).send(file.body);
}

/** Registers `/` and `/assets/:name` on the root scope. Without a built console, `/` answers 404 saying how to build it. */
export function registerConsoleRoutes(app: FastifyInstance, files: ReadonlyMap<string, ConsoleFileBody> = loadConsoleBundle()): void {
  app.get('/', async (_req, reply) => {
    const index = files.get('index.html');
    if (!index) {
      reply.headers(CONSOLE_SECURITY_HEADERS);
      throw new AttacheError('NOT_FOUND', 'the web console is not built: run `npm run build` (it writes dist/console/)');
    }
    return send(reply, index, 'no-cache');
  });
  app.get<{ Params: { name: string } }>('/assets/:name', async (req, reply) => {
    const file = files.get(`assets/${req.params.name}`);
    reply.headers(CONSOLE_SECURITY_HEADERS);
    if (!file) throw new AttacheError('NOT_FOUND', `no console asset ${req.params.name}`);
    return send(reply, file, 'public, max-age=31536000, immutable');
  });
}
