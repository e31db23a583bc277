// Integration test of push channel 2 over real TLS: the set delivered on a change is what GET /v1/device/policies
// answers, shared bytes across devices with one set; requests over the socket answer as the HTTP routes do (results,
// 304, error codes), a revoked device is cut off, and channel 1 keeps its nudges.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { validate } from '../../../common/validation.js';
import { ServerPushMessage } from '../../../policy-schemas/src/index.js';
import { MAX_REQUESTS_PER_SOCKET } from '../http/push-route.js';
import { errorCode, type TestDevice } from '../testing/https-client.js';
import { TestPushClient } from '../testing/push-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';
import { PUSH_CLOSE } from './push-hub.js';

let t: TestEndpoint;

beforeAll(async () => {
  t = await startTestEndpoint();
});

afterAll(async () => {
  await t.close();
});

const CHANNEL_2 = '/v1/device/push?channel=2';

async function next(client: TestPushClient): Promise<ServerPushMessage> {
  return validate(ServerPushMessage, await client.next(), 'server push message');
}

async function connect(device: TestDevice): Promise<TestPushClient> {
  const client = await TestPushClient.open(t.endpoint.url, t.ca, device, undefined, CHANNEL_2);
  expect(await next(client)).toEqual({ type: 'hello', deviceId: device.deviceId, serverTime: expect.any(String), channel: 2 });
  return client;
}

/** Sends one request and waits for its response (nothing else is expected meanwhile). */
async function request(client: TestPushClient, method: string, fields: Record<string, unknown> = {}) {
  const id = randomUUID();
  client.send(JSON.stringify({ type: 'request', id, method, ...fields }));
  const answer = await next(client);
  expect(answer).toMatchObject({ type: 'response', id });
  return answer as Extract<ServerPushMessage, { type: 'response' }>;
}

function report(device: TestDevice, reportId = randomUUID()) {
  return {
    reportId,
    deviceId: device.deviceId,
    generatedAt: new Date(t.now()).toISOString(),
    agentVersion: '0.1.0',
    trigger: 'push',
    durationMs: 5,
    policies: [],
    settings: [],
  };
}

