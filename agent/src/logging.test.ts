// Log output under systemd: JSON lines on stdout with sd-daemon priority prefixes that journald maps to levels.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createLogger, logLine, runsUnderJournald, silentLogger } from './logging.js';

const streams = { _stdout: process.stdout, _stderr: process.stderr };

describe('runsUnderJournald', () => {
  it('is true when systemd set JOURNAL_STREAM or INVOCATION_ID, false otherwise', () => {
    expect(runsUnderJournald({ JOURNAL_STREAM: '8:12345' })).toBe(true);
    expect(runsUnderJournald({ INVOCATION_ID: 'abc' })).toBe(true);
    expect(runsUnderJournald({ TERM: 'xterm' })).toBe(false);
  });
});

describe('createLogger', () => {
  it('writes <priority>JSON lines to stdout for journald', () => {
    const out = vi.spyOn(streams._stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(streams._stderr, 'write').mockImplementation(() => true);
    try {
      const logger = createLogger({ level: 'debug', journald: true });
      logger.child({ component: 'sync' }).warn('sync failed', { code: 'ENDPOINT_UNREACHABLE' });
      logger.error('boom');
      const lines = out.mock.calls.map((c) => String(c[0]));
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^<4>\{/);
      expect(JSON.parse((lines[0] as string).slice(3))).toMatchObject({
        level: 'warn',
        message: 'sync failed',
        component: 'sync',
        code: 'ENDPOINT_UNREACHABLE',
      });
      expect(lines[1]).toMatch(/^<3>\{/);
      expect(err).not.toHaveBeenCalled();
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });

  it('writes plain JSON to stderr otherwise', () => {
    const out = vi.spyOn(streams._stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(streams._stderr, 'write').mockImplementation(() => true);
    try {
      createLogger({ level: 'info' }).info('agent started');
      expect(out).not.toHaveBeenCalled();
      expect(JSON.parse(String(err.mock.calls[0]?.[0]))).toMatchObject({ level: 'info', message: 'agent started' });
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});

describe('createLogger with a log dir', () => {
  it('writes agent.log and nothing to stderr when stderr is not a terminal (a service manager captures it)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attache-log-'));
    const err = vi.spyOn(streams._stderr, 'write').mockImplementation(() => true);
    try {
      const logger = createLogger({ level: 'info', logDir: dir, stderrIsTty: false });
      logger.info('agent started', { deviceId: 'd1' });
      // The file transport writes asynchronously (and logger 'finish' can come first): poll, bounded.
      let text = '';
      for (let i = 0; i < 100 && !text.includes('\n'); i++) {
        text = await readFile(join(dir, 'agent.log'), 'utf8').catch(() => '');
        if (!text.includes('\n')) await new Promise((r) => setTimeout(r, 20));
      }
      expect(err).not.toHaveBeenCalled();
      const line = JSON.parse(text.trim());
      expect(line).toMatchObject({ message: 'agent started', deviceId: 'd1', level: 'info' });
    } finally {
      err.mockRestore();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('log lines', () => {
  it('sort keys at every depth, write errors as their message, survive cycles and bigints', () => {
    const cyclic: Record<string, unknown> = { b: 1 };
    cyclic.self = cyclic;
    expect(logLine({ z: 1, a: { y: 2, x: [3n, new Error('boom')] }, c: cyclic })).toBe('{"a":{"x":["3","boom"],"y":2},"c":{"b":1,"self":"[Circular]"},"z":1}');
  });

  it('drop what is below the level, and a silent logger drops everything', () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const logger = createLogger({ level: 'warn' }).child({ component: 'push' });
      logger.info('push channel connected');
      logger.debug('detail');
      silentLogger().error('nothing');
      logger.warn('push message ignored', { error: 'bad json' });
      expect(err).toHaveBeenCalledTimes(1);
      expect(JSON.parse(String(err.mock.calls[0]?.[0]))).toMatchObject({ component: 'push', level: 'warn', service: 'attache-agent', error: 'bad json' });
    } finally {
      err.mockRestore();
    }
  });
});
