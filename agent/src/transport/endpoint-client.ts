// HTTPS client of the management endpoint: pinned to the onboarding CA, every device request signed with the device key.

import { type KeyObject, randomBytes } from 'node:crypto';
import { Agent, request } from 'node:https';
import { createSecureContext, type SecureContext } from 'node:tls';
import { systemClock } from '../../../common/clock.js';
import { AttacheError, isErrorCode } from '../../../common/errors.js';
import { parseJsonText } from '../../../common/json-text.js';
import { requestSigningString, SIGNED_REQUEST_HEADERS, signBytes } from '../../../common/signing.js';
import { validate } from '../../../common/validation.js';
import {
  type AlertReport,
  AlertReportAck,
  type AlertReportAck as AlertReportAckT,
  type DeviceKeyRotationRequest as DeviceKeyRotationRequestT,
  DeviceKeyRotationResponse,
  type DeviceKeyRotationResponse as DeviceKeyRotationResponseT,
  type EnrollRequest as EnrollRequestT,
  EnrollResponse,
  type EnrollResponse as EnrollResponseT,
  ErrorResponse,
  type HealthUpload,
  type InventoryUpload,
  PoliciesResponse,
  type PoliciesResponse as PoliciesResponseT,
  ReportAck,
  type ReportAck as ReportAckT,
  type StatusReport,
} from '../../../policy-schemas/src/index.js';

const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
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

/** TLS contexts by pinned CA (a device has one or two; a simulated fleet one per endpoint). */
const MAX_PINNED_CONTEXTS = 8;
const pinnedContexts = new Map<string, SecureContext>();

/**
 * The TLS context trusting only `caPem`, built once per CA: building one parses the CA into a new trust store, a cost
 * each new client would otherwise pay again (enrollment, a restarted transport, every host of a simulated fleet).
 */
export function pinnedContext(caPem: string): SecureContext {
  let context = pinnedContexts.get(caPem);
  if (!context) {
    context = createSecureContext({ ca: [caPem] });
    pinnedContexts.set(caPem, context);
    if (pinnedContexts.size > MAX_PINNED_CONTEXTS) pinnedContexts.delete(pinnedContexts.keys().next().value as string);
  }
  return context;
}

/** The device identity used to sign requests. */
export interface DeviceCredentials {
  readonly deviceId: string;
  readonly privateKey: KeyObject;
}

export interface EndpointClientOptions {
  readonly endpointUrl: string;
  readonly caCertificate: string;
  readonly credentials?: DeviceCredentials;
  readonly timeoutMs?: number;
}

export type PoliciesResult = { readonly notModified: true } | { readonly notModified: false; readonly body: PoliciesResponseT };

export class EndpointClient {
  private readonly agent: Agent;
  private readonly base: URL;
  private credentials: DeviceCredentials | undefined;

  constructor(
    private readonly options: EndpointClientOptions,
    private readonly deps: { readonly now: () => number } = { now: systemClock.now },
  ) {
    this.base = new URL(options.endpointUrl);
    this.credentials = options.credentials;
    // Only the onboarding CA is trusted for the endpoint; the system store is not consulted.
    this.agent = new Agent({ keepAlive: true, maxSockets: 4, ca: [options.caCertificate], secureContext: pinnedContext(options.caCertificate) });
  }

  async enroll(body: EnrollRequestT): Promise<EnrollResponseT> {
    const res = await this.send('POST', '/v1/enroll', body, {});
    return validate(EnrollResponse, res.json, 'enroll response', 'ENDPOINT_ERROR');
  }

  async getPolicies(etag: string | undefined): Promise<PoliciesResult> {
    const res = await this.send('GET', '/v1/device/policies', undefined, etag ? { 'if-none-match': etag } : {});
    if (res.status === 304) return { notModified: true };
    // A body that fails its schema is refused as data (SCHEMA_INVALID, a rejected set), not retried as an outage.
    return { notModified: false, body: validate(PoliciesResponse, res.json, 'policies response', 'SCHEMA_INVALID') };
  }

  async postReport(report: StatusReport): Promise<ReportAckT> {
    const res = await this.send('POST', '/v1/device/reports', report, {});
    return validate(ReportAck, res.json, 'report acknowledgement', 'ENDPOINT_ERROR');
  }

  /** POST /v1/device/alerts: alert transitions and the risk level; idempotent by reportId. */
  async postAlerts(report: AlertReport): Promise<AlertReportAckT> {
    const res = await this.send('POST', '/v1/device/alerts', report, {});
    return validate(AlertReportAck, res.json, 'alert report acknowledgement', 'ENDPOINT_ERROR');
  }

  /** POST /v1/device/health (204). */
  async postHealth(upload: HealthUpload): Promise<void> {
    await this.send('POST', '/v1/device/health', upload, {});
  }

