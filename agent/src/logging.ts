// Structured JSON logging (winston): one child logger per component; stderr under a service manager, plus a
// size-rotated file when a log dir is configured. Never log tokens, keys or signatures.
import { join } from 'node:path';
import winston from 'winston';

export type Logger = winston.Logger;

export interface LoggingOptions {
  readonly level: 'error' | 'warn' | 'info' | 'debug';
  /** Directory for agent.log (rotated at 10 MB, 5 files kept); stderr only when absent. */
  readonly logDir?: string;
}

export function createLogger(options: LoggingOptions): Logger {
  const transports: winston.transport[] = [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })];
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
