// The HTTPS transport of the admin API client: requests pinned to the endpoint's own CA (system roots are not
// trusted), the admin token, answer timeouts, and error envelopes turned into AttacheErrors with the server's code.
// admin-client.ts builds the typed calls on it.
import type { IncomingMessage } from 'node:http';
import { type RequestOptions, request } from 'node:https';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import type { Static, TSchema } from '@sinclair/typebox';
import { AttacheError, isErrorCode } from '../../../common/errors.js';
import { validate } from '../../../common/validation.js';
import { ErrorResponse } from '../../../policy-schemas/src/index.js';

/** Where the endpoint is and how to authenticate to it. */
export interface AdminConnection {
  readonly url: string;
  readonly token: string;
  readonly caPem: string;
  /** The name the server certificate must cover when it differs from the URL's host (admin.json, own certificate). */
  readonly serverName?: string;
}

interface RawResponse {
  readonly status: number;
  readonly body: unknown;
}

const TLS_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
]);

/** Requests of the admin API; every answer validated against its schema. */
export class AdminTransport {
  constructor(private readonly connection: AdminConnection) {}

  /**
   * One request answered by `schema`, for command files that keep their routes beside them (vulnerability-commands.ts):
   * `raw` sends bytes as they are (a file upload), `timeoutMs` replaces the 30 s answer timeout.
   */
  request<T extends TSchema>(
    method: string,
    path: string,
    schema: T,
    options: { readonly query?: Readonly<Record<string, string | number | undefined>>; readonly raw?: RawBody; readonly timeoutMs?: number } = {},
  ): Promise<Static<T>> {
    return this.send(method, `${path}${queryString(options.query ?? {})}`, undefined, options).then((res) => {
      if (res.status < 200 || res.status >= 300) throw errorFromResponse(res);
      return validate(schema, res.body, schema.title ?? 'answer', 'ENDPOINT_ERROR');
    });
  }

  /** A GET whose 200 body the caller reads as a stream; another status throws the server's error. */
  protected async openStream(path: string, accept: string): Promise<IncomingMessage> {
    const url = new URL(path, this.connection.url);
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(url, this.requestOptions('GET', { accept }), resolve);
      req.on('timeout', () => req.destroy(new AttacheError('ENDPOINT_UNREACHABLE', `no answer from ${url.origin} within 30 s`)));
      req.on('error', (err) => reject(transportError(err, url.origin)));
      req.end();
    });
    if (res.statusCode === 200) return res;
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {}
    throw errorFromResponse({ status: res.statusCode ?? 0, body });
  }

  /** One request whose answer is validated against `schema`. */
  protected async typed<T extends TSchema>(method: string, path: string, schema: T, body?: unknown): Promise<Static<T>> {
    return validate(schema, await this.call(method, path, body), schema.title ?? 'answer', 'ENDPOINT_ERROR');
  }

  /** One request; 2xx answers return the parsed body (null when empty), others throw the server's error. */
  protected async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await this.send(method, path, body);
    if (res.status >= 200 && res.status < 300) return res.body;
    throw errorFromResponse(res);
  }

  /** The pinned CA, the server name, the timeout and the admin token of every request. */
  private requestOptions(method: string, headers: Record<string, string> = {}, timeoutMs = 30_000): RequestOptions {
    return {
      method,
      ca: this.connection.caPem,
      ...(this.connection.serverName === undefined ? {} : { checkServerIdentity: serverIdentityCheck(this.connection.serverName) }),
      timeout: timeoutMs,
      headers: { authorization: `Bearer ${this.connection.token}`, accept: 'application/json', ...headers },
    };
  }

  private send(method: string, path: string, body?: unknown, options: { readonly raw?: RawBody; readonly timeoutMs?: number } = {}): Promise<RawResponse> {
    const payload = options.raw?.bytes ?? (body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8'));
    const contentType = options.raw?.contentType ?? 'application/json';
    const url = new URL(path, this.connection.url);
    const timeoutMs = options.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        this.requestOptions(method, payload ? { 'content-type': contentType, 'content-length': String(payload.length) } : {}, timeoutMs),
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({ status: res.statusCode ?? 0, body: text.length === 0 ? null : JSON.parse(text) });
            } catch (err) {
              reject(new AttacheError('ENDPOINT_ERROR', `endpoint answered ${res.statusCode} with a body that is not JSON`, { cause: err }));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new AttacheError('ENDPOINT_UNREACHABLE', `no answer from ${url.origin} within ${timeoutMs / 1000} s`)));
      req.on('error', (err) => reject(transportError(err, url.origin)));
      req.end(payload);
    });
  }
}

/** A request body sent as it is, with its media type. */
export interface RawBody {
  readonly bytes: Buffer;
  readonly contentType: string;
}

/** `?a=1&b=2` of the defined values of `query` (empty when none). */
export function queryString(query: Readonly<Record<string, string | number | undefined>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Checks the certificate against `name` instead of the URL's host (the local listener an own certificate need not cover). */
function serverIdentityCheck(name: string): (host: string, cert: PeerCertificate) => Error | undefined {
  return (_host, cert) => checkServerIdentity(name, cert);
}

function errorFromResponse(res: RawResponse): AttacheError {
  try {
    const envelope = validate(ErrorResponse, res.body, 'error response', 'ENDPOINT_ERROR');
    const code = isErrorCode(envelope.error.code) ? envelope.error.code : 'ENDPOINT_ERROR';
    return new AttacheError(code, envelope.error.message, { details: envelope.error.details ?? [] });
  } catch {
    return new AttacheError('ENDPOINT_ERROR', `endpoint answered HTTP ${res.status} without an error envelope`);
  }
}

function transportError(err: Error, origin: string): AttacheError {
  if (err instanceof AttacheError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (TLS_ERRORS.has(code)) return new AttacheError('TLS_PIN_MISMATCH', `${origin} does not present a certificate of the pinned CA (${code})`, { cause: err });
  return new AttacheError('ENDPOINT_UNREACHABLE', `cannot reach ${origin}: ${err.message}`, { cause: err });
}