describe('push channel 2', () => {
  it('delivers the changed set itself, as GET /v1/device/policies answers it, with shared bytes for one set', async () => {
    const [a, b] = [await t.enrolledDevice(), await t.enrolledDevice()];
    if (!a || !b) throw new Error('no devices');
    const { policy } = await t.assignedPolicy([a, b]);
    const clients = [await connect(a), await connect(b)];
    const send = vi.spyOn(t.endpoint.context.hub, 'send');
    try {
      await t.admin.ok('PUT', `/policies/${policy.policyId}`, { name: 'AV baseline', kind: 'antivirus', settings: { 'defender.AllowRealtimeMonitoring': 0 } });
      for (const [i, device] of [a, b].entries()) {
        const delivered = await next(clients[i] as TestPushClient);
        expect(delivered).toMatchObject({ type: 'policies', reason: 'policy-changed' });
        if (delivered.type !== 'policies') throw new Error('not a set');
        const fetched = await device.get('/v1/device/policies');
        expect(fetched.body).toEqual(delivered.body);
        expect(delivered.body.policies[0]?.payload.version).toBe(2);
      }
      const shared = send.mock.calls.map(([, parts]) => parts[parts.length - 1]);
      expect(shared).toHaveLength(2);
      expect(shared[0]).toBe(shared[1]);
    } finally {
      send.mockRestore();
      for (const c of clients) c.close();
    }
  });

  it('answers getPolicies over the socket as the HTTP route does, 304 as notModified', async () => {
    const device = await t.enrolledDevice();
    await t.assignedPolicy([device]);
    const client = await connect(device);
    try {
      const full = await request(client, 'getPolicies');
      const http = await device.get('/v1/device/policies');
      expect(full.result).toEqual(http.body);
      const etag = (http.body as { etag: string }).etag;
      expect((await request(client, 'getPolicies', { etag })).result).toEqual({ notModified: true });
    } finally {
      client.close();
    }
  });

  it('stores a report sent over the socket before acknowledging it; duplicates and bad bodies answer as over HTTPS', async () => {
    const device = await t.enrolledDevice();
    const client = await connect(device);
    try {
      const sent = report(device);
      expect((await request(client, 'postReport', { body: sent })).result).toEqual({ reportId: sent.reportId, duplicate: false, stale: false });
      const status = await t.admin.ok<{ lastReportAt: string }>('GET', `/devices/${device.deviceId}/status`);
      expect(status.lastReportAt).toBe(sent.generatedAt);
      expect((await request(client, 'postReport', { body: sent })).result).toEqual({ reportId: sent.reportId, duplicate: true, stale: false });

      const bad = { ...report(device), settings: 'none' };
      const overSocket = await request(client, 'postReport', { body: bad });
      const overHttp = await device.post('/v1/device/reports', bad);
      expect(overSocket.error?.code).toBe('SCHEMA_INVALID');
      expect(errorCode(overHttp)).toBe('SCHEMA_INVALID');
      expect(overSocket.error?.message).toBe((overHttp.body as { error: { message: string } }).error.message);

      const other = await t.enrolledDevice();
      expect((await request(client, 'postReport', { body: report(other) })).error?.code).toBe('SCHEMA_INVALID');
      expect((await request(client, 'postHealth', { body: { nonsense: true } })).error?.code).toBe('SCHEMA_INVALID');
    } finally {
      client.close();
    }
  });

  it('refuses requests on channel 1 and keeps nudging it with `sync`', async () => {
    const device = await t.enrolledDevice();
    const { policy } = await t.assignedPolicy([device]);
    const client = await TestPushClient.open(t.endpoint.url, t.ca, device);
    try {
      expect(await next(client)).toEqual({ type: 'hello', deviceId: device.deviceId, serverTime: expect.any(String) });
      client.send(JSON.stringify({ type: 'request', id: randomUUID(), method: 'getPolicies' }));
      expect(await next(client)).toMatchObject({ type: 'error', code: 'MESSAGE_INVALID', message: expect.stringContaining('channel 2') });
      await t.admin.ok('PUT', `/policies/${policy.policyId}`, { name: 'AV baseline', kind: 'antivirus', settings: { 'defender.AllowRealtimeMonitoring': 0 } });
      expect(await next(client)).toMatchObject({ type: 'sync', reason: 'policy-changed' });
    } finally {
      client.close();
    }
  });

  it('answers a malformed request by its id, and refuses requests beyond the per-socket limit with ENDPOINT_BUSY', async () => {
    const device = await t.enrolledDevice();
    const client = await connect(device);
    try {
      const bad = await request(client, 'getPolicies', { etag: 'not an etag' });
      expect(bad.error?.code).toBe('MESSAGE_INVALID');
      // The store holds every request until released: the first MAX_REQUESTS_PER_SOCKET stay in progress.
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const store = t.endpoint.context.store;
      const getDevice = store.getDevice.bind(store);
      const spy = vi.spyOn(store, 'getDevice').mockImplementation(async (id) => {
        await held;
        return getDevice(id);
      });
      try {
        const ids = Array.from({ length: MAX_REQUESTS_PER_SOCKET + 5 }, () => randomUUID());
        for (const id of ids) client.send(JSON.stringify({ type: 'request', id, method: 'getPolicies' }));
        const early = await Promise.all(ids.slice(MAX_REQUESTS_PER_SOCKET).map(() => next(client)));
        expect(early.map((a) => (a.type === 'response' ? a.error?.code : a.type))).toEqual(Array(5).fill('ENDPOINT_BUSY'));
        release();
        const rest = await Promise.all(ids.slice(0, MAX_REQUESTS_PER_SOCKET).map(() => next(client)));
        expect(rest.every((a) => a.type === 'response' && a.result !== undefined)).toBe(true);
      } finally {
        release();
        spy.mockRestore();
      }
    } finally {
      client.close();
    }
  });

  it('refuses requests on a socket opened with a key the device has since rotated', async () => {
    const device = await t.enrolledDevice();
    const client = await connect(device);
    // The key changes behind the socket (as POST /v1/device/key does; here without its close, to show the check).
    await t.endpoint.context.store.rotateDeviceKey({
      deviceId: device.deviceId,
      currentPublicKey: device.publicKey,
      newPublicKey: Buffer.alloc(32, 9).toString('base64'),
      keyId: 'f'.repeat(32),
      currentKeyId: 'e'.repeat(32),
      rotatedAt: new Date(t.now()).toISOString(),
    });
    const refused = await request(client, 'getPolicies');
    expect(refused.error?.code).toBe('REQUEST_SIGNATURE_INVALID');
    expect((await client.closed).code).toBe(PUSH_CLOSE.keyRotated);
  });

  it('closes the socket of a revoked device', async () => {
    const device = await t.enrolledDevice();
    const client = await connect(device);
    await t.admin.call('POST', `/devices/${device.deviceId}/revoke`);
    expect((await client.closed).code).toBe(PUSH_CLOSE.revoked);
  });
});
