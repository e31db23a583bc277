// Running OS tools: an executable and an argument array, never a shell string. Policy data reaches a tool only as a
// separate argv element or on stdin, so no quoting rule of any shell can turn it into code.

import { spawn } from 'node:child_process';
import { systemClock } from '../../../common/clock.js';

export interface CommandSpec {
  /** Absolute path of the executable (or a bare name resolved through PATH by the OS, never by a shell). */
  readonly file: string;
  readonly args: readonly string[];
  /** Written to the child's stdin, then stdin is closed (how PowerShell scripts receive policy data as JSON). */
  readonly stdin?: string;
  /** Killed after this long; default 60 s. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** stdout and stderr are each cut at this many bytes (default 8 MiB); `truncated` says so. */
  readonly maxOutputBytes?: number;
  /** Extra environment variables; the agent's environment is inherited otherwise. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * POSIX only: the child leads a process group of its own, and a timeout or abort signals the whole group (a package
   * manager's dpkg or rpm children too), not only the child, which would leave them orphaned, holding their locks.
   */
  readonly processGroup?: boolean;
}

export interface CommandResult {
  /** Exit code; null when the process was killed or could not start. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly truncated: boolean;
  /** Set when the executable could not be started (ENOENT: not installed). */
  readonly spawnError?: string;
}

/** Runs OS tools. The real one spawns processes; tests and the simulator use a scripted one. */
export interface CommandRunner {
  run(spec: CommandSpec): Promise<CommandResult>;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_OUTPUT = 8 * 1024 * 1024;
/** An aborted process group gets SIGTERM (dpkg and rpm stop between files), then SIGKILL after this long. */
export const GROUP_KILL_GRACE_MS = 10_000;

/** Arguments that no OS tool needs and that can only mean an injection attempt or corruption. */
export function assertSafeArgv(spec: Pick<CommandSpec, 'file' | 'args'>): void {
  for (const part of [spec.file, ...spec.args]) {
    if (part.includes('\0')) throw new Error(`refusing to run ${spec.file}: an argument contains a NUL byte`);
  }
}

/** Spawns the executable directly (shell: false), with timeout, abort and output limits. */
export class NodeCommandRunner implements CommandRunner {
  async run(spec: CommandSpec): Promise<CommandResult> {
    assertSafeArgv(spec);
    const limit = spec.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    const group = spec.processGroup === true;
    if (group && spec.signal?.aborted) return { code: null, stdout: '', stderr: '', timedOut: false, truncated: false, spawnError: 'aborted' };
    return new Promise((resolve) => {
      const child = spawn(spec.file, [...spec.args], {
        shell: false,
        windowsHide: true,
        stdio: ['pipe', 'pipe', 'pipe'],
        env: spec.env ? { ...process.env, ...spec.env } : process.env,
        // A group is signalled by hand below: spawn's own `signal` would kill the leader only.
        ...(group ? { detached: true } : { signal: spec.signal }),
      });
      const kill = (sig: NodeJS.Signals) => {
        if (!group || child.pid === undefined) return void child.kill(sig);
        try {
          process.kill(-child.pid, sig);
        } catch {
          // ESRCH: the whole group has exited already.
        }
      };
      let escalation: { cancel(): void } | undefined;
      const onAbort = () => {
        kill('SIGTERM');
        escalation = systemClock.setTimer(() => kill('SIGKILL'), GROUP_KILL_GRACE_MS);
      };
      if (group) spec.signal?.addEventListener('abort', onAbort, { once: true });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outBytes = 0;
      let errBytes = 0;
      let truncated = false;
      let timedOut = false;
      let settled = false;
      const collect = (chunks: Buffer[], size: number, chunk: Buffer): number => {
        const room = limit - size;
        if (room <= 0) {
          truncated = true;
          return size;
        }
        if (chunk.length > room) truncated = true;
        chunks.push(chunk.subarray(0, room));
        return size + Math.min(chunk.length, room);
      };
      child.stdout.on('data', (c: Buffer) => {
        outBytes = collect(out, outBytes, c);
      });
      child.stderr.on('data', (c: Buffer) => {
        errBytes = collect(err, errBytes, c);
      });
      const timer = systemClock.setTimer(() => {
        timedOut = true;
        kill('SIGKILL');
      }, spec.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      const finish = (code: number | null, spawnError?: string) => {
        if (settled) return;
        settled = true;
        timer.cancel();
        escalation?.cancel();
        spec.signal?.removeEventListener('abort', onAbort);
        resolve({
          code,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          timedOut,
          truncated,
          ...(spawnError ? { spawnError } : {}),
        });
      };
      child.on('error', (e: NodeJS.ErrnoException) => finish(null, e.code === 'ABORT_ERR' ? 'aborted' : `${e.code ?? 'error'}: ${e.message}`));
      child.on('close', (code) => finish(code));
      // A child that exits without reading stdin makes the write fail with EPIPE; that is the child's answer, not ours.
      child.stdin.on('error', () => undefined);
      child.stdin.end(spec.stdin ?? '');
    });
  }
}

/** A one-line description of a failed command for a per-setting error message (no stdin: it may hold policy data). */
export function describeFailure(spec: Pick<CommandSpec, 'file' | 'args'>, result: CommandResult): string {
  const what = [spec.file, ...spec.args.slice(0, 3)].join(' ');
  if (result.spawnError) return `${what}: cannot start (${result.spawnError})`;
  if (result.timedOut) return `${what}: timed out`;
  const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(0, 3).join(' ').slice(0, 500);
  return `${what}: exit ${result.code}${detail ? `: ${detail}` : ''}`;
}

/**
 * Parses a tool's JSON output (a leading BOM allowed); text that is not JSON throws an Error naming the tool and quoting
 * the start of the output, never a bare SyntaxError.
 */
export function parseToolJson(what: string, text: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new Error(`${what} did not print JSON (${(err as Error).message}): ${JSON.stringify(text.trim().slice(0, 200))}`, { cause: err });
  }
}

/** A CommandRunner answered by a function: boundary tests record the exact argv and replay recorded tool output. */
export class ScriptedCommandRunner implements CommandRunner {
  readonly calls: CommandSpec[] = [];
  constructor(private readonly respond: (spec: CommandSpec) => Partial<CommandResult> | Promise<Partial<CommandResult>>) {}

  async run(spec: CommandSpec): Promise<CommandResult> {
    assertSafeArgv(spec);
    this.calls.push(spec);
    const r = await this.respond(spec);
    return { code: 0, stdout: '', stderr: '', timedOut: false, truncated: false, ...r };
  }
}
