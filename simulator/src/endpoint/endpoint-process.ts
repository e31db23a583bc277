// The management endpoint under test. Either a child process the simulator starts (`attache-management serve` on a
// free loopback port, from source or from the dist/ bundle) and may restart as a fault, or an endpoint someone else
// runs, given by URL, CA and admin token (then it cannot be restarted or measured).
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sleep, systemClock } from '../../../common/clock.js';
import type { AdminConnection } from './admin-api.js';
import { type ProcUsage, procUsage } from './proc-usage.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** How to run the endpoint: from TypeScript source (tsx) or the shipped bundle (dist/, after `npm run build`). */
export type EndpointBuild = 'source' | 'dist';

/** One endpoint process now. */
export interface EndpointProcess {
  readonly pid: number | undefined;
  readonly usage: ProcUsage | undefined;
}

export interface EndpointHandle {
  readonly connection: AdminConnection;
  readonly managed: boolean;
  /** Current process id (changes on restart), when managed. */
  readonly pid: number | undefined;
  /** Memory and CPU of the endpoint process now, when managed on Linux. */
  usage(): ProcUsage | undefined;
  /** Stops the endpoint (signal), waits `downMs`, starts it again on the same port and data dir. */
  restart(downMs: number, signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Replicas only: kills replica `index` with SIGKILL; when `restartAfterMs` is given, starts it again that much later. */
  killReplica?(index: number, restartAfterMs?: number): Promise<void>;
  /** Replicas only: resolves once every restart a killReplica scheduled has happened (settling waits for it). */
  restarted?(): Promise<void>;
  /** Each replica's process id and memory and CPU now (usage undefined while it is down), when there are several. */
  replicas?(): readonly EndpointProcess[];
  stop(): Promise<void>;
}

function command(build: EndpointBuild): { args: string[] } {
  return build === 'dist'
    ? { args: [join(REPO_ROOT, 'dist', 'attache-management.cjs')] }
    : { args: ['--import', import.meta.resolve('tsx'), join(REPO_ROOT, 'management', 'src', 'main.ts')] };
}

/** How to start a managed endpoint. */
export interface ManagedEndpointOptions {
  readonly dataDir: string;
  readonly build: EndpointBuild;
  /** Its warnings and errors go here. */
  readonly logFile: string;
  /** Extra node flags (benchmarks: `--expose-gc`, `--diagnostic-dir`, ...). */
  readonly nodeArgs?: readonly string[];
  /** Extra `serve` options (benchmarks: `--debug-memory-file`; replicas: `--database`, `--public-url`). */
  readonly serveArgs?: readonly string[];
  /** The admin token, when the data dir has no token file (a later replica on a shared database writes none). */
  readonly adminToken?: string;
}

/** An endpoint process the simulator started: it can also be killed and started again separately (replicas). */
export interface ManagedEndpoint extends EndpointHandle {
  /** Stops the process with `signal` and waits for it to exit. */
  kill(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same port and data dir. */
  start(): Promise<void>;
}

/** Starts a managed endpoint in `dataDir`; its warnings and errors go to `logFile`. */
export async function startManagedEndpoint(options: ManagedEndpointOptions): Promise<ManagedEndpoint> {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  let { child, url } = await spawnEndpoint(options, '127.0.0.1:0', log);
  const port = new URL(url).port;
  const start = async () => {
    ({ child } = await spawnEndpoint(options, `127.0.0.1:${port}`, log));
  };
  const admin = JSON.parse(await readFile(join(options.dataDir, 'admin.json'), 'utf8')) as { url: string; caFile: string; tokenFile: string };
  const connection: AdminConnection = {
    url,
    token: options.adminToken ?? (await readFile(resolve(options.dataDir, admin.tokenFile), 'utf8')).trim(),
    caPem: await readFile(resolve(options.dataDir, admin.caFile), 'utf8'),
  };
  return {
    connection,
    managed: true,
    get pid() {
      return child.pid;
    },
    usage: () => (child.pid && child.exitCode === null && child.signalCode === null ? procUsage(child.pid) : undefined),
    kill: (signal) => stopChild(child, signal),
    start,
    async restart(downMs, signal) {
      await stopChild(child, signal);
      await sleep(systemClock, downMs);
      await start();
    },
    async stop() {
      await stopChild(child, 'SIGTERM');
      await new Promise<void>((res) => log.end(() => res()));
    },
  };
}

/** An endpoint run elsewhere. */
export function externalEndpoint(connection: AdminConnection): EndpointHandle {
  return {
    connection,
    managed: false,
    pid: undefined,
    usage: () => undefined,
    restart: () => Promise.reject(new Error('restartEndpoint needs an endpoint the simulator started (no --url)')),
    stop: async () => {},
  };
}

async function spawnEndpoint(options: ManagedEndpointOptions, listen: string, log: WriteStream): Promise<{ child: ChildProcess; url: string }> {
  const { args } = command(options.build);
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      ...args,
      'serve',
      '--data-dir',
      options.dataDir,
      '--listen',
      listen,
      '--log-level',
      'warn',
      '--enroll-rate-limit',
      'off',
      ...(options.serveArgs ?? []),
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: REPO_ROOT,
    },
  );
  child.stderr?.pipe(log, { end: false });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((res, rej) => {
    const timer = systemClock.setTimer(() => rej(new Error(`endpoint did not start within 60 s (see ${log.path})`)), 60_000);
    child.once('exit', (code) => {
      timer.cancel();
      rej(new Error(`endpoint exited with ${code} before listening (see ${log.path})`));
    });
    lines.on('line', (line) => {
      try {
        const event = JSON.parse(line) as { event?: string; url?: string };
        if (event.event === 'listening' && event.url) {
          timer.cancel();
          res(event.url);
        }
      } catch {
        // not the listening line
      }
    });
  });
  return { child, url };
}

async function stopChild(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  child.kill(signal);
  const timer = systemClock.setTimer(() => child.kill('SIGKILL'), 15_000);
  await exited;
  timer.cancel();
}
