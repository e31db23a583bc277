// HAProxy in front of endpoint replicas, as docs/deploy.md describes it: TCP mode (TLS passes through, end to end to
// the replicas), leastconn, a health check on each replica's GET /readyz. The simulator writes the config into a temp
// dir and runs `haproxy -f <cfg> -db` as its child; loopback only.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { sleep, systemClock } from '../../../common/clock.js';

/** Where HAProxy listens and the replicas it balances over. */
export interface HaproxyOptions {
  readonly frontendPort: number;
  /** Replica listen addresses, `127.0.0.1:<port>`. */
  readonly backends: readonly string[];
}

/**
 * The config. Why each choice:
 * - `mode tcp`: HAProxy never sees the TLS inside, so devices keep their mutual TLS with the replica itself.
 * - `balance leastconn`: push sockets live for hours; round robin counts new connections only, so a replica that
 *   comes back after a crash would stay nearly empty while the survivor keeps every socket. leastconn sends the
 *   reconnects to the least loaded replica.
 * - `option httpchk GET /readyz` over `check-ssl verify none`: a replica whose database is gone (503) leaves the pool,
 *   not only one whose port is closed. `verify none` because the check only asks "ready?"; devices still verify the
 *   replica's certificate end to end. `inter 2s fall 3 rise 2`, `timeout check 5s`: a busy replica (thousands of
 *   agents reconnecting at once on 2 cores) can take more than a second for the check's TLS handshake (the handshake
 *   is bounded by min(timeout connect, inter)); with `inter 1s fall 2` HAProxy marked the only healthy replica down
 *   under that load, and the fleet never settled. A killed replica refuses connections at once, and redispatch
 *   covers the ~6 s until it is marked down.
 * - `retries 3` + `option redispatch`: a connection refused by a replica that just died (before the checks mark it
 *   down) is tried again on another replica instead of failing the device's request.
 * - No `on-marked-down shutdown-sessions`: a dead replica's sockets close by themselves; a slow one marked down by
 *   mistake keeps its push sockets instead of sending every agent into a reconnect storm.
 * - `timeout client/server 90s` > the endpoint's 30 s WebSocket ping (management/src/http/server.ts) plus slack, and
 *   `timeout tunnel 1h` once a connection carries data both ways, so idle push sockets are not cut by the balancer.
 */
export function haproxyConfig(options: HaproxyOptions): string {
  return [
    // No global maxconn: HAProxy derives it from the open-file limit it runs under (two descriptors per connection).
    'global',
    '',
    'defaults',
    '    mode tcp',
    '    timeout connect 5s',
    '    timeout client 90s',
    '    timeout server 90s',
    '    timeout tunnel 1h',
    '    timeout check 5s',
    '    retries 3',
    '    option redispatch',
    '',
    'frontend attache',
    `    bind 127.0.0.1:${options.frontendPort}`,
    '    default_backend replicas',
    '',
    'backend replicas',
    '    balance leastconn',
    '    option httpchk GET /readyz',
    '    http-check expect status 200',
    '    default-server check check-ssl verify none inter 2s fall 3 rise 2',
    ...options.backends.map((address, i) => `    server replica${i} ${address}`),
    '',
  ].join('\n');
}

/** A running HAProxy. */
export interface HaproxyHandle {
  readonly url: string;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** Writes the config into `dir`, starts HAProxy and waits until its frontend accepts connections. */
export async function startHaproxy(options: HaproxyOptions, dir: string, logFile: string): Promise<HaproxyHandle> {
  const config = join(dir, 'haproxy.cfg');
  await writeFile(config, haproxyConfig(options));
  const log = createWriteStream(logFile, { flags: 'a' });
  let child: ChildProcess;
  try {
    child = spawn('haproxy', ['-f', config, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new Error(`cannot start haproxy (install the Debian package haproxy): ${(err as Error).message}`);
  }
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let exit: string | undefined;
  child.once('error', (err) => {
    exit = `cannot start haproxy (install the Debian package haproxy): ${err.message}`;
  });
  child.once('exit', (code, signal) => {
    exit ??= `haproxy exited with ${code ?? signal} (see ${logFile})`;
  });
  const deadline = systemClock.now() + 15_000;
  while (!(await accepts(options.frontendPort))) {
    if (exit) throw new Error(exit);
    if (systemClock.now() > deadline) throw new Error(`haproxy did not listen within 15 s (see ${logFile})`);
    await sleep(systemClock, 100);
  }
  return {
    url: `https://127.0.0.1:${options.frontendPort}`,
    get pid() {
      return child.pid;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((res) => child.once('exit', () => res()));
        child.kill('SIGTERM');
        await exited;
      }
      await new Promise<void>((res) => log.end(() => res()));
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((res) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      res(true);
    });
    socket.once('error', () => res(false));
  });
}
