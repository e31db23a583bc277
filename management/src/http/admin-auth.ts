// Authentication of /v1/admin/*: `Authorization: Bearer <admin token>`, compared by SHA-256 in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AttacheError } from '../../../common/errors.js';

const BEARER_RE = /^Bearer ([!-~]{1,512})$/i;

/** A fastify onRequest hook accepting only the admin token whose SHA-256 hex is `adminTokenHash`. */
export function adminAuthHook(adminTokenHash: string): (req: FastifyRequest) => Promise<void> {
  const expected = Buffer.from(adminTokenHash, 'hex');
  return async (req) => {
    const match = BEARER_RE.exec(req.headers.authorization ?? '');
    const presented = createHash('sha256')
      .update(match?.[1] ?? '', 'utf8')
      .digest();
    if (!match || presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      throw new AttacheError('ADMIN_UNAUTHORIZED', 'missing or wrong admin token');
    }
  };
}
