// Test support: raw HTTPS requests pinned to the endpoint's CA, and a device that signs requests like an agent does.
import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { enrollmentProofString, rawPublicKey, requestSigningString, SIGNED_REQUEST_HEADERS, signBytes } from '../../../common/signing.js';
import type { DeviceFacts } from '../../../policy-schemas/src/index.js';

/** An answer: status, headers, parsed JSON body (null when empty or not JSON). */
export interface TestResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
  /** The body as received (for responses that are not JSON). */
  readonly text: string;
}

/** One HTTPS request trusting only `ca`. Write errors after the server has answered (early 413) are ignored. */
export function httpsRequest(
  baseUrl: string,
  ca: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, baseUrl), { method, ca, headers: options.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = null;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          body = null;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The error code of an error envelope, if the body is one. */
export function errorCode(res: TestResponse): string | undefined {
  return (res.body as { error?: { code?: string } } | null)?.error?.code;
}

/** Device facts used by test devices. */
export const TEST_FACTS: DeviceFacts = { hostname: 'ws-042', platform: 'windows', osVersion: '10.0.22631', arch: 'x64', agentVersion: '0.1.0' };

/** A device with its own Ed25519 key that enrolls and signs requests exactly as docs/protocol.md describes. */
export class TestDevice {
  readonly privateKey: KeyObject;
  readonly publicKey: string;
  deviceId = '';
  /** The device's clock for x-attache-time (the test endpoint gives its devices its own clock, as NTP would). */
  now: () => number = Date.now;

  constructor(
    private readonly baseUrl: string,
    private readonly ca: string,
    /** What the device states about itself at enrollment. */
    readonly facts: DeviceFacts = TEST_FACTS,
  ) {
    const pair = generateKeyPairSync('ed25519');
    this.privateKey = pair.privateKey;
    this.publicKey = rawPublicKey(pair.publicKey);
  }

  /** The enroll request body for `token`, with a valid proof unless `proofKey` is another key. */
  enrollBody(token: string, proofKey: KeyObject = this.privateKey): Record<string, unknown> {
    return { enrollmentToken: token, publicKey: this.publicKey, proof: signBytes(proofKey, enrollmentProofString(token, this.publicKey)), device: this.facts };
  }

  async enroll(token: string): Promise<TestResponse> {
    const res = await httpsRequest(this.baseUrl, this.ca, 'POST', '/v1/enroll', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(this.enrollBody(token)),
    });
    if (res.status === 201) this.deviceId = (res.body as { deviceId: string }).deviceId;
    return res;
  }

  /** Signed headers for one request; `override` replaces fields to build bad requests. */
  signedHeaders(method: string, path: string, body: string, override: { time?: string; nonce?: string; deviceId?: string } = {}): Record<string, string> {
    const deviceId = override.deviceId ?? this.deviceId;
    const time = override.time ?? String(this.now());
    const nonce = override.nonce ?? randomBytes(16).toString('base64url');
    const signature = signBytes(this.privateKey, requestSigningString({ method, path, deviceId, time, nonce, body }));
    return {
      [SIGNED_REQUEST_HEADERS.device]: deviceId,
      [SIGNED_REQUEST_HEADERS.time]: time,
      [SIGNED_REQUEST_HEADERS.nonce]: nonce,
      [SIGNED_REQUEST_HEADERS.signature]: signature,
    };
  }

  /** A signed request; `headers` are sent as given (use signedHeaders to tamper). */
  send(method: string, path: string, body: string, headers: Record<string, string>): Promise<TestResponse> {
    return httpsRequest(this.baseUrl, this.ca, method, path, {
      headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body } : {}),
    });
  }

  get(path: string, extra: Record<string, string> = {}): Promise<TestResponse> {
    return this.send('GET', path, '', { ...this.signedHeaders('GET', path, ''), ...extra });
  }

  post(path: string, value: unknown): Promise<TestResponse> {
    const body = JSON.stringify(value);
    return this.send('POST', path, body, this.signedHeaders('POST', path, body));
  }
}
