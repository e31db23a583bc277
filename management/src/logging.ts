// Structured JSON logs of the endpoint (winston) on stderr; stdout is reserved for the one "listening" line.
// Components log through child loggers ({ component }); tokens, keys and signatures are never logged.
import winston from 'winston';

/** The logger type every component receives. */
export type Logger = winston.Logger;

/** Levels the CLI accepts for --log-level. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
/** One of LOG_LEVELS. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A JSON logger writing every level to stderr. */
export function createLogger(level: LogLevel): Logger {
  return winston.createLogger({
    level,
    format: winston.format.combine(winston.format.timestamp(), winston.format.errors({ stack: false }), winston.format.json()),
    defaultMeta: { service: 'attache-management' },
    transports: [new winston.transports.Console({ stderrLevels: [...LOG_LEVELS] })],
  });
}

/** A logger that drops everything (tests). */
export function createSilentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
}

/** Short description of an unknown error for a log field (message only: stacks stay out of responses, not of logs). */
export function errorFields(err: unknown): { error: string; errorCode?: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { error: err.message, ...(typeof code === 'string' ? { errorCode: code } : {}) };
  }
  return { error: String(err) };
}
