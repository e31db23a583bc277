// Test harness: real endpoint and agent processes (the bundles in dist/), an admin API client, bounded polling.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');

/** A loopback port free a moment ago (listened on, then closed): nothing listens there until a test does. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `attache-${prefix}-`));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A running child process with its output kept for failure messages. */
export interface Proc {
  readonly child: ChildProcess;
  readonly output: () => string;
  stop(): Promise<number | null>;
}

function track(child: ChildProcess): Proc {
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export interface Endpoint extends Proc {
  readonly url: string;
  readonly dataDir: string;
  readonly admin: AdminApi;
}

/** The management CLI from dist/ (tests that run the single executable pass its path instead). */
export const MANAGEMENT_COMMAND: readonly string[] = [process.execPath, join(DIST, 'attache-management.cjs')];

/** Starts `attache-management serve` on a free loopback port and waits for its "listening" line. */
export async function startEndpoint(dataDir: string, extraArgs: readonly string[] = [], command = MANAGEMENT_COMMAND): Promise<Endpoint> {
  const [program, ...programArgs] = command as [string, ...string[]];
  const child = spawn(program, [...programArgs, 'serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = track(child);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`endpoint did not start:\n${proc.output()}`)), 30_000);
    child.once('exit', (code) => rej(new Error(`endpoint exited with ${code}:\n${proc.output()}`)));
    lines.on('line', (line) => {
      try {
        const event = JSON.parse(line) as { event?: string; url?: string };
        if (event.event === 'listening' && event.url) {
          clearTimeout(timer);
          res(event.url);
        }
      } catch {
        // not our line
      }
    });
  });
  return { ...proc, url, dataDir, admin: await AdminApi.fromDataDir(dataDir) };
}

/** Minimal admin API client over HTTPS pinned to the endpoint's CA (what the admin CLI does, without a process). */
export class AdminApi {
  constructor(
    readonly url: string,
    readonly token: string,
    readonly ca: string,
  ) {}

  static async fromDataDir(dataDir: string): Promise<AdminApi> {
    const admin = JSON.parse(await readFile(join(dataDir, 'admin.json'), 'utf8')) as { url: string; caFile: string; tokenFile: string };
    const token = (await readFile(resolve(dataDir, admin.tokenFile), 'utf8')).trim();
    return new AdminApi(admin.url, token, await readFile(resolve(dataDir, admin.caFile), 'utf8'));
  }

  /** Any method; returns status and parsed JSON body (undefined when empty). */
  call(method: string, path: string, body?: unknown, token = this.token): Promise<{ status: number; json: any }> {
    const payload = body === undefined ? '' : JSON.stringify(body);
    return new Promise((res, rej) => {
      const req = request(
        new URL(path, this.url),
        { method, ca: this.ca, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) } },
        (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            res({ status: r.statusCode ?? 0, json: text ? JSON.parse(text) : undefined });
          });
        },
      );
      req.on('error', rej);
      req.end(payload);
    });
  }

  /** Like call(), but throws unless the status is 2xx. */
  async ok(method: string, path: string, body?: unknown): Promise<any> {
    const r = await this.call(method, path, body);
    if (r.status < 200 || r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  }
}

/** Collects a child's stdout and stderr as text; resolves with them and its exit code once it exits. */
export function completion(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('exit', (code) => res({ code, stdout, stderr }));
  });
}

/** Runs one agent CLI command to completion. */
export async function agentCommand(args: readonly string[], timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(DIST, 'attache-agent.cjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const out = await completion(child);
  clearTimeout(timer);
  if (timedOut) throw new Error(`agent ${args.join(' ')} timed out\n${out.stderr}`);
  return out;
}

/** Starts `attache-agent run` (the daemon) in the background. */
export function startAgent(args: readonly string[]): Proc {
  return track(spawn(process.execPath, [join(DIST, 'attache-agent.cjs'), ...args, 'run'], { stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** Polls `check` every `intervalMs` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A simulated-linux agent enrolled with a fresh onboarding package: its CLI arguments and device identity. */
export async function enrollSimulatedAgent(dir: string, endpoint: Endpoint): Promise<{ args: string[]; deviceId: string; caCertificate: string }> {
  await writeFile(join(dir, 'agent.json'), JSON.stringify({ checkinIntervalMinutes: 1440 }));
  const args = ['--config', join(dir, 'agent.json'), '--state-dir', join(dir, 'agent'), '--simulated', 'linux'];
  const pkg = await endpoint.admin.ok('POST', '/v1/admin/onboarding-packages', {});
  await writeFile(join(dir, 'pkg.json'), JSON.stringify(pkg));
  const enrolled = await agentCommand([...args, 'enroll', '--package', join(dir, 'pkg.json'), '--json']);
  if (enrolled.code !== 0) throw new Error(`enroll failed (${enrolled.code}): ${enrolled.stderr}`);
  return { args, deviceId: JSON.parse(enrolled.stdout).deviceId, caCertificate: pkg.caCertificate };
}

/** Puts the device in a new group and assigns it examples/policies/linux-antivirus.json; returns the policy and document. */
export async function assignLinuxAntivirus(admin: AdminApi, deviceId: string): Promise<{ policy: any; doc: unknown }> {
  const group = await admin.ok('POST', '/v1/admin/groups', { name: 'linux' });
  await admin.ok('POST', `/v1/admin/groups/${group.groupId}/members`, { deviceId });
  const doc = JSON.parse(await readFile(join(ROOT, 'examples', 'policies', 'linux-antivirus.json'), 'utf8'));
  const policy = await admin.ok('POST', '/v1/admin/policies', doc);
  await admin.ok('POST', '/v1/admin/assignments', { policyId: policy.policyId, groupId: group.groupId });
  return { policy, doc };
}
