// HTTPS client of the management endpoint: pinned to the onboarding CA, every device request signed with the device key.

import { type KeyObject, randomBytes } from 'node:crypto';
import { Agent, request } from 'node:https';
import { createSecureContext, type SecureContext } from 'node:tls';
import { type Clock, systemClock } from '../../../common/clock.js';
import { AttacheError } from '../../../common/errors.js';
import { parseJsonText } from '../../../common/json-text.js';
import { requestSigningString, SIGNED_REQUEST_HEADERS, signBytes } from '../../../common/signing.js';
import { validate } from '../../../common/validation.js';
import {
  ActionUpdatesAck,
  type ActionUpdatesAck as ActionUpdatesAckT,
  type ActionUpdatesRequest,
  type AlertReport,
  AlertReportAck,
  type AlertReportAck as AlertReportAckT,
  type DeviceKeyRotationRequest as DeviceKeyRotationRequestT,
  DeviceKeyRotationResponse,
  type DeviceKeyRotationResponse as DeviceKeyRotationResponseT,
  type EnrollRequest as EnrollRequestT,
  EnrollResponse,
  type EnrollResponse as EnrollResponseT,
  type HealthUpload,
  type InventoryUpload,
  PackageUploadStatus,
  type PackageUploadStatus as PackageUploadStatusT,
  PoliciesResponse,
  type PoliciesResponse as PoliciesResponseT,
  ReportAck,
  type ReportAck as ReportAckT,
  type SoftwareUpload,
  SoftwareUploadAck,
  type SoftwareUploadAck as SoftwareUploadAckT,
  type StatusReport,
} from '../../../policy-schemas/src/index.js';
import { parseRetryAfterMs } from '../core/retry-after.js';
import { errorFromResponse, isConnectionFailure, transportError } from './endpoint-errors.js';
import { EndpointUrls } from './endpoint-urls.js';

const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * What this agent can do beyond the base protocol, stated on GET /v1/device/policies (and as `capabilities=` on the
 * push upgrade): `actions` — it runs response actions, so the endpoint may deliver them (docs/protocol.md).
 */
export const AGENT_CAPABILITIES = 'actions';
export const CAPABILITIES_HEADER = 'x-attache-capabilities';

/**
 * One TLS secure context per pinned CA for the whole process: parsing the CA and building its trust store once, not
 * per client or per connection (a fleet simulator runs thousands of clients pinned to one CA). Given `ca`, the context
 * trusts only that CA: the system store is never consulted.
 */
const secureContexts = new Map<string, SecureContext>();
/** Distinct CAs kept; a process talks to one endpoint, so more only happens in tests. */
const MAX_SECURE_CONTEXTS = 16;

function pinnedSecureContext(caPem: string): SecureContext {
  let context = secureContexts.get(caPem);
  if (!context) {
    context = createSecureContext({ ca: [caPem] });
    if (secureContexts.size >= MAX_SECURE_CONTEXTS) secureContexts.delete(secureContexts.keys().next().value as string);
    secureContexts.set(caPem, context);
  }
  return context;
}

/** The device identity used to sign requests. */
export interface DeviceCredentials {
  readonly deviceId: string;
  readonly privateKey: KeyObject;
}

export interface EndpointClientOptions {
  /** The preferred endpoint URL. */
  readonly endpointUrl: string;
  /** Other URLs of the same deployment, tried in order when the current one cannot be reached (same pinned CA). */
  readonly alternateEndpointUrls?: readonly string[];
  /** Least time between probes of the preferred URL while on an alternate (default PREFERRED_RETRY_MS). */
  readonly preferredRetryMs?: number;
  readonly caCertificate: string;
  readonly credentials?: DeviceCredentials;
  readonly timeoutMs?: number;
}

export type PoliciesResult = { readonly notModified: true } | { readonly notModified: false; readonly body: PoliciesResponseT };

/** What the client needs: the clock (timers and jitter of the return to the preferred URL) and the signing time. */
export interface EndpointClientDeps {
  /** Default systemClock. */
  readonly clock?: Clock;
  /** The time requests are signed with (default clock.now; the simulator passes a device's skewed time). */
  readonly now?: () => number;
}

export class EndpointClient {
  /** The endpoint's URLs and the one in use: shared with the push client, which follows it. */
  readonly urls: EndpointUrls;
  private readonly agent: Agent;
  private readonly secureContext: SecureContext;
  private readonly now: () => number;
  private credentials: DeviceCredentials | undefined;

