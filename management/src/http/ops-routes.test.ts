import { describe, expect, it } from 'vitest';
import { parseMetricsListen } from './ops-routes.js';

describe('parseMetricsListen', () => {
  it('reads "on" as the main listener and host:port or a port as a separate listener', () => {
    expect(parseMetricsListen('on')).toBe('main');
    expect(parseMetricsListen('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseMetricsListen('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    expect(parseMetricsListen('9464')).toEqual({ host: '127.0.0.1', port: 9464 });
  });

  it('refuses anything else, saying what it expects', () => {
    expect(() => parseMetricsListen('yes')).toThrow(/host:port/);
    expect(() => parseMetricsListen('127.0.0.1:99999')).toThrow(/host:port/);
  });
});
