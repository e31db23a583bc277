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
  return skipDisabledLevels(
    winston.createLogger({
      level,
      format: winston.format.combine(winston.format.timestamp(), winston.format.errors({ stack: false }), winston.format.json()),
      defaultMeta: { service: 'attache-management' },
      transports: [new winston.transports.Console({ stderrLevels: [...LOG_LEVELS] })],
    }),
  );
}

/**
 * winston builds every entry (default meta, child meta) and streams it through its pipeline before dropping a level
 * that is off; on a hot path (each enrollment, each check-in) that costs tens of microseconds per call. The level
 * methods of this logger (and its children, which inherit them) return at once for a level that is off now.
 */
export function skipDisabledLevels(logger: Logger): Logger {
  // createLogger gives each logger its own prototype with one method per level: patching it touches no other logger.
  const proto = Object.getPrototypeOf(logger) as Record<LogLevel, (this: Logger, ...args: unknown[]) => Logger>;
  for (const name of LOG_LEVELS) {
    const write = proto[name];
    proto[name] = function (this: Logger, ...args: unknown[]) {
      return this.isLevelEnabled(name) ? write.apply(this, args) : this;
    };
  }
  return logger;
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
