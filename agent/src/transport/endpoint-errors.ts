// What a failed device request means: the error an endpoint's answer stands for, the error of a request that got no
// answer, and which of those another URL of the deployment may serve (transport/endpoint-urls.ts).
import { AttacheError, isErrorCode } from '../../../common/errors.js';
import { validate } from '../../../common/validation.js';
import { ErrorResponse } from '../../../policy-schemas/src/index.js';

// Node's codes for a server certificate that does not chain to the pinned CA or does not match the host name.
const TLS_TRUST_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
]);

/** A failure before any answer: another URL of the deployment may serve the request. */
export function isConnectionFailure(err: unknown): boolean {
  return err instanceof AttacheError && (err.code === 'ENDPOINT_UNREACHABLE' || err.code === 'TLS_PIN_MISMATCH');
}

/**
 * The error an endpoint's refusal stands for. A 503 or 429 without the error envelope (a proxy in front of a saturated
 * endpoint) still means "busy" / "rate limited"; `retryAfterMs` is the Retry-After header, which a retry honours.
 */
export function errorFromResponse(status: number, json: unknown, request: string, retryAfterMs: number | undefined): AttacheError {
  const wait = retryAfterMs === undefined ? {} : { retryAfterMs };
  try {
    const body = validate(ErrorResponse, json, 'error response');
    const code = isErrorCode(body.error.code) ? body.error.code : 'ENDPOINT_ERROR';
    return new AttacheError(code, body.error.message, { details: body.error.details ?? [], retryable: status >= 500 || undefined, ...wait });
  } catch {
    const code = status === 503 ? 'ENDPOINT_BUSY' : status === 429 ? 'RATE_LIMITED' : 'ENDPOINT_ERROR';
    return new AttacheError(code, `${request}: endpoint answered ${status}`, { retryable: status >= 500 || status === 429, ...wait });
  }
}

export function transportError(err: unknown, method: string, path: string): AttacheError {
  if (err instanceof AttacheError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (TLS_TRUST_ERRORS.has(code)) return new AttacheError('TLS_PIN_MISMATCH', `${method} ${path}: endpoint certificate rejected (${code})`, { cause: err });
  return new AttacheError('ENDPOINT_UNREACHABLE', `${method} ${path}: ${(err as Error).message}`, { cause: err });
}
