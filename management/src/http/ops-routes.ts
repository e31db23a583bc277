// Routes for operators and orchestrators: GET /healthz (the process serves; no database access), GET /readyz
// (readiness.ts) and, only when `--metrics` asks for it, GET /metrics (metrics.ts) on the main HTTPS listener
// (`on`) or on a separate plain-HTTP listener (`<host:port>`, which serves /healthz and /readyz too). Unauthenticated;
// not device routes, so admission control never refuses them; none does heavy work (docs/deploy.md).
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Clock } from '../../../common/clock.js';
import { parseListen } from '../listen-address.js';
import type { Logger } from '../logging.js';
import type { ManagementStore } from '../store/store.js';
import { EndpointMetrics, type MetricSources } from './metrics.js';
import { ReadinessProbe } from './readiness.js';

/** Where /metrics is served: on the main listener, or on its own plain-HTTP listener (typically 127.0.0.1:9464). */
export type MetricsListen = 'main' | { readonly host: string; readonly port: number };

/** Parses the `--metrics` value: `on` (main listener) or `host:port` / `port` (a separate listener). */
export function parseMetricsListen(value: string): MetricsListen {
  return value === 'on' ? 'main' : parseListen(value);
}

/** The metrics of the endpoint when `listen` asks for them; undefined (no counting at all) when metrics are off. */
export function endpointMetrics(listen: MetricsListen | undefined, sources: MetricSources): EndpointMetrics | undefined {
  return listen === undefined ? undefined : new EndpointMetrics(sources);
}

/** What registerOpsRoutes needs. */
export interface OpsDeps {
  readonly store: Pick<ManagementStore, 'checkReadiness'>;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The running operations routes: `metricsUrl` when /metrics has its own listener; close() stops that listener. */
export interface OpsRoutes {
  readonly metricsUrl: string | undefined;
  close(): Promise<void>;
}

function addRoutes(app: FastifyInstance, readiness: ReadinessProbe, metrics: EndpointMetrics | undefined): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const answer = await readiness.check();
    return reply.code(answer.status === 'ready' ? 200 : 503).send(answer);
  });
  if (metrics) app.get('/metrics', async (_req, reply) => reply.type(metrics.contentType).send(await metrics.text()));
}

/** Adds /healthz and /readyz to `app` (before it listens), and /metrics where `listen` says. */
export async function registerOpsRoutes(
  app: FastifyInstance,
  options: { readonly listen?: MetricsListen | undefined; readonly metrics?: EndpointMetrics | undefined },
  deps: OpsDeps,
): Promise<OpsRoutes> {
  const readiness = new ReadinessProbe({}, deps);
  addRoutes(app, readiness, options.listen === 'main' ? options.metrics : undefined);
  const listen = options.listen;
  if (listen === undefined || listen === 'main' || !options.metrics) return { metricsUrl: undefined, close: async () => undefined };
  const side = Fastify({ logger: false, requestTimeout: 10_000, forceCloseConnections: true });
  addRoutes(side, readiness, options.metrics);
  await side.listen({ host: listen.host, port: listen.port });
  const { port } = side.server.address() as AddressInfo;
  const metricsUrl = `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${port}/metrics`;
  deps.logger.info('metrics listening', { component: 'endpoint', url: metricsUrl });
  // Closed with the main server too, so an endpoint closed on any path does not leave this port open.
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= side.close();
    return closing;
  };
  app.addHook('onClose', close);
  return { metricsUrl, close };
}