  constructor(
    private readonly options: EndpointClientOptions,
    deps: EndpointClientDeps = {},
  ) {
    const clock = deps.clock ?? systemClock;
    this.now = deps.now ?? (() => clock.now());
    this.urls = new EndpointUrls(
      {
        urls: [options.endpointUrl, ...(options.alternateEndpointUrls ?? [])],
        ...(options.preferredRetryMs === undefined ? {} : { preferredRetryMs: options.preferredRetryMs }),
      },
      { clock, probe: (url) => this.probe(url) },
    );
    this.credentials = options.credentials;
    // Only the onboarding CA is trusted for the endpoint; the system store is not consulted.
    this.secureContext = pinnedSecureContext(options.caCertificate);
    this.agent = new Agent({ keepAlive: true, maxSockets: 4, secureContext: this.secureContext });
  }

  async enroll(body: EnrollRequestT): Promise<EnrollResponseT> {
    const res = await this.send('POST', '/v1/enroll', body, {});
    return validate(EnrollResponse, res.json, 'enroll response', 'ENDPOINT_ERROR');
  }

  async getPolicies(etag: string | undefined): Promise<PoliciesResult> {
    const headers: Record<string, string> = { [CAPABILITIES_HEADER]: AGENT_CAPABILITIES, ...(etag ? { 'if-none-match': etag } : {}) };
    const res = await this.send('GET', '/v1/device/policies', undefined, headers);
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

  /** POST /v1/device/actions/updates: where response actions stand on the device; stored by the endpoint before it answers. */
  async postActionUpdates(body: ActionUpdatesRequest): Promise<ActionUpdatesAckT> {
    const res = await this.send('POST', '/v1/device/actions/updates', body, {});
    return validate(ActionUpdatesAck, res.json, 'action updates acknowledgement', 'ENDPOINT_ERROR');
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
   * POST /v1/device/software: the whole software inventory (large and rare: HTTPS only, never the push socket). The
   * agent sends it only when its digest differs from the last acknowledged one (runtime/software-upload.ts).
   */
  async postSoftware(upload: SoftwareUpload): Promise<SoftwareUploadAckT> {
    const res = await this.send('POST', '/v1/device/software', upload, {});
    return validate(SoftwareUploadAck, res.json, 'software upload acknowledgement', 'ENDPOINT_ERROR');
  }

  /**
   * POST /v1/device/key: registers a new device key. Signed with `signWith` (the current key by default; a device
   * that lost the answer confirms with the new key, which the endpoint answers the same).
   */
  async rotateDeviceKey(body: DeviceKeyRotationRequestT, signWith?: KeyObject): Promise<DeviceKeyRotationResponseT> {
    const res = await this.send('POST', '/v1/device/key', body, {}, signWith);
    return validate(DeviceKeyRotationResponse, res.json, 'device key rotation response', 'ENDPOINT_ERROR');
  }

  /** GET /v1/device/actions/:id/package: how much of the action's investigation package the endpoint holds. */
  async getPackageUpload(actionId: string): Promise<PackageUploadStatusT> {
    const res = await this.send('GET', `/v1/device/actions/${encodeURIComponent(actionId)}/package`, undefined, {});
    return validate(PackageUploadStatus, res.json, 'package upload status', 'ENDPOINT_ERROR');
  }

  /**
   * PUT /v1/device/actions/:id/package?offset&size&sha256: one chunk of the package as application/octet-stream. The
   * query is part of the signed path and the signature covers the SHA-256 of the raw chunk bytes.
   */
  async putPackageChunk(
    actionId: string,
    chunk: { readonly offset: number; readonly size: number; readonly sha256: string; readonly bytes: Uint8Array },
  ): Promise<PackageUploadStatusT> {
    const query = new URLSearchParams({ offset: String(chunk.offset), size: String(chunk.size), sha256: chunk.sha256 });
    const path = `/v1/device/actions/${encodeURIComponent(actionId)}/package?${query.toString()}`;
    const res = await this.exchange('PUT', path, { data: chunk.bytes, type: 'application/octet-stream' }, {});
    return validate(PackageUploadStatus, res.json, 'package chunk acknowledgement', 'ENDPOINT_ERROR');
  }

  /** Signs every later request (and push upgrade) with `privateKey`: after a confirmed device-key rotation. */
  useDeviceKey(privateKey: KeyObject): void {
    if (!this.credentials) throw new AttacheError('NOT_ENROLLED', 'device key change without a device identity');
    this.credentials = { deviceId: this.credentials.deviceId, privateKey };
  }

  /** Signed headers for a device request; the push client uses them for the WebSocket upgrade. */
  signedHeaders(method: string, path: string, body: string | Uint8Array, signWith?: KeyObject): Record<string, string> {
    const credentials = this.credentials;
    if (!credentials) throw new AttacheError('NOT_ENROLLED', 'device request without a device identity');
    const time = String(this.now());
    const nonce = randomBytes(16).toString('base64url');
    const toSign = requestSigningString({ method, path, deviceId: credentials.deviceId, time, nonce, body });
    return {
      [SIGNED_REQUEST_HEADERS.device]: credentials.deviceId,
      [SIGNED_REQUEST_HEADERS.time]: time,
      [SIGNED_REQUEST_HEADERS.nonce]: nonce,
      [SIGNED_REQUEST_HEADERS.signature]: signBytes(signWith ?? credentials.privateKey, toSign),
    };
  }

  /** The TLS options the push WebSocket must use: the same secure context, pinned to the onboarding CA. */
  get tls(): { readonly secureContext: SecureContext } {
    return { secureContext: this.secureContext };
  }

  /** The URL in use now (the push socket connects there). */
  get url(): URL {
    return this.urls.current;
  }

  close(): void {
    this.urls.close();
    this.agent.destroy();
  }

  /**
   * Whether the endpoint at `url` answers: an unsigned GET /healthz over the pinned TLS context. Any HTTP answer below
   * 500 counts (an endpoint without that route answers 404); a 5xx (a load balancer with no healthy backend) does not.
   */
  probe(url: URL): Promise<boolean> {
    return this.sendTo(url, 'GET', '/healthz', '', { accept: 'application/json' }).then(
      (res) => res.status < 500,
      () => false,
    );
  }

  /**
   * One request, to the current URL; on a connection-level failure (refused, reset, timed out, TLS) to the next one,
   * each URL at most once per request. An HTTP answer, even an error, comes from a reachable endpoint and is final.
   * After a whole cycle failed the last failure is thrown: the caller's retry backs off (core/backoff.ts).
   */
  private send(method: string, path: string, body: unknown, extra: Record<string, string>, signWith?: KeyObject): Promise<{ status: number; json: unknown }> {
    return this.exchange(method, path, body === undefined ? undefined : { data: JSON.stringify(body), type: 'application/json' }, extra, signWith);
  }

  /** send() for a body already in bytes (JSON text, or a raw package chunk); the signature covers exactly these bytes. */
  private async exchange(
    method: string,
    path: string,
    body: { readonly data: string | Uint8Array; readonly type: string } | undefined,
    extra: Record<string, string>,
    signWith?: KeyObject,
  ): Promise<{ status: number; json: unknown }> {
    const payload = body?.data ?? '';
    for (let attempt = 1; ; attempt++) {
      const base = this.urls.current;
      // Signed afresh per attempt: a request that timed out may have reached a replica, whose nonce check would refuse
      // the same nonce from another one.
      const signed = path.startsWith('/v1/device/') ? this.signedHeaders(method, path, payload, signWith) : {};
      const headers: Record<string, string> = { accept: 'application/json', ...signed, ...extra };
      if (body !== undefined) {
        headers['content-type'] = body.type;
        headers['content-length'] = String(typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength);
      }
      let res: Answer;
      try {
        res = await this.sendTo(base, method, path, payload, headers);
      } catch (err) {
        if (!isConnectionFailure(err)) throw err;
        this.urls.failed(base);
        if (attempt >= this.urls.all.length) throw err;
        continue;
      }
      if (res.status === 304 || (res.status >= 200 && res.status < 300)) return { status: res.status, json: res.json };
      throw errorFromResponse(res.status, res.json, `${method} ${path}`, res.retryAfterMs);
    }
  }

  /** One HTTP exchange with the endpoint at `base`: resolves with any answer, rejects when none came (or it was unreadable). */
  private sendTo(base: URL, method: string, path: string, payload: string | Uint8Array, headers: Record<string, string>): Promise<Answer> {
    const url = new URL(path, base);
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers, agent: this.agent, timeout: timeoutMs }, (res) => {
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
          const retryAfterMs = parseRetryAfterMs(res.headers['retry-after']);
          if (status === 304) return resolve({ status, json: undefined, retryAfterMs });
          try {
            const json = text.length > 0 ? parseJsonText(text, `${method} ${path}: the ${status} response body`, 'ENDPOINT_ERROR') : undefined;
            resolve({ status, json, retryAfterMs });
          } catch (err) {
            reject(err);
          }
        });
      });
      req.on('timeout', () => req.destroy(new AttacheError('ENDPOINT_UNREACHABLE', `${method} ${path}: no answer within ${timeoutMs} ms`)));
      req.on('error', (err) => reject(transportError(err, method, path)));
      req.end(payload);
    });
  }
}

/** An HTTP answer: status, parsed body, and the Retry-After wait when given. */
interface Answer {
  readonly status: number;
  readonly json: unknown;
  readonly retryAfterMs: number | undefined;
}
