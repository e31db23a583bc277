// Bodies kept as the bytes that arrived (req.rawBody, and as the body): what a request signature hashes, or a file
// uploaded as it is. One parser for every route that needs them (server.ts parses JSON for the rest).
import type { FastifyInstance } from 'fastify';

/**
 * In `scope` only, bodies of the media `types` stay bytes, at most `bodyLimit`; listing `application/json` replaces the
 * server's JSON parser in that scope (the route parses the JSON itself, after checking what it must first).
 */
export function keepRawBody(scope: FastifyInstance, types: readonly string[], bodyLimit: number): void {
  if (types.includes('application/json')) scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser([...types], { parseAs: 'buffer', bodyLimit }, (req, body, done) => {
    req.rawBody = body as Buffer;
    done(null, body);
  });
}
