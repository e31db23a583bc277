// Errors the HTTP parser and the router raise before any handler runs (431, 414, bad URL, bad request line, missing
// Host, timeout), answered with the same `{ error: { code, message } }` envelope as everything else.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AttacheError } from '../../../common/errors.js';
import { errorEnvelope, toClientError } from './error-envelope.js';

/** Fastify's `maxParamLength` default: no identifier of ours (UUIDs, setting ids) comes near it. */
const MAX_PARAM_LENGTH = 100;

/** The parser error of Node's `clientError` event as one of our codes. */
export function parserError(err: { code?: string }): AttacheError {
  if (err.code === 'HPE_HEADER_OVERFLOW') return new AttacheError('HEADERS_TOO_LARGE', 'the request line and headers exceed 16 KiB');
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return new AttacheError('REQUEST_TIMEOUT', 'the request did not arrive in time');
  return new AttacheError('REQUEST_MALFORMED', `malformed HTTP request${err.code ? ` (${err.code})` : ''}`);
}

/** For Fastify's `clientErrorHandler`: writes the envelope straight to the socket (there is no request object). */
export function clientErrorHandler(err: Error & { code?: string }, socket: Duplex): void {
  // A reset connection has nobody left to answer (https://nodejs.org/api/http.html#event-clienterror).
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const e = parserError(err);
  const body = JSON.stringify(errorEnvelope(e));
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const head = `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  socket.end(head + body, () => socket.destroy());
}

/** For Fastify's `frameworkErrors`: a URL that does not decode, a path segment over the length limit. */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  let e: AttacheError;
  if (err.code === 'FST_ERR_BAD_URL') e = new AttacheError('REQUEST_MALFORMED', 'the request URL is not valid (bad percent-encoding)', { cause: err });
  else if (err.code === 'FST_ERR_MAX_PARAM_LENGTH')
    e = new AttacheError('URI_TOO_LONG', `a segment of the request path is longer than ${MAX_PARAM_LENGTH} characters`, { cause: err });
  else e = toClientError(err);
  reply.code(e.status).send(errorEnvelope(e));
}

/**
 * onRequest hook: an HTTP/1.1 request must name its Host (RFC 9112 §3.2). Node answers that itself with a bare 400,
 * so the server turns Node's check off (`requireHostHeader: false`) and this hook answers it with the envelope.
 */
export async function requireHostHeader(req: FastifyRequest): Promise<void> {
  if (req.raw.httpVersion === '1.1' && req.headers.host === undefined)
    throw new AttacheError('REQUEST_MALFORMED', 'an HTTP/1.1 request must carry a Host header');
}
