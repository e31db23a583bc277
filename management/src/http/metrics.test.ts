import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { StoreStats } from '../store/store.js';
import type { AdmissionStats } from './admission.js';
import { EndpointMetrics, type MetricSources } from './metrics.js';

const DEVICE_ID = '6f1c2a4e-0b7d-4c39-9e51-2d8f0a7b3c11';

function sources(overrides: Partial<MetricSources> = {}): MetricSources {
  const stats: StoreStats = {
    writeQueues: [
      { queue: 'groupCommit', depth: 7, batches: 4, items: 40 },
      { queue: 'nonceClaims', depth: 0, batches: 2, items: 3 },
      { queue: 'deviceTouches', depth: 1, batches: 0, items: 0 },
    ],
    pool: { total: 5, idle: 2, waiting: 3 },
  };
  const admission: AdmissionStats = { inFlight: 12, inFlightUpgrades: 4, limit: 512, upgradeLimit: 128, admitted: 100, refused: 9, eventLoopDelayMs: 3 };
  return {
    connectedDevices: () => 42,
    store: { stats: () => stats },
    deliveryQueue: () => 17,
    admission: { stats: () => admission },
    ...overrides,
  };
}

async function instrumentedApp(metrics: EndpointMetrics) {
  const app = Fastify({ logger: false });
  metrics.instrument(app);
  app.get('/v1/device/policies', async (req, reply) => (req.headers['if-none-match'] ? reply.code(304).send() : { policies: [] }));
  app.post('/v1/device/reports', async () => ({ ok: true }));
  app.get('/v1/device/things/:deviceId', async () => ({}));
  app.get('/v1/admin/devices', async () => ({}));
  await app.ready();
  return app;
}

/** Each line appears whole in the exposition. */
function expectLines(text: string, lines: readonly string[]): void {
  for (const line of lines) expect(text).toContain(`${line}\n`);
}

describe('EndpointMetrics', () => {
  it('counts device API answers by route pattern, syncs and report latency; admin and unknown paths are not counted', async () => {
    const metrics = new EndpointMetrics(sources());
    const app = await instrumentedApp(metrics);
    await app.inject({ method: 'GET', url: '/v1/device/policies' });
    await app.inject({ method: 'GET', url: '/v1/device/policies', headers: { 'if-none-match': '"x"' } });
    await app.inject({ method: 'POST', url: '/v1/device/reports', payload: {} });
    await app.inject({ method: 'GET', url: `/v1/device/things/${DEVICE_ID}` });
    await app.inject({ method: 'GET', url: '/v1/admin/devices' });
    await app.inject({ method: 'GET', url: `/v1/device/nothing-here/${DEVICE_ID}` });
    const text = await metrics.text();
    expectLines(text, [
      'attache_device_requests_total{route="/v1/device/policies",method="GET",status="200"} 1',
      'attache_device_requests_total{route="/v1/device/policies",method="GET",status="304"} 1',
      'attache_device_requests_total{route="/v1/device/reports",method="POST",status="200"} 1',
      'attache_device_requests_total{route="/v1/device/things/:deviceId",method="GET",status="200"} 1',
      'attache_syncs_total{channel="http"} 2',
      'attache_report_store_seconds_count{channel="http"} 1',
    ]);
    expect(text).not.toContain('/v1/admin');
    expect(text).not.toContain(DEVICE_ID);
    expect(text).not.toContain('nothing-here');
    await app.close();
  });

  it('counts push channel answers: syncs and report latency only for successful ones', async () => {
    const metrics = new EndpointMetrics(sources());
    metrics.pushRequestAnswered('getPolicies', 'ok', 0.002);
    metrics.pushRequestAnswered('getPolicies', 'error', 0.001);
    metrics.pushRequestAnswered('postReport', 'ok', 0.03);
    const text = await metrics.text();
    expectLines(text, [
      'attache_push_requests_total{method="getPolicies",outcome="ok"} 1',
      'attache_push_requests_total{method="getPolicies",outcome="error"} 1',
      'attache_syncs_total{channel="push"} 1',
      'attache_report_store_seconds_bucket{le="0.05",channel="push"} 1',
      'attache_report_store_seconds_bucket{le="0.025",channel="push"} 0',
    ]);
  });

  it('reads the hub, the write queues, the pool, set delivery and admission at scrape time, and the process metrics', async () => {
    const text = await new EndpointMetrics(sources()).text();
    expectLines(text, [
      'attache_push_connected_devices 42',
      'attache_set_delivery_queue_depth 17',
      'attache_store_write_queue_depth{queue="groupCommit"} 7',
      'attache_store_write_batches_total{queue="groupCommit"} 4',
      'attache_store_write_batch_items_total{queue="groupCommit"} 40',
      'attache_db_pool_connections{state="total"} 5',
      'attache_db_pool_connections{state="idle"} 2',
      'attache_db_pool_waiting 3',
      'attache_admission_in_flight{kind="request"} 12',
      'attache_admission_in_flight{kind="upgrade"} 4',
      'attache_admission_limit{kind="request"} 512',
      'attache_admission_rejections_total 9',
    ]);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('has no pool metrics on SQLite and no admission metrics when admission control is off', async () => {
    const text = await new EndpointMetrics(sources({ store: { stats: () => ({ writeQueues: [] }) }, admission: undefined })).text();
    expect(text).not.toContain('attache_db_pool');
    expect(text).not.toContain('attache_admission');
    expect(text).toContain('attache_push_connected_devices 42');
  });
});
