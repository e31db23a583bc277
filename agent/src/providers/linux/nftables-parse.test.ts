// The parser against JSON recorded from real nft 1.0.6 (testdata/nftables-*.json, re-checked by the contract test):
// rules map back to policy rules by name, and anything in our table the renderer did not write is reported.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ruleFromNormalized, sameRule } from './nftables-model.js';
import { parseNftJson } from './nftables-parse.js';
import { FULL_CONFIG } from './testing/nftables-fixtures.js';

const recorded = (name: string) => parseNftJson(readFileSync(join(import.meta.dirname, 'testdata', name), 'utf8'));

describe('parseNftJson', () => {
  it('reads the full configuration back: chain policies, built-in rules, every named rule', () => {
    const seen = recorded('nftables-full.json');
    expect(seen).toMatchObject({ present: true, defaultInboundAction: 'drop', defaultOutboundAction: 'accept', allowEstablished: true, allowLoopback: true });
    expect(seen.unrecognized).toEqual([]);
    const rules = seen.rules.map(ruleFromNormalized);
    expect(rules.map((r) => r.name).sort()).toEqual(FULL_CONFIG.rules.map((r) => r.name).sort());
    for (const given of FULL_CONFIG.rules) {
      const back = rules.find((r) => r.name === given.name);
      expect(sameRule(back, given), `${given.name}: ${JSON.stringify(back)}`).toBe(true);
    }
  });

  it('gives rules in canonical notation: sorted merged ports, CIDR networks with IPv4 first, mixed families joined', () => {
    const ssh = recorded('nftables-full.json')
      .rules.map(ruleFromNormalized)
      .find((r) => r.name === 'ssh');
    expect(ssh).toEqual({
      name: 'ssh',
      direction: 'in',
      action: 'accept',
      protocol: 'tcp',
      localPorts: '22,8000-8010,8080',
      remoteAddresses: ['10.0.0.0/8', '192.168.1.7', '2001:db8::/32'],
    });
  });

  it('reads the minimal configuration: no built-in rules, outbound drop', () => {
    expect(recorded('nftables-minimal.json')).toEqual({
      present: true,
      defaultInboundAction: 'accept',
      defaultOutboundAction: 'drop',
      allowEstablished: false,
      allowLoopback: false,
      rules: [],
      unrecognized: [],
    });
  });

  it('reports what others added to our table, and keeps what it can explain', () => {
    const seen = recorded('nftables-tampered.json');
    expect(seen.allowEstablished).toBe('only in the input chain');
    expect(seen.allowLoopback).toBe(true);
    expect(seen.rules.map(ruleFromNormalized)).toEqual([
      { name: 'dns', direction: 'in', action: 'accept', protocol: 'udp', localPorts: '53' },
      { name: 'ping', direction: 'out', action: 'accept', protocol: 'icmp', remoteAddresses: ['10.1.0.0/16', 'fd00::/8'] },
    ]);
    expect(seen.unrecognized).toHaveLength(4);
    expect(seen.unrecognized.join('\n')).toMatch(/chain forward/);
    expect(seen.unrecognized.join('\n')).toMatch(/"counter"/);
    expect(seen.unrecognized.join('\n')).toMatch(/"bad;name"/);
    expect(seen.unrecognized.join('\n')).toMatch(/named "ssh"/);
  });

  it('reads set elements nft merged into an address range that is not one prefix', () => {
    const json = {
      nftables: [
        { table: { family: 'inet', name: 'attache' } },
        { chain: { family: 'inet', table: 'attache', name: 'input', type: 'filter', hook: 'input', prio: 0, policy: 'accept' } },
        { chain: { family: 'inet', table: 'attache', name: 'output', type: 'filter', hook: 'output', prio: 0, policy: 'accept' } },
        {
          rule: {
            family: 'inet',
            table: 'attache',
            chain: 'input',
            comment: 'r',
            expr: [
              { match: { op: '==', left: { payload: { protocol: 'ip', field: 'saddr' } }, right: { set: [{ range: ['10.0.0.0', '10.0.1.127'] }] } } },
              { drop: null },
            ],
          },
        },
      ],
    };
    const [r] = parseNftJson(JSON.stringify(json)).rules.map(ruleFromNormalized);
    expect(r).toEqual({ name: 'r', direction: 'in', action: 'drop', protocol: 'any', remoteAddresses: ['10.0.0.0/24', '10.0.1.0/25'] });
  });

  it('a comment longer than any rule name is not a policy rule (the renderer could not load it back)', () => {
    const json = JSON.parse(readFileSync(join(import.meta.dirname, 'testdata', 'nftables-minimal.json'), 'utf8')) as { nftables: unknown[] };
    const expr = [{ accept: null }];
    json.nftables.push({ rule: { family: 'inet', table: 'attache', chain: 'input', comment: 'x'.repeat(65), expr } });
    json.nftables.push({ rule: { family: 'inet', table: 'attache', chain: 'input', comment: 'x'.repeat(64), expr } });
    const seen = parseNftJson(JSON.stringify(json));
    expect(seen.rules.map((r) => r.name)).toEqual(['x'.repeat(64)]);
    expect(seen.unrecognized).toHaveLength(1);
  });

  it('refuses output that is not nft JSON', () => {
    expect(() => parseNftJson('{"tables": []}')).toThrow(/nftables/);
    expect(() => parseNftJson('not json')).toThrow();
  });
});
