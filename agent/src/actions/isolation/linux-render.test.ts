// The Linux isolation file: golden text for two endpoints (a name with IPv4 and IPv6 addresses, an IPv4 literal on its
// own port), and hostile or empty input refused before any text is produced.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderIsolationRemoval, renderIsolationTable } from './linux-render.js';

const golden = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');

describe('renderIsolationTable', () => {
  it('renders the golden file: sets of address . port pairs, drop policies, loopback, established from the endpoints only', () => {
    const text = renderIsolationTable([
      { url: 'https://mgmt.example/', host: 'mgmt.example', port: 443, addresses: ['192.0.2.10', '2001:db8::10'] },
      { url: 'https://10.251.0.2:8443/', host: '10.251.0.2', port: 8443, addresses: ['10.251.0.2'] },
    ]);
    expect(text).toBe(golden('linux-isolation.nft'));
  });

  it('writes addresses canonically whatever the resolver spelled (IPv4-mapped is IPv4, IPv6 lower case)', () => {
    const text = renderIsolationTable([{ url: 'https://a/', host: 'a', port: 443, addresses: ['::ffff:192.0.2.1', '2001:DB8:0:0::1'] }]);
    expect(text).toContain('elements = { 192.0.2.1 . 443 }');
    expect(text).toContain('elements = { 2001:db8::1 . 443 }');
  });

  it.each([
    ['an address that is not one', { addresses: ['192.0.2.1; flush ruleset'] }],
    ['a port out of range', { port: 70000 }],
    ['no address at all', { addresses: [] }],
  ])('refuses %s', (_, patch) => {
    expect(() => renderIsolationTable([{ url: 'https://a/', host: 'a', port: 443, addresses: ['192.0.2.1'], ...patch }])).toThrow();
  });

  it('the removal names only the isolation table', () => {
    const lines = renderIsolationRemoval()
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    expect(lines).toEqual(['table inet attache_isolation {}', 'delete table inet attache_isolation']);
  });
});
