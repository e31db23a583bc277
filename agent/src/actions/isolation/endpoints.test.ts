// Endpoint URLs → hosts, ports and addresses: default ports per scheme, IPv6 literals without brackets, duplicates
// once, resolver answers made canonical, and the real OS resolver bounded in time.
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../../common/clock.js';
import { endpointTargets, resolveEndpoints } from './endpoints.js';
import { systemResolver } from './resolver.js';

describe('endpointTargets', () => {
  it('reads host and port, with the default port of each scheme, and lists a URL once', () => {
    expect(endpointTargets(['https://Mgmt.Example', 'wss://mgmt.example:8443/v1/push', 'http://[2001:DB8::1]/', 'https://mgmt.example/'])).toEqual([
      { url: 'https://mgmt.example/', host: 'mgmt.example', port: 443 },
      { url: 'wss://mgmt.example:8443/v1/push', host: 'mgmt.example', port: 8443 },
      { url: 'http://[2001:db8::1]/', host: '2001:db8::1', port: 80 },
    ]);
  });

  it.each([
    [[], /at least one/],
    [['not a url'], /endpointUrls\[0\].*not a URL/],
    [['https://a/', 'file:///etc/passwd'], /endpointUrls\[1\]: scheme file:/],
    [Array.from({ length: 17 }, (_, i) => `https://h${i}/`), /at most 16/],
  ])('refuses %j with ACTION_INVALID', (urls, message) => {
    expect(() => endpointTargets(urls)).toThrow(expect.objectContaining({ code: 'ACTION_INVALID', message: expect.stringMatching(message) }));
  });
});

describe('resolveEndpoints', () => {
  it('keeps only real addresses from the resolver, canonical and sorted; an answer of none is unresolved', async () => {
    const [target] = endpointTargets(['https://mgmt.example/']);
    const resolved = await resolveEndpoints([target as never], async () => ['fe80::1%eth0', '2001:DB8::2', 'garbage', '::ffff:192.0.2.1']);
    expect(resolved[0]?.addresses).toEqual(['192.0.2.1', '2001:db8::2']);
    await expect(resolveEndpoints([target as never], async () => [])).rejects.toMatchObject({ code: 'ISOLATION_ENDPOINT_UNRESOLVED' });
  });
});

describe('systemResolver', () => {
  it('resolves localhost through the OS (hosts file) to a loopback address', async () => {
    const addresses = await systemResolver(systemClock)('localhost');
    expect(addresses.some((a) => a === '127.0.0.1' || a === '::1')).toBe(true);
  });
});
