// Test support for response actions: a test device's capable policies fetch, its action updates and a signed chunk of
// an investigation package (application/octet-stream, the query signed with the path).
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { requestSigningString, SIGNED_REQUEST_HEADERS, signBytes } from '../../../common/signing.js';
import type { ActionUpdate } from '../../../policy-schemas/src/index.js';
import { httpsRequest, type TestDevice, type TestResponse } from './https-client.js';

/** GET /v1/device/policies as an agent that runs actions (x-attache-capabilities: actions). */
export function capablePolicies(device: TestDevice, extra: Record<string, string> = {}): Promise<TestResponse> {
  return device.get('/v1/device/policies', { 'x-attache-capabilities': 'actions', ...extra });
}

/** POST /v1/device/actions/updates with these updates (deviceId and `at` filled in). */
export function postUpdates(device: TestDevice, updates: readonly (Omit<ActionUpdate, 'deviceId' | 'at'> & { at?: string })[]): Promise<TestResponse> {
  const at = new Date(device.now()).toISOString();
  return device.post('/v1/device/actions/updates', { updates: updates.map((u) => ({ deviceId: device.deviceId, at, ...u })) });
}

/** PUT /v1/device/actions/:id/package?offset&size&sha256 with `data`, signed by the device. */
export function putChunk(
  baseUrl: string,
  ca: string,
  device: TestDevice,
  actionId: string,
  q: { offset: number; size: number; sha256: string },
  data: Buffer,
): Promise<TestResponse> {
  const path = `/v1/device/actions/${actionId}/package?offset=${q.offset}&size=${q.size}&sha256=${q.sha256}`;
  const time = String(device.now());
  const nonce = randomBytes(16).toString('base64url');
  const signature = signBytes(device.privateKey, requestSigningString({ method: 'PUT', path, deviceId: device.deviceId, time, nonce, body: data }));
  return httpsRequest(baseUrl, ca, 'PUT', path, {
    headers: {
      'content-type': 'application/octet-stream',
      [SIGNED_REQUEST_HEADERS.device]: device.deviceId,
      [SIGNED_REQUEST_HEADERS.time]: time,
      [SIGNED_REQUEST_HEADERS.nonce]: nonce,
      [SIGNED_REQUEST_HEADERS.signature]: signature,
    },
    body: data,
  });
}

/** An admin GET answered with bytes (the package download): status, headers and the exact body. */
export function adminBytes(baseUrl: string, ca: string, token: string, path: string): Promise<{ status: number; headers: IncomingHttpHeaders; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(`/v1/admin${path}`, baseUrl), { method: 'GET', ca, headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}
