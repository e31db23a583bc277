// Structured JSON logging (winston): one child logger per component. Under systemd, JSON lines to stdout with
// <priority> prefixes for journald; elsewhere a size-rotated file when a log dir is configured (the launchd plist
// and the Windows service set ATTACHE_LOG_DIR), and stderr. Never log tokens, keys or signatures.
import { join } from 'node:path';
import winston from 'winston';

export type Logger = winston.Logger;

export interface LoggingOptions {
  readonly level: 'error' | 'warn' | 'info' | 'debug';
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

/** sd-daemon(3) priority prefixes: journald parses `<N>` at the start of each stdout line (SyslogLevelPrefix=yes). */
const JOURNAL_PRIORITY: Readonly<Record<string, number>> = { error: 3, warn: 4, info: 6, debug: 7 };
const MESSAGE = Symbol.for('message');

const journalPrefix = winston.format((info) => {
  const record = info as unknown as Record<symbol, unknown>;
  record[MESSAGE] = `<${JOURNAL_PRIORITY[info.level] ?? 6}>${String(record[MESSAGE])}`;
  return info;
});

/** systemd sets JOURNAL_STREAM when stdout/stderr go to the journal and INVOCATION_ID for every service it runs. */
export function runsUnderJournald(env: Readonly<Record<string, string | undefined>>): boolean {
  return !!env.JOURNAL_STREAM || !!env.INVOCATION_ID;
}

export function createLogger(options: LoggingOptions): Logger {
  const transports: winston.transport[] = [];
  if (options.journald) transports.push(new winston.transports.Console({ stderrLevels: [], format: journalPrefix() }));
  else if (!options.logDir || options.stderrIsTty) transports.push(new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] }));
  if (options.logDir) {
    transports.push(new winston.transports.File({ filename: join(options.logDir, 'agent.log'), maxsize: 10 * 1024 * 1024, maxFiles: 5, tailable: true }));
  }
  return winston.createLogger({
    level: options.level,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    defaultMeta: { service: 'attache-agent' },
    transports,
  });
}

/** A logger that drops everything (CLI commands that print their own output). */
export function silentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console()] });
}
