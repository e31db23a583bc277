// The software upload route (8 MiB bodies) refuses before reading the body: unknown, revoked or stale-clocked senders
// are answered while most of their body is still unsent, and at most SOFTWARE_UPLOADS_IN_FLIGHT uploads are read at
// once (beyond: 503 ENDPOINT_BUSY with Retry-After). Review 18 H1.
import { randomUUID } from 'node:crypto';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SIGNED_REQUEST_HEADERS } from '../../../common/signing.js';
import { debianUpload } from '../service/vulnerabilities/testing/service-fixtures.js';
import { errorCode, type TestResponse } from '../testing/https-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';
import { SOFTWARE_BODY_LIMIT, SOFTWARE_UPLOADS_IN_FLIGHT } from './vulnerability-routes.js';

let t: TestEndpoint;
beforeAll(async () => {
  t = await startTestEndpoint();
});
afterAll(async () => {
  await t?.close();
});

interface Held {
  /** Resolves with the answer, or with status 0 when none came within `waitMs`. */
  readonly answer: Promise<TestResponse>;
  abort(): void;
}

/** Announces an almost-8 MiB JSON body, sends only its first 64 KiB and waits up to `waitMs` for an answer. */
function heldUpload(headers: Record<string, string>, waitMs: number): Held {
  const length = SOFTWARE_BODY_LIMIT - 1;
  const req = request(new URL('/v1/device/software', t.endpoint.url), {
    method: 'POST',
    ca: t.ca,
    agent: false,
    headers: { ...headers, 'content-type': 'application/json', 'content-length': String(length) },
  });
  const answer = new Promise<TestResponse>((resolve) => {
    const timer = setTimeout(() => resolve({ status: 0, headers: {}, body: null, text: '' }), waitMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : null, text });
      });
    });
    req.on('error', () => undefined);
  });
  req.write(Buffer.alloc(64 * 1024, 0x20));
  return { answer, abort: () => req.destroy() };
}

function formHeaders(deviceId: string, time = String(t.now())): Record<string, string> {
  return {
    [SIGNED_REQUEST_HEADERS.device]: deviceId,
    [SIGNED_REQUEST_HEADERS.time]: time,
    [SIGNED_REQUEST_HEADERS.nonce]: 'AAAAAAAAAAAAAAAAAAAAAA',
    [SIGNED_REQUEST_HEADERS.signature]: 'x',
  };
}

describe('POST /v1/device/software before the body', () => {
  it('answers 20 concurrent uploads from unknown devices before their bodies are sent', async () => {
    const held = Array.from({ length: 20 }, () => heldUpload(formHeaders(randomUUID()), 5_000));
    const answers = await Promise.all(held.map((h) => h.answer));
    for (const h of held) h.abort();
    expect(answers.map((a) => `${a.status} ${errorCode(a)}`)).toEqual(Array(20).fill('401 DEVICE_UNKNOWN'));
  });

  it('answers a malformed device header, a revoked device and a clock outside the window before the body', async () => {
    const revoked = await t.enrolledDevice();
    expect(await t.endpoint.context.store.revokeDevice(revoked.deviceId)).toBe(true);
    const stale = await t.enrolledDevice();
    const held = [
      heldUpload(formHeaders('not-a-uuid'), 5_000),
      heldUpload(formHeaders(revoked.deviceId), 5_000),
      heldUpload(formHeaders(stale.deviceId, String(t.now() - 600_000)), 5_000),
    ];
    const answers = await Promise.all(held.map((h) => h.answer));
    for (const h of held) h.abort();
    expect(answers.map((a) => errorCode(a))).toEqual(['DEVICE_UNKNOWN', 'DEVICE_REVOKED', 'REQUEST_EXPIRED']);
  });

  it(`reads at most ${SOFTWARE_UPLOADS_IN_FLIGHT} uploads at once; one more is refused 503 ENDPOINT_BUSY, and slots come back`, async () => {
    const device = await t.enrolledDevice({ facts: { platform: 'linux', osVersion: '12', hostname: 'deb-01' } });
    const held = Array.from({ length: SOFTWARE_UPLOADS_IN_FLIGHT }, () => heldUpload(formHeaders(device.deviceId), 60_000));
    const probes: Held[] = [];
    try {
      // The held uploads reach the server in their own time: probe until one is refused (an admitted probe is dropped).
      const busy = await vi.waitFor(
        async () => {
          const probe = heldUpload(formHeaders(device.deviceId), 500);
          probes.push(probe);
          const answer = await probe.answer;
          probe.abort();
          expect(answer.status).toBe(503);
          return answer;
        },
        { timeout: 10_000, interval: 50 },
      );
      expect(errorCode(busy)).toBe('ENDPOINT_BUSY');
      expect(Number(busy.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    } finally {
      for (const h of [...held, ...probes]) h.abort();
    }
    // Aborted uploads give their slots back: a real, signed upload is accepted.
    const ok = await vi.waitFor(
      async () => {
        const res = await device.post('/v1/device/software', debianUpload(device.deviceId));
        expect(res.status, res.text).toBe(200);
        return res;
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(ok.body).toMatchObject({ stored: true });
  });
});
