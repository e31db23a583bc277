// Structured JSON logging: one child logger per component. Under systemd, JSON lines to stdout with <priority>
// prefixes for journald; elsewhere a size-rotated file when a log dir is configured (the launchd plist and the
// Windows service set ATTACHE_LOG_DIR), and stderr. Never log tokens, keys or signatures. Console lines are written
// here; only the rotated file goes through winston, loaded when a log dir is set, so the systemd agent never loads it.
import { join } from 'node:path';
import type winston from 'winston';
import { isoTime } from '../../common/iso-time.js';

/** Fields of one log line (camelCase, data not prose). */
export type LogMeta = Readonly<Record<string, unknown>>;
type LogMethod = (message: string, meta?: LogMeta) => void;

/** What every component logs through (winston's Logger has the same shape). */
export interface Logger {
  error: LogMethod;
  warn: LogMethod;
  info: LogMethod;
  debug: LogMethod;
  child(meta: LogMeta): Logger;
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface LoggingOptions {
  readonly level: LogLevel;
  /** Directory for agent.log (rotated at 10 MB, 5 files kept). */
  readonly logDir?: string;
  /** Write to journald's stdout stream (see runsUnderJournald) instead of stderr. */
  readonly journald?: boolean;
  /**
   * Whether stderr is a terminal. With a log dir and no terminal (launchd, the Windows wrapper) nothing goes to
   * stderr: the service manager's capture of it is not rotated by us and would grow for years with a copy of agent.log.
   */
  readonly stderrIsTty?: boolean;
}

const SEVERITY: Readonly<Record<LogLevel, number>> = { error: 0, warn: 1, info: 2, debug: 3 };
/** sd-daemon(3) priority prefixes: journald parses `<N>` at the start of each stdout line (SyslogLevelPrefix=yes). */
const JOURNAL_PRIORITY: Readonly<Record<LogLevel, number>> = { error: 3, warn: 4, info: 6, debug: 7 };
const DEFAULT_META = { service: 'attache-agent' };

/** systemd sets JOURNAL_STREAM when stdout/stderr go to the journal and INVOCATION_ID for every service it runs. */
export function runsUnderJournald(env: Readonly<Record<string, string | undefined>>): boolean {
  return !!env.JOURNAL_STREAM || !!env.INVOCATION_ID;
}

/** JSON with keys sorted at every depth (as winston's json format writes it); errors as their message; never throws. */
export function logLine(record: LogMeta): string {
  const seen = new WeakSet<object>();
  const plain = (value: unknown): unknown => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Error) return value.message;
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return '[Circular]';
    seen.add(value);
    if (Array.isArray(value)) return value.map(plain);
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = plain((value as Record<string, unknown>)[key]);
    return out;
  };
  return JSON.stringify(plain(record));
}

type Sink = (level: LogLevel, message: string, meta: LogMeta) => void;

class JsonLogger implements Logger {
  constructor(
    private readonly level: number,
    private readonly sinks: readonly Sink[],
    private readonly meta: LogMeta,
  ) {}
  error: LogMethod = (message, meta) => this.write('error', message, meta);
  warn: LogMethod = (message, meta) => this.write('warn', message, meta);
  info: LogMethod = (message, meta) => this.write('info', message, meta);
  debug: LogMethod = (message, meta) => this.write('debug', message, meta);
  child(meta: LogMeta): Logger {
    return new JsonLogger(this.level, this.sinks, { ...this.meta, ...meta });
  }
  private write(level: LogLevel, message: string, meta: LogMeta | undefined): void {
    if (SEVERITY[level] > this.level) return;
    for (const sink of this.sinks) sink(level, message, { ...this.meta, ...meta });
  }
}

function consoleSink(stream: NodeJS.WritableStream, journald: boolean): Sink {
  return (level, message, meta) => {
    const line = logLine({ ...DEFAULT_META, ...meta, level, message, timestamp: isoTime(new Date()) });
    stream.write(`${journald ? `<${JOURNAL_PRIORITY[level]}>` : ''}${line}\n`);
  };
}

/** agent.log through winston's size-rotating file transport; lines logged while winston loads wait in order. */
function fileSink(options: LoggingOptions & { readonly logDir: string }): Sink {
  let file: winston.Logger | undefined;
  let waiting: [LogLevel, string, LogMeta][] | undefined = [];
  void import('winston').then(({ default: w }) => {
    file = w.createLogger({
      level: options.level,
      format: w.format.combine(w.format.timestamp(), w.format.json()),
      defaultMeta: DEFAULT_META,
      transports: [new w.transports.File({ filename: join(options.logDir, 'agent.log'), maxsize: 10 * 1024 * 1024, maxFiles: 5, tailable: true })],
    });
    for (const [level, message, meta] of waiting ?? []) file.log(level, message, meta);
    waiting = undefined;
  });
  return (level, message, meta) => {
    if (file) file.log(level, message, meta);
    else waiting?.push([level, message, meta]);
  };
}

export function createLogger(options: LoggingOptions): Logger {
  const sinks: Sink[] = [];
  if (options.journald) sinks.push(consoleSink(process.stdout, true));
  else if (!options.logDir || options.stderrIsTty) sinks.push(consoleSink(process.stderr, false));
  if (options.logDir) sinks.push(fileSink({ ...options, logDir: options.logDir }));
  return new JsonLogger(SEVERITY[options.level], sinks, {});
}

/** A logger that drops everything (CLI commands that print their own output). */
export function silentLogger(): Logger {
  return new JsonLogger(-1, [], {});
}
