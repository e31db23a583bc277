// Gathers each source of an investigation package into its own 0600 file in a private work directory: state files
// and logs copied (at most `readCap` bytes, logs keeping their newest end), commands and scripts run with that output
// cap. A source that is missing or fails becomes an entry with `error`; it never fails the package.
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Clock } from '../../../../common/clock.js';
import { runPowerShell } from '../../providers/windows/powershell.js';
import { type CommandRunner, describeFailure } from '../../system/command-runner.js';
import type { CollectSource } from './sources.js';

/** What the agent passes in that only higher layers can read (actions/processes/process-table.ts, the host's facts, inventory/). */
export interface InvestigationSources {
  /** The process table (actions/processes/process-table.ts `listProcesses`, without hashes). */
  processes(): Promise<unknown>;
  /** The device facts the agent reports (AgentHost.facts). */
  deviceFacts(): unknown;
  /** The last inventory; absent: the entry says it is not available. */
  inventory?(): Promise<unknown>;
}

export interface CollectDeps {
  readonly runner: CommandRunner;
  readonly clock: Clock;
  readonly sources: InvestigationSources;
  /** The package's file name stem; default a random UUID. */
  readonly newId?: () => string;
}

/** One gathered entry: its bytes in `file` (absent when it failed). */
export interface GatheredEntry {
  readonly name: string;
  /** What produced it: the command line, the script's cmdlets, the file path, or the agent value. */
  readonly source: string;
  readonly file?: string;
  readonly sizeBytes: number;
  readonly keep: 'head' | 'tail';
  /** Already cut while gathering (a command's output over the cap, a file bigger than the cap). */
  readonly cut: boolean;
  /** Size before any cutting; undefined when unknown (a command's output cut by the runner). */
  readonly originalBytes: number | undefined;
  readonly error?: string;
}

export interface GatherContext {
  readonly stateDir: string;
  readonly logDir: string;
  readonly workDir: string;
  readonly readCap: number;
  readonly signal: AbortSignal;
}

/** Agent log files (regular files of the log dir), newest first, at most this many. */
export const MAX_LOG_FILES = 5;
const COMMAND_TIMEOUT_MS = 120_000;

/** Gathers the sources in order, then the agent logs; `onEntry` reports each one done (progress). */
export async function gatherEntries(
  sources: readonly CollectSource[],
  context: GatherContext,
  deps: CollectDeps,
  onEntry: (done: number, total: number) => void,
): Promise<GatheredEntry[]> {
  const logs = await logSources(context.logDir);
  const all: readonly (CollectSource | LogSource)[] = [...sources, ...logs.sources];
  const out: GatheredEntry[] = logs.error ? [failed('agent/logs', context.logDir, logs.error)] : [];
  for (const [index, source] of all.entries()) {
    context.signal.throwIfAborted();
    out.push(await gatherOne(source, join(context.workDir, String(index)), context, deps));
    onEntry(index + 1, all.length);
  }
  return out;
}

interface LogSource {
  readonly kind: 'log';
  readonly name: string;
  readonly path: string;
}

