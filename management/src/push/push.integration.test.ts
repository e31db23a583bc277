// Integration test of the push channel over real TLS: signed upgrade, hello, nudges on policy and assignment changes,
// malformed agent messages (answered, connection kept), replacement by a newer connection, close on revocation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '../../../common/validation.js';
import { ServerPushMessage } from '../../../policy-schemas/src/index.js';
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

async function nextServerMessage(client: TestPushClient): Promise<ServerPushMessage> {
  return validate(ServerPushMessage, await client.next(), 'server push message');
}

async function connect(device: Awaited<ReturnType<TestEndpoint['enrolledDevice']>>): Promise<TestPushClient> {
  const client = await TestPushClient.open(t.endpoint.url, t.ca, device);
  expect(await nextServerMessage(client)).toMatchObject({ type: 'hello', deviceId: device.deviceId });
  return client;
}

describe('push channel', () => {
  it('nudges a connected device with `sync` when its policy is updated', async () => {
    const device = await t.enrolledDevice();
    const { policy } = await t.assignedPolicy([device]);
    const client = await connect(device);
    expect((await t.admin.ok<{ connected: boolean }>('GET', `/devices/${device.deviceId}`)).connected).toBe(true);

    await t.admin.ok('PUT', `/policies/${policy.policyId}`, { name: 'AV baseline', kind: 'antivirus', settings: { 'defender.AllowRealtimeMonitoring': 0 } });
    const nudge = await nextServerMessage(client);
    expect(nudge).toMatchObject({ type: 'sync', reason: 'policy-changed' });
    if (nudge.type === 'sync') client.send(JSON.stringify({ type: 'ack', requestId: nudge.requestId }));

    const served = await device.get('/v1/device/policies');
    expect((served.body as { policies: { payload: { version: number } }[] }).policies[0]?.payload.version).toBe(2);
    client.close();
    await client.closed;
  });

  it('nudges members when a policy is assigned to their group', async () => {
    const device = await t.enrolledDevice();
    const client = await connect(device);
    await t.assignedPolicy([device]);
    // Adding the member nudges first, then the assignment.
    expect(await nextServerMessage(client)).toMatchObject({ type: 'sync', reason: 'assignment-changed' });
    expect(await nextServerMessage(client)).toMatchObject({ type: 'sync', reason: 'assignment-changed' });
    client.close();
    await client.closed;
  });

  it('answers malformed messages with MESSAGE_INVALID and keeps the connection', async () => {
    const device = await t.enrolledDevice();
    const client = await connect(device);
    client.send('{not json');
    expect(await nextServerMessage(client)).toMatchObject({ type: 'error', code: 'MESSAGE_INVALID' });
    client.send(JSON.stringify({ type: 'launch-missiles' }));
    expect(await nextServerMessage(client)).toMatchObject({ type: 'error', code: 'MESSAGE_INVALID' });

    // Still open: an admin sync request is delivered over the same socket, and HTTP still answers.
    expect(await t.admin.ok('POST', `/devices/${device.deviceId}/sync`)).toEqual({ delivered: true });
    expect(await nextServerMessage(client)).toMatchObject({ type: 'sync', reason: 'admin-request' });
    expect((await device.get('/v1/device/policies')).status).toBe(200);
    client.close();
    await client.closed;
  });

  it('refuses an upgrade with a bad signature', async () => {
    const device = await t.enrolledDevice();
    const headers = device.signedHeaders('GET', '/v1/device/push', 'not the empty body');
    await expect(TestPushClient.open(t.endpoint.url, t.ca, device, headers)).rejects.toThrow('upgrade refused: 401');
  });

  it('replaces an older connection of the same device and closes the socket on revocation', async () => {
    const device = await t.enrolledDevice();
    const first = await connect(device);
    const second = await connect(device);
    expect((await first.closed).code).toBe(PUSH_CLOSE.replaced);
    expect(await t.admin.ok('POST', `/devices/${device.deviceId}/sync`)).toEqual({ delivered: true });
    expect(await nextServerMessage(second)).toMatchObject({ type: 'sync', reason: 'admin-request' });

    await t.admin.call('POST', `/devices/${device.deviceId}/revoke`);
    expect((await second.closed).code).toBe(PUSH_CLOSE.revoked);
    expect(await t.admin.ok('POST', `/devices/${device.deviceId}/sync`)).toEqual({ delivered: false });
    await expect(TestPushClient.open(t.endpoint.url, t.ca, device)).rejects.toThrow('upgrade refused: 403');
  });
});
