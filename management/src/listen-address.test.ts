// Tests of --listen parsing.
import { describe, expect, it } from 'vitest';
import { parseListen } from './listen-address.js';

describe('parseListen', () => {
  it('accepts host:port, [v6]:port, a bare port and port 0', () => {
    expect(parseListen('127.0.0.1:8443')).toEqual({ host: '127.0.0.1', port: 8443 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListen('0.0.0.0:443')).toEqual({ host: '0.0.0.0', port: 443 });
    expect(parseListen('9000')).toEqual({ host: '127.0.0.1', port: 9000 });
  });

  it('rejects anything else', () => {
    for (const bad of ['localhost', 'host:70000', 'host:-1', '::1:80']) expect(() => parseListen(bad)).toThrow();
  });
});
