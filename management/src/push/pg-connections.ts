// The PostgreSQL connections of the replicas' cluster work (the bus, the leader's lock): keepalives so a connection
// whose peer vanished without a FIN ends, bounded connects and goodbyes, and a timeout on the injected clock.
import type pg from 'pg';
import type { Clock, TimerHandle } from '../../../common/clock.js';

/** How long connecting may take (a black-holed host never answers), and waiting for a server's goodbye. */
const CONNECT_TIMEOUT_MS = 10_000;
export const END_TIMEOUT_MS = 2_000;

/**
 * Options of every cluster connection (bus and leadership): TCP keepalives so that a connection whose peer vanished
 * without a FIN ends, and a bound on connecting.
 */
export function clusterConnection(url: string): pg.ClientConfig {
  return { connectionString: url, keepAlive: true, keepAliveInitialDelayMillis: 10_000, connectionTimeoutMillis: CONNECT_TIMEOUT_MS };
}

/** Whether `work` settled within `ms` on `clock` (the timer is armed before this returns its promise). */
export async function within(clock: Clock, ms: number, work: Promise<unknown>): Promise<boolean> {
  let timer: TimerHandle | undefined;
  const late = new Promise<false>((resolve) => {
    timer = clock.setTimer(() => resolve(false), ms);
  });
  const settled = work.then(
    () => true,
    () => true,
  );
  try {
    return await Promise.race([settled, late]);
  } finally {
    timer?.cancel();
  }
}

/** Ends a client: waits END_TIMEOUT_MS at most for the server's goodbye (a black-holed host never sends one), then drops the socket. */
export async function endClient(client: pg.Client, clock: Clock): Promise<void> {
  if (!(await within(clock, END_TIMEOUT_MS, client.end()))) client.connection.stream.destroy();
}
