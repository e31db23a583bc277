// The endpoint logger drops a level that is off before winston builds and streams the entry, for children too, and
// follows a level changed at run time.
import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import winston from 'winston';
import { skipDisabledLevels } from './logging.js';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  const logger = skipDisabledLevels(winston.createLogger({ level, format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] }));
  return { logger, lines };
}

describe('skipDisabledLevels', () => {
  it('writes enabled levels and never streams a disabled one, through child loggers too', async () => {
    const { logger, lines } = capture('warn');
    const write = vi.spyOn(logger, 'write');
    const child = logger.child({ component: 'enrollment' });
    expect(child.info('device enrolled', { deviceId: 'd1' })).toBe(child);
    logger.debug('request');
    expect(write).not.toHaveBeenCalled();
    child.warn('enrollment failed', { code: 'ENROLLMENT_TOKEN_INVALID' });
    logger.error('request failed');
    await new Promise((r) => setImmediate(r));
    expect(lines).toEqual([
      { level: 'warn', message: 'enrollment failed', component: 'enrollment', code: 'ENROLLMENT_TOKEN_INVALID' },
      { level: 'error', message: 'request failed' },
    ]);
  });

  it('follows a level changed after creation', async () => {
    const { logger, lines } = capture('warn');
    logger.info('dropped');
    logger.level = 'info';
    logger.child({ component: 'x' }).info('kept');
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => l.message)).toEqual(['kept']);
  });

  it('leaves other loggers alone', async () => {
    const quiet = capture('error');
    const loud = capture('debug');
    quiet.logger.info('dropped');
    loud.logger.info('kept');
    await new Promise((r) => setImmediate(r));
    expect(quiet.lines).toEqual([]);
    expect(loud.lines.map((l) => l.message)).toEqual(['kept']);
  });
});