async function logSources(logDir: string): Promise<{ sources: LogSource[]; error?: string }> {
  try {
    const names = await readdir(logDir, { withFileTypes: true });
    const files = await Promise.all(
      names.filter((e) => e.isFile()).map(async (e) => ({ name: e.name, path: join(logDir, e.name), mtime: (await stat(join(logDir, e.name))).mtimeMs })),
    );
    files.sort((a, b) => b.mtime - a.mtime || a.name.localeCompare(b.name));
    const sources = files.slice(0, MAX_LOG_FILES).map((f, i) => ({ kind: 'log' as const, name: `agent/logs/${i}-${safeName(f.name)}`, path: f.path }));
    return sources.length > 0 ? { sources } : { sources, error: 'the log directory holds no file (under systemd the agent logs to the journal)' };
  } catch (err) {
    return { sources: [], error: `cannot list the log directory: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
}

/** An archive name from a file name: ASCII letters, digits, dot, dash and underscore, at most 60 characters. */
function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60) || 'log';
}

async function gatherOne(source: CollectSource | LogSource, file: string, context: GatherContext, deps: CollectDeps): Promise<GatheredEntry> {
  switch (source.kind) {
    case 'log':
      return copyFile(source.name, source.path, 'tail', file, context);
    case 'stateFile':
      return copyFile(source.name, join(context.stateDir, source.file), 'head', file, context);
    case 'command':
      return runCommand(source, file, context, deps.runner);
    case 'powershell': {
      const what = `powershell: ${source.cmdlets}`;
      try {
        const result = await runPowerShell(deps.runner, source.script, null, COMMAND_TIMEOUT_MS, context.signal);
        return saveText(source.name, what, `${JSON.stringify(result, null, 2)}\n`, source.keep, file, context.readCap);
      } catch (err) {
        context.signal.throwIfAborted();
        return failed(source.name, what, (err as Error).message);
      }
    }
    case 'value': {
      const what = `agent: ${source.value}`;
      try {
        const value =
          source.value === 'processes'
            ? await deps.sources.processes()
            : source.value === 'deviceFacts'
              ? await deps.sources.deviceFacts()
              : await inventory(deps);
        return saveText(source.name, what, `${JSON.stringify(value, null, 2)}\n`, 'head', file, context.readCap);
      } catch (err) {
        return failed(source.name, what, (err as Error).message);
      }
    }
  }
}

async function inventory(deps: CollectDeps): Promise<unknown> {
  if (!deps.sources.inventory) throw new Error('no inventory is available on this host');
  return deps.sources.inventory();
}

async function runCommand(
  source: Extract<CollectSource, { kind: 'command' }>,
  file: string,
  context: GatherContext,
  runner: CommandRunner,
): Promise<GatheredEntry> {
  const spec = { file: source.file, args: source.args, timeoutMs: COMMAND_TIMEOUT_MS, maxOutputBytes: context.readCap, signal: context.signal };
  const what = [source.file, ...source.args].join(' ');
  const result = await runner.run(spec);
  context.signal.throwIfAborted();
  if (result.spawnError?.startsWith('ENOENT')) return failed(source.name, what, `${source.file} is not installed`);
  if (result.code !== 0 || result.timedOut) return failed(source.name, what, describeFailure(spec, result));
  const entry = await saveText(source.name, what, result.stdout, source.keep, file, context.readCap);
  return result.truncated ? { ...entry, cut: true, originalBytes: undefined } : entry;
}

async function saveText(name: string, source: string, text: string, keep: 'head' | 'tail', file: string, readCap: number): Promise<GatheredEntry> {
  const all = Buffer.from(text, 'utf8');
  const data = all.length <= readCap ? all : keep === 'tail' ? all.subarray(all.length - readCap) : all.subarray(0, readCap);
  await writeFile(file, data, { mode: 0o600, flag: 'wx' });
  return { name, source, file, sizeBytes: data.length, keep, cut: data.length < all.length, originalBytes: all.length };
}

/** Copies at most readCap bytes of `path` (its end for logs), so a file that grows meanwhile cannot shift the archive. */
async function copyFile(name: string, path: string, keep: 'head' | 'tail', file: string, context: GatherContext): Promise<GatheredEntry> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) return failed(name, path, 'not a regular file');
    size = info.size;
  } catch (err) {
    return failed(name, path, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message);
  }
  const length = Math.min(size, context.readCap);
  const start = keep === 'tail' ? size - length : 0;
  let copied = 0;
  if (length > 0) {
    const reader = createReadStream(path, { start, end: start + length - 1 });
    reader.on('data', (chunk) => {
      copied += chunk.length;
    });
    await pipeline(reader, createWriteStream(file, { mode: 0o600, flags: 'wx' }), { signal: context.signal });
  } else {
    await writeFile(file, '', { mode: 0o600, flag: 'wx' });
  }
  return { name, source: path, file, sizeBytes: copied, keep, cut: copied < size, originalBytes: size };
}

function failed(name: string, source: string, error: string): GatheredEntry {
  return { name, source, sizeBytes: 0, keep: 'head', cut: false, originalBytes: 0, error: error.slice(0, 2000) };
}
