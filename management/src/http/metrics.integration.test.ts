// Integration test of the metrics of push channel 2 on a real endpoint (`--metrics on`): a connected device, its
// socket requests, syncs and reports counted per channel, the group commit that stored the report.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpsRequest, type TestDevice } from '../testing/https-client.js';
import { TestPushClient } from '../testing/push-client.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';

let t: TestEndpoint;

beforeAll(async () => {
  t = await startTestEndpoint({ metrics: 'main' });
});

afterAll(async () => {
  await t.close();
});

async function scrape(): Promise<string> {
  const res = await httpsRequest(t.endpoint.url, t.ca, 'GET', '/metrics');
  expect(res.status).toBe(200);
  return res.text;
}

/** Sends one channel-2 request and waits for its response (the hello is read first by the caller). */
async function request(client: TestPushClient, method: string, fields: Record<string, unknown> = {}): Promise<unknown> {
  const id = randomUUID();
  client.send(JSON.stringify({ type: 'request', id, method, ...fields }));
  return client.next();
}

function report(device: TestDevice) {
  const generatedAt = new Date(t.now()).toISOString();
  return { reportId: randomUUID(), deviceId: device.deviceId, generatedAt, agentVersion: '0.1.0', trigger: 'push', durationMs: 5, policies: [], settings: [] };
}

describe('metrics of the push channel', () => {
  it('counts the connected device, its socket requests, the push sync and the push report', async () => {
    const device = await t.enrolledDevice();
    const client = await TestPushClient.open(t.endpoint.url, t.ca, device, undefined, '/v1/device/push?channel=2');
    await client.next(); // hello
    expect(await scrape()).toContain('attache_push_connected_devices 1\n');
    expect(await request(client, 'getPolicies')).toMatchObject({ type: 'response', result: { deviceId: device.deviceId } });
    expect(await request(client, 'postReport', { body: report(device) })).toMatchObject({ type: 'response', result: { duplicate: false } });
    expect(await request(client, 'postReport', { body: { not: 'a report' } })).toMatchObject({ type: 'response', error: { code: 'SCHEMA_INVALID' } });
    const text = await scrape();
    expect(text).toContain('attache_push_requests_total{method="getPolicies",outcome="ok"} 1\n');
    expect(text).toContain('attache_push_requests_total{method="postReport",outcome="ok"} 1\n');
    expect(text).toContain('attache_push_requests_total{method="postReport",outcome="error"} 1\n');
    expect(text).toContain('attache_syncs_total{channel="push"} 1\n');
    expect(text).toContain('attache_report_store_seconds_count{channel="push"} 1\n');
    expect(text).toMatch(/attache_store_write_batches_total\{queue="groupCommit"\} [1-9]/);
    expect(text).not.toContain(device.deviceId);
    client.close();
  });
});
