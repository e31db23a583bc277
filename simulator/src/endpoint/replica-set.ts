// Several endpoint replicas on one PostgreSQL database behind HAProxy, started by the simulator as one endpoint under
// test: a scratch PostgreSQL cluster (or a database the caller gives), a key-encryption key file, n `serve` processes
// each with its own data dir, and HAProxy in front. Devices and the simulator's admin requests go through HAProxy.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep, systemClock } from '../../../common/clock.js';
import { generateKekFile } from '../../../management/src/pki/kek-command.js';
import { freePort, type ScratchPostgres, startScratchPostgres } from '../../../management/src/store/scratch-postgres.js';
import { AdminApi, type AdminConnection } from './admin-api.js';
import { type EndpointBuild, type EndpointHandle, type ManagedEndpoint, startManagedEndpoint } from './endpoint-process.js';
import { startHaproxy } from './haproxy.js';
import type { ProcUsage } from './proc-usage.js';

/** How to start the replicas. */
export interface ReplicaSetOptions {
  readonly replicas: number;
  /** A PostgreSQL URL of an empty database; undefined: start a scratch cluster (removed at stop). */
  readonly databaseUrl?: string;
  readonly build: EndpointBuild;
  /** endpoint-<i>.log and haproxy.log go here. */
  readonly logDir: string;
  readonly nodeArgs?: readonly string[];
}

/**
 * Starts PostgreSQL (unless given), the replicas one after another (the first creates the shared keys), then HAProxy
 * in front when there are several (one replica on PostgreSQL is reached directly, as a single node would be).
 */
export async function startReplicaSet(options: ReplicaSetOptions): Promise<EndpointHandle> {
  if (!Number.isInteger(options.replicas) || options.replicas < 1) throw new Error(`replicas must be a whole number ≥ 1 (got ${options.replicas})`);
  const work = await mkdtemp(join(tmpdir(), 'attache-sim-replicas-'));
  const replicas: ManagedEndpoint[] = [];
  let cluster: ScratchPostgres | undefined;
  let haproxy: Awaited<ReturnType<typeof startHaproxy>> | undefined;
  const down = new Set<number>();
  const restarts: Promise<void>[] = [];
  const stop = async () => {
    await Promise.allSettled(restarts);
    await haproxy?.stop().catch(() => undefined);
    await Promise.allSettled(replicas.map((r) => r.stop()));
    cluster?.stop();
    await rm(work, { recursive: true, force: true });
  };
  try {
    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      cluster = await startScratchPostgres();
      databaseUrl = await cluster.createDatabase();
    }
    const kek = join(work, 'key-encryption-key');
    await generateKekFile(kek);
    const frontendPort = options.replicas > 1 ? await freePort() : undefined;
    const publicUrl = frontendPort ? [`--public-url`, `https://127.0.0.1:${frontendPort}`] : [];
    for (let i = 0; i < options.replicas; i++) {
      const dataDir = join(work, `replica-${i}`);
      await mkdir(dataDir);
      const token = replicas[0]?.connection.token;
      replicas.push(
        await startManagedEndpoint({
          dataDir,
          build: options.build,
          logFile: join(options.logDir, `endpoint-${i}.log`),
          serveArgs: ['--database', databaseUrl, '--key-encryption-key-file', kek, ...publicUrl],
          ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
          ...(token ? { adminToken: token } : {}),
        }),
      );
    }
    const first = replicas[0] as ManagedEndpoint;
    let connection = first.connection;
    if (frontendPort) {
      const backends = replicas.map((r) => new URL(r.connection.url).host);
      haproxy = await startHaproxy({ frontendPort, backends }, work, join(options.logDir, 'haproxy.log'));
      connection = { url: haproxy.url, token: first.connection.token, caPem: first.connection.caPem };
      await untilReady(connection);
    }
    const replica = (index: number) => {
      const r = replicas[index];
      if (!Number.isInteger(index) || !r) throw new Error(`replica ${index} does not exist (the run has ${replicas.length}: 0–${replicas.length - 1})`);
      return r;
    };
    return {
      connection,
      managed: true,
      get pid() {
        return first.pid;
      },
      usage: () => sumUsage(replicas.map((r) => r.usage())),
      replicas: () => replicas.map((r) => ({ pid: r.pid, usage: r.usage() })),
      async restart(downMs, signal) {
        await Promise.all(replicas.map((r) => r.restart(downMs, signal)));
      },
      async restarted() {
        const failed = (await Promise.allSettled(restarts)).find((r) => r.status === 'rejected');
        if (failed) throw new Error(`a killed replica did not start again: ${(failed as PromiseRejectedResult).reason}`);
      },
      async killReplica(index, restartAfterMs) {
        const r = replica(index);
        if (down.has(index)) throw new Error(`replica ${index} is already down`);
        await r.kill('SIGKILL');
        down.add(index);
        if (restartAfterMs !== undefined) {
          const restart = sleep(systemClock, restartAfterMs)
            .then(() => r.start())
            .then(() => {
              down.delete(index);
            });
          restart.catch(() => undefined);
          restarts.push(restart);
        }
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function sumUsage(usages: readonly (ProcUsage | undefined)[]): ProcUsage | undefined {
  const live = usages.filter((u): u is ProcUsage => u !== undefined);
  if (live.length === 0) return undefined;
  return { rssBytes: live.reduce((n, u) => n + u.rssBytes, 0), cpuMicros: live.reduce((n, u) => n + u.cpuMicros, 0) };
}

/** Waits until an admin request through HAProxy succeeds (its health checks have seen the replicas). */
async function untilReady(connection: AdminConnection): Promise<void> {
  const api = new AdminApi(connection);
  const deadline = systemClock.now() + 20_000;
  try {
    for (;;) {
      try {
        await api.assignments();
        return;
      } catch (err) {
        if (systemClock.now() > deadline) throw new Error(`the replicas did not answer through HAProxy within 20 s: ${(err as Error).message}`);
        await sleep(systemClock, 250);
      }
    }
  } finally {
    api.close();
  }
}
