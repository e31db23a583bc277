// The endpoint's Prometheus metrics (prom-client, one registry per endpoint): device requests by route and status,
// syncs and report latency (HTTP and push channel), and gauges read at scrape time from the push hub, the store's
// write queues and pool, set delivery and admission control. Labels are route patterns and fixed words, never a device.
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { StoreStats } from '../store/store.js';
import { type AdmissionStats, DEVICE_ROUTE } from './admission.js';
import type { PushRequestObserver } from './push-route.js';

/** Where the scrape-time gauges read from (each replica exposes its own). */
export interface MetricSources {
  /** Open push connections (PushHub.size). */
  readonly connectedDevices: () => number;
  readonly store: { stats(): StoreStats };
  /** Devices waiting for their changed set over the push channel (SetDelivery.queued). */
  readonly deliveryQueue: () => number;
  /** Absent when admission control is off. */
  readonly admission?: { stats(): AdmissionStats };
}

/** Report latency buckets (s): a group commit takes ms; tens of seconds means a queue in front of the database. */
const REPORT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const STATUS_POLICIES = '/v1/device/policies';
const STATUS_REPORTS = '/v1/device/reports';

/** The metrics of one endpoint process; `text()` is the exposition a scrape gets. */
export class EndpointMetrics {
  readonly registry = new Registry();
  private readonly deviceRequests: Counter<'route' | 'method' | 'status'>;
  private readonly pushRequests: Counter<'method' | 'outcome'>;
  private readonly syncs: Counter<'channel'>;
  private readonly reportSeconds: Histogram<'channel'>;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.deviceRequests = new Counter({
      name: 'attache_device_requests_total',
      help: 'Device API HTTP requests answered, by route pattern, method and status code',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.pushRequests = new Counter({
      name: 'attache_push_requests_total',
      help: 'Requests answered over push channel 2, by method and outcome (ok or error)',
      labelNames: ['method', 'outcome'],
      registers,
    });
    this.syncs = new Counter({
      name: 'attache_syncs_total',
      help: 'Policy requests (check-ins) answered with a set or not-modified, by channel (http or push)',
      labelNames: ['channel'],
      registers,
    });
    this.reportSeconds = new Histogram({
      name: 'attache_report_store_seconds',
      help: 'Status reports from receipt to acknowledgement (stored and committed), by channel',
      labelNames: ['channel'],
      buckets: REPORT_BUCKETS,
      registers,
    });
    registerSourceGauges(registers, sources);
  }

  /** Counts the device API's answers (add before the routes: fastify gives routes the hooks present when they are added). */
  instrument(app: FastifyInstance): void {
    app.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions.url;
      // Unknown paths have no pattern: not counted, so a scanner cannot create series.
      if (route === undefined || !DEVICE_ROUTE.test(route)) return;
      const status = reply.statusCode;
      this.deviceRequests.inc({ route, method: req.method, status: String(status) });
      if (route === STATUS_POLICIES && (status === 200 || status === 304)) this.syncs.inc({ channel: 'http' });
      if (route === STATUS_REPORTS && status === 200) this.reportSeconds.observe({ channel: 'http' }, reply.elapsedTime / 1000);
    });
  }

  /** The push channel's observer of answered requests (push-route.ts). */
  readonly pushRequestAnswered: PushRequestObserver = (method, outcome, seconds) => {
    this.pushRequests.inc({ method, outcome });
    if (outcome !== 'ok') return;
    if (method === 'getPolicies') this.syncs.inc({ channel: 'push' });
    if (method === 'postReport') this.reportSeconds.observe({ channel: 'push' }, seconds);
  };

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** Gauges and counters read from their source at each scrape. */
function registerSourceGauges(registers: Registry[], sources: MetricSources): void {
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  gauge('attache_push_connected_devices', 'Open push connections to this replica', sources.connectedDevices);
  gauge('attache_set_delivery_queue_depth', 'Devices waiting for their changed policy set over the push channel', sources.deliveryQueue);
  perQueue(registers, sources.store);
  const pool = sources.store.stats().pool;
  if (pool !== undefined) {
    const poolOf = () => sources.store.stats().pool ?? { total: 0, idle: 0, waiting: 0 };
    new Gauge({
      name: 'attache_db_pool_connections',
      help: 'Database connections of this replica, by state (total = open, idle = open and unused)',
      labelNames: ['state'],
      registers,
      collect() {
        const now = poolOf();
        this.set({ state: 'total' }, now.total);
        this.set({ state: 'idle' }, now.idle);
      },
    });
    gauge('attache_db_pool_waiting', 'Queries waiting for a database connection', () => poolOf().waiting);
  }
  const admission = sources.admission;
  if (admission !== undefined) {
    const perKind = (name: string, help: string, read: (s: AdmissionStats) => [number, number]) =>
      new Gauge({
        name,
        help,
        labelNames: ['kind'],
        registers,
        collect() {
          const [request, upgrade] = read(admission.stats());
          this.set({ kind: 'request' }, request);
          this.set({ kind: 'upgrade' }, upgrade);
        },
      });
    perKind('attache_admission_in_flight', 'Device requests and push upgrades in flight under admission control, by kind', (s) => [
      s.inFlight,
      s.inFlightUpgrades,
    ]);
    perKind('attache_admission_limit', 'Current admission limit by kind (lowered while the event loop is saturated)', (s) => [s.limit, s.upgradeLimit]);
    new Counter({
      name: 'attache_admission_rejections_total',
      help: 'Device requests and push upgrades refused with 503 ENDPOINT_BUSY',
      registers,
      collect() {
        this.reset();
        this.inc(admission.stats().refused);
      },
    });
  }
}

/** Depth gauge and batch counters of each device-path write queue (store/sql-device-writes.ts). */
function perQueue(registers: Registry[], store: MetricSources['store']): void {
  new Gauge({
    name: 'attache_store_write_queue_depth',
    help: 'Device-path writes waiting for their batch, by queue (groupCommit, serializableCommit, nonceClaims, deviceTouches)',
    labelNames: ['queue'],
    registers,
    collect() {
      for (const q of store.stats().writeQueues) this.set({ queue: q.queue }, q.depth);
    },
  });
  const counter = (name: string, help: string, read: (q: StoreStats['writeQueues'][number]) => number) =>
    new Counter({
      name,
      help,
      labelNames: ['queue'],
      registers,
      collect() {
        this.reset();
        for (const q of store.stats().writeQueues) this.inc({ queue: q.queue }, read(q));
      },
    });
  counter('attache_store_write_batches_total', 'Batches run by each write queue (a group commit batch is one transaction)', (q) => q.batches);
  counter('attache_store_write_batch_items_total', 'Writes run by each queue; divided by batches it is the mean batch size', (q) => q.items);
}
