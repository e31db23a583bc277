// Turns anything thrown while handling a request into the one error envelope of the protocol:
// `{ error: { code, message, details? } }` with the code's HTTP status. Internal details never reach the client.
import { AttacheError, type ErrorCode } from '../../../common/errors.js';
import type { ErrorResponse } from '../../../policy-schemas/src/index.js';
import { isDatabaseUnavailable } from '../store/transactions.js';

// Fastify's own errors that clients can cause, mapped onto our stable codes.
const FASTIFY_CODES: Readonly<Record<string, { code: ErrorCode; message: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'BODY_TOO_LARGE', message: 'request body exceeds 1 MiB' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'BODY_MALFORMED', message: 'request body must be application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'BODY_MALFORMED', message: 'request body length does not match content-length' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'BODY_MALFORMED', message: 'request body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'BODY_MALFORMED', message: 'request body is not valid JSON' },
};

/** An error as the endpoint answers it. */
export function toClientError(err: unknown): AttacheError {
  if (err instanceof AttacheError) return err;
  const fastifyCode = (err as { code?: unknown } | null)?.code;
  const mapped = typeof fastifyCode === 'string' ? FASTIFY_CODES[fastifyCode] : undefined;
  if (mapped) return new AttacheError(mapped.code, mapped.message, { cause: err });
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (status === 413) return new AttacheError('BODY_TOO_LARGE', 'request body exceeds 1 MiB', { cause: err });
  if (status === 404) return new AttacheError('NOT_FOUND', 'not found', { cause: err });
  if (typeof status === 'number' && status >= 400 && status < 500) return new AttacheError('BODY_MALFORMED', 'malformed request', { cause: err });
  if (isDatabaseUnavailable(err))
    return new AttacheError('DATABASE_UNAVAILABLE', 'the database cannot be reached; the request may not have been stored, retry later', { cause: err });
  return new AttacheError('INTERNAL', 'internal error', { cause: err });
}

/** The response body of an error (urn:attache:error-response), within the schema's length limits. */
export function errorEnvelope(err: AttacheError): ErrorResponse {
  const details = err.details.slice(0, 100).map((d) => ({ path: d.path.slice(0, 1024), message: d.message.slice(0, 2048) }));
  return { error: { code: err.code, message: err.message.slice(0, 4096), ...(details.length > 0 ? { details } : {}) } };
}
