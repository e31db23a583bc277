// Integration test of admission control over real loopback HTTPS: a saturated endpoint answers device requests and the
// push upgrade with 503 ENDPOINT_BUSY + Retry-After before touching the store; below the limit nothing changes; the
// admin and access APIs are never refused. Saturation is made by holding a request open or by the injected load probe.
import type { ClientRequest } from 'node:http';
import { request } from 'node:https';
import { afterAll, afterEach, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import { errorCode, httpsRequest, TestDevice, type TestResponse } from '../testing/https-client.js';
import { TestPushClient } from '../testing/push-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';

/** The event-loop delay the endpoint's admission control samples at each `t.ticker.tick()`. */
const load = { delayMs: 0 };
let t: TestEndpoint;
let device: TestDevice;

beforeAll(async () => {
  const probe = { sample: () => load.delayMs, close: () => {} };
  t = await startTestEndpoint(
    { admission: { maxInFlight: 1, maxInFlightUpgrades: 1, minInFlight: 0, maxEventLoopDelayMs: 500, minRetryAfterSeconds: 2, maxRetryAfterSeconds: 9 } },
    { loadProbe: probe },
  );
  device = await t.enrolledDevice();
});

afterAll(async () => {
  await t.close();
});

afterEach(() => {
  vi.restoreAllMocks();
});

const stats = () => {
  if (!t.endpoint.admission) throw new Error('admission control is off');
  return t.endpoint.admission.stats();
};

/** Spies on every method of the endpoint's store; none may be called while requests are refused. */
function spyOnStore(): MockInstance[] {
  const store = t.endpoint.context.store as unknown as Record<string, unknown>;
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(store); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== 'constructor' && typeof store[name] === 'function') names.add(name);
  }
  expect(names.has('getDevice')).toBe(true);
  return [...names].map((name) => vi.spyOn(store as Record<string, () => unknown>, name));
}

function expectBusy(res: TestResponse): void {
  expect(res.status).toBe(503);
  expect(errorCode(res)).toBe('ENDPOINT_BUSY');
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter) && retryAfter >= 2 && retryAfter <= 9, String(res.headers['retry-after'])).toBe(true);
}

/** An enrollment whose body is only half sent: the endpoint has admitted it and waits for the rest. */
async function heldEnrollment(): Promise<{ req: ClientRequest; rest: string; response: Promise<number> }> {
  const pkg = await t.onboarding();
  const body = JSON.stringify(new TestDevice(t.endpoint.url, t.ca).enrollBody(pkg.enrollmentToken));
  const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
  const req = request(new URL('/v1/enroll', t.endpoint.url), { method: 'POST', ca: t.ca, headers, agent: false });
  const response = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
  const half = body.length >> 1;
  req.write(body.slice(0, half));
  await vi.waitFor(() => expect(stats().inFlight).toBe(1));
  return { req, rest: body.slice(half), response };
}

describe('below the limit', () => {
  it('answers device requests as before and frees the slot when the response is done', async () => {
    const before = stats();
    const res = await device.get('/v1/device/policies');
    expect(res.status).toBe(200);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(stats().admitted).toBe(before.admitted + 1);
    expect(stats().refused).toBe(before.refused);
    await vi.waitFor(() => expect(stats().inFlight).toBe(0));
  });

  it('opens the push socket and frees the upgrade slot once the socket is established', async () => {
    const push = await TestPushClient.open(t.endpoint.url, t.ca, device);
    expect(await push.next()).toMatchObject({ type: 'hello', deviceId: device.deviceId });
    await vi.waitFor(() => expect(stats().inFlightUpgrades).toBe(0));
    // The slot is free while the socket stays open: the next upgrade is admitted (and replaces this one).
    const second = await TestPushClient.open(t.endpoint.url, t.ca, device);
    expect(await second.next()).toMatchObject({ type: 'hello' });
    push.close();
    second.close();
  });
});

describe('saturated by requests in flight', () => {
  it('refuses further device requests with 503 ENDPOINT_BUSY and Retry-After, without touching the store', async () => {
    const held = await heldEnrollment();
    const spies = spyOnStore();
    expectBusy(await device.get('/v1/device/policies'));
    expectBusy(await device.post('/v1/device/reports', { not: 'even parsed' }));
    expectBusy(await httpsRequest(t.endpoint.url, t.ca, 'POST', '/v1/enroll', { headers: { 'content-type': 'application/json' }, body: '{"x":' }));
    for (const spy of spies) expect(spy, spy.getMockName()).not.toHaveBeenCalled();
    vi.restoreAllMocks();

    held.req.end(held.rest);
    expect(await held.response).toBe(201);
    await vi.waitFor(() => expect(stats().inFlight).toBe(0));
    expect((await device.get('/v1/device/policies')).status).toBe(200);
  });

  it('never refuses the admin or access API', async () => {
    const held = await heldEnrollment();
    expect((await t.admin.ok<{ devices: unknown[] }>('GET', '/devices')).devices.length).toBeGreaterThan(0);
    const access = await httpsRequest(t.endpoint.url, t.ca, 'GET', `/v1/access/devices/${device.deviceId}`, {
      headers: { authorization: `Bearer ${t.admin.token}` },
    });
    expect(access.status).toBe(200);
    held.req.end(held.rest);
    expect(await held.response).toBe(201);
  });
});

describe('saturated event loop', () => {
  it('refuses device requests and the push upgrade with 503 ENDPOINT_BUSY and Retry-After, without touching the store', async () => {
    load.delayMs = 501;
    await t.ticker.tick(); // one sampling window: the limits halve, to 0 (minInFlight 0)
    expect(stats()).toMatchObject({ limit: 0, upgradeLimit: 0, eventLoopDelayMs: 501 });
    const spies = spyOnStore();
    expectBusy(await device.get('/v1/device/policies'));
    const refused = await TestPushClient.open(t.endpoint.url, t.ca, device).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(refused?.message).toBe('upgrade refused: 503');
    // The same upgrade over a raw request, to see the headers and the envelope of the refusal.
    const raw = await httpsRequest(t.endpoint.url, t.ca, 'GET', '/v1/device/push', {
      headers: {
        ...device.signedHeaders('GET', '/v1/device/push', ''),
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    });
    expectBusy(raw);
    for (const spy of spies) expect(spy, spy.getMockName()).not.toHaveBeenCalled();
    vi.restoreAllMocks();

    expect((await t.admin.ok<{ devices: unknown[] }>('GET', '/devices')).devices.length).toBeGreaterThan(0);
    await vi.waitFor(() => expect(stats()).toMatchObject({ inFlight: 0, inFlightUpgrades: 0 }));
    load.delayMs = 250; // at most half the limit: they grow back, by a quarter per window
    for (let i = 0; i < 4; i++) await t.ticker.tick();
    expect(stats()).toMatchObject({ limit: 1, upgradeLimit: 1 });
    expect((await device.get('/v1/device/policies')).status).toBe(200);
    const push = await TestPushClient.open(t.endpoint.url, t.ca, device);
    expect(await push.next()).toMatchObject({ type: 'hello' });
    push.close();
  });
});