  /** POST /v1/device/inventory (204). */
  async postInventory(upload: InventoryUpload): Promise<void> {
    await this.send('POST', '/v1/device/inventory', upload, {});
  }

  /**
   * POST /v1/device/key: registers a new device key. Signed with `signWith` (the current key by default; a device
   * that lost the answer confirms with the new key, which the endpoint answers the same).
   */
  async rotateDeviceKey(body: DeviceKeyRotationRequestT, signWith?: KeyObject): Promise<DeviceKeyRotationResponseT> {
    const res = await this.send('POST', '/v1/device/key', body, {}, signWith);
    return validate(DeviceKeyRotationResponse, res.json, 'device key rotation response', 'ENDPOINT_ERROR');
  }

  /** Signs every later request (and push upgrade) with `privateKey`: after a confirmed device-key rotation. */
  useDeviceKey(privateKey: KeyObject): void {
    if (!this.credentials) throw new AttacheError('NOT_ENROLLED', 'device key change without a device identity');
    this.credentials = { deviceId: this.credentials.deviceId, privateKey };
  }

  /** Signed headers for a device request; the push client uses them for the WebSocket upgrade. */
  signedHeaders(method: string, path: string, body: string, signWith?: KeyObject): Record<string, string> {
    const credentials = this.credentials;
    if (!credentials) throw new AttacheError('NOT_ENROLLED', 'device request without a device identity');
    const time = String(this.deps.now());
    const nonce = randomBytes(16).toString('base64url');
    const toSign = requestSigningString({ method, path, deviceId: credentials.deviceId, time, nonce, body });
    return {
      [SIGNED_REQUEST_HEADERS.device]: credentials.deviceId,
      [SIGNED_REQUEST_HEADERS.time]: time,
      [SIGNED_REQUEST_HEADERS.nonce]: nonce,
      [SIGNED_REQUEST_HEADERS.signature]: signBytes(signWith ?? credentials.privateKey, toSign),
    };
  }

  /** The TLS options the push WebSocket must use (same pinned CA). */
  get tls(): { readonly ca: string[] } {
    return { ca: [this.options.caCertificate] };
  }

  get url(): URL {
    return this.base;
  }

  close(): void {
    this.agent.destroy();
  }

  private send(method: string, path: string, body: unknown, extra: Record<string, string>, signWith?: KeyObject): Promise<{ status: number; json: unknown }> {
    const payload = body === undefined ? '' : JSON.stringify(body);
    const signed = path.startsWith('/v1/device/') ? this.signedHeaders(method, path, payload, signWith) : {};
    const headers: Record<string, string> = { accept: 'application/json', ...signed, ...extra };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const url = new URL(path, this.base);
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers, agent: this.agent, timeout: this.options.timeoutMs ?? 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) req.destroy(new AttacheError('ENDPOINT_ERROR', `response to ${method} ${path} exceeds ${MAX_RESPONSE_BYTES} bytes`));
          else chunks.push(chunk);
        });
        res.on('error', (err) => reject(transportError(err, method, path)));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          if (status === 304) return resolve({ status, json: undefined });
          let json: unknown;
          try {
            json = text.length > 0 ? parseJsonText(text, `${method} ${path}: the ${status} response body`, 'ENDPOINT_ERROR') : undefined;
          } catch (err) {
            return reject(err);
          }
          if (status >= 200 && status < 300) return resolve({ status, json });
          reject(errorFromResponse(status, json, method, path));
        });
      });
      req.on('timeout', () =>
        req.destroy(new AttacheError('ENDPOINT_UNREACHABLE', `${method} ${path}: no answer within ${this.options.timeoutMs ?? 30_000} ms`)),
      );
      req.on('error', (err) => reject(transportError(err, method, path)));
      req.end(payload);
    });
  }
}

function errorFromResponse(status: number, json: unknown, method: string, path: string): AttacheError {
  try {
    const body = validate(ErrorResponse, json, 'error response');
    const code = isErrorCode(body.error.code) ? body.error.code : 'ENDPOINT_ERROR';
    return new AttacheError(code, body.error.message, { details: body.error.details ?? [], retryable: status >= 500 || undefined });
  } catch {
    return new AttacheError('ENDPOINT_ERROR', `${method} ${path}: endpoint answered ${status}`, { retryable: status >= 500 });
  }
}

function transportError(err: unknown, method: string, path: string): AttacheError {
  if (err instanceof AttacheError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (TLS_TRUST_ERRORS.has(code)) return new AttacheError('TLS_PIN_MISMATCH', `${method} ${path}: endpoint certificate rejected (${code})`, { cause: err });
  return new AttacheError('ENDPOINT_UNREACHABLE', `${method} ${path}: ${(err as Error).message}`, { cause: err });
}
