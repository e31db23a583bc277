// The nft file renderer against golden text (testdata/nftables-*.nft, loaded into real nft by the contract test), and
// proof that no hostile policy value can become nft syntax: invalid names and values never reach the text.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validatePolicySettings } from '../../../../common/validation.js';
import { DEFAULT_CONFIG, type LinuxFirewallRule, normalizeRule } from './nftables-model.js';
import { renderRemoval, renderRule, renderTable } from './nftables-render.js';
import { FULL_CONFIG, HOSTILE, MINIMAL_CONFIG } from './testing/nftables-fixtures.js';

const golden = (name: string) => readFileSync(join(import.meta.dirname, 'testdata', name), 'utf8');
const rule = (r: Partial<LinuxFirewallRule>): LinuxFirewallRule => ({ name: 'r', direction: 'in', action: 'accept', protocol: 'tcp', ...r });
const render = (r: Partial<LinuxFirewallRule>) => renderRule(normalizeRule(rule(r)));

describe('renderTable', () => {
  it('renders the full configuration as the golden file (replace only table inet attache, built-ins first)', () => {
    expect(renderTable(FULL_CONFIG)).toBe(golden('nftables-full.nft'));
  });

  it('renders the minimal configuration and the removal as the golden files', () => {
    expect(renderTable(MINIMAL_CONFIG)).toBe(golden('nftables-minimal.nft'));
    expect(renderRemoval()).toBe(golden('nftables-removal.nft'));
  });

  it('touches no table but inet attache', () => {
    for (const text of [renderTable(FULL_CONFIG), renderRemoval()]) {
      const tables = text.split('\n').filter((l) => /^\s*(delete |add |flush )?table /.test(l));
      expect(tables.every((l) => /table inet attache( \{\}| \{)?$/.test(l))).toBe(true);
      expect(text).not.toMatch(/flush ruleset|^\s*flush /m);
    }
  });

  it('keeps rules in policy order per chain, after the built-in rules', () => {
    const text = renderTable({ ...DEFAULT_CONFIG, rules: [rule({ name: 'b' }), rule({ name: 'a', direction: 'out' }), rule({ name: 'c' })] });
    const input = text.slice(text.indexOf('chain input'), text.indexOf('chain output'));
    expect(input.indexOf('attache:established')).toBeLessThan(input.indexOf('attache:loopback'));
    expect(input.indexOf('attache:loopback')).toBeLessThan(input.indexOf('comment "b"'));
    expect(input.indexOf('comment "b"')).toBeLessThan(input.indexOf('comment "c"'));
    expect(input).not.toContain('comment "a"');
  });
});

describe('renderRule', () => {
  it('maps local/remote ports and addresses to the packet fields of each direction', () => {
    expect(render({ localPorts: '22', remotePorts: '1024-65535', remoteAddresses: ['10.0.0.0/8'] })).toEqual([
      'ip saddr 10.0.0.0/8 tcp dport 22 tcp sport 1024-65535 accept comment "r"',
    ]);
    expect(render({ direction: 'out', localPorts: '22', remotePorts: '80,443', remoteAddresses: ['10.0.0.0/8'] })).toEqual([
      'ip daddr 10.0.0.0/8 tcp sport 22 tcp dport { 80, 443 } accept comment "r"',
    ]);
  });

  it('splits mixed address families into one rule each, same name', () => {
    expect(render({ protocol: 'icmp', remoteAddresses: ['fd00::/8', '10.0.0.1'] })).toEqual([
      'ip saddr 10.0.0.1 meta l4proto icmp accept comment "r"',
      'ip6 saddr fd00::/8 meta l4proto ipv6-icmp accept comment "r"',
    ]);
  });

  it('renders each protocol and verdict', () => {
    expect(render({ protocol: 'udp' })).toEqual(['meta l4proto udp accept comment "r"']);
    expect(render({ protocol: 'any' })).toEqual(['accept comment "r"']);
    expect(render({ protocol: 'any', localPorts: '53' })).toEqual(['meta l4proto { tcp, udp } th dport 53 accept comment "r"']);
    expect(render({ protocol: 'icmp', action: 'drop' })).toEqual(['meta l4proto { icmp, ipv6-icmp } drop comment "r"']);
    expect(render({ action: 'reject', localPorts: '23' })).toEqual(['tcp dport 23 reject with tcp reset comment "r"']);
    expect(render({ protocol: 'udp', action: 'reject', localPorts: '23' })).toEqual(['udp dport 23 reject comment "r"']);
  });

  it('writes numbers, not policy text: ports and networks are re-formatted', () => {
    expect(render({ localPorts: '8080,22,20-30,31', remoteAddresses: ['10.1.2.3/8', '2001:DB8:0:0::1/128'] })).toEqual([
      'ip saddr 10.0.0.0/8 tcp dport { 20-31, 8080 } accept comment "r"',
      'ip6 saddr 2001:db8::1 tcp dport { 20-31, 8080 } accept comment "r"',
    ]);
  });

  it('refuses ports on icmp, bad ranges, unknown fields and duplicate names', () => {
    expect(() => render({ protocol: 'icmp', localPorts: '1' })).toThrow(/not icmp/);
    expect(() => render({ localPorts: '30-20' })).toThrow(/ends before/);
    expect(() => normalizeRule({ ...rule({}), interface: 'eth0' })).toThrow(/unknown field interface/);
    expect(() => renderTable({ ...DEFAULT_CONFIG, rules: [rule({}), rule({ direction: 'out' })] })).toThrow(/used twice/);
  });
});

describe('hostile values', () => {
  it.each(HOSTILE)('rule name %j: rejected by the catalog schema and, independently, by the renderer', (name) => {
    const item = rule({ name });
    expect(() => validatePolicySettings({ kind: 'linuxFirewall', settings: { 'linuxFirewall.rules': [{ ...item }] } })).toThrow(/invalid/);
    expect(() => renderTable({ ...DEFAULT_CONFIG, rules: [item] })).toThrow(/rule name must match/);
  });

  it.each(HOSTILE)('ports and addresses %j: rejected by the renderer', (value) => {
    expect(() => render({ localPorts: `22${value}` })).toThrow();
    expect(() => render({ remoteAddresses: [`10.0.0.1${value}`] })).toThrow();
  });

  it('a name the pattern allows stays inert text inside the quoted comment', () => {
    expect(render({ name: 'x..y accept comment drop' })).toEqual(['meta l4proto tcp accept comment "x..y accept comment drop"']);
  });

  it('chain policies other than accept/drop are refused', () => {
    expect(() => renderTable({ ...DEFAULT_CONFIG, defaultInboundAction: 'accept; flush ruleset' as never })).toThrow(/accept or drop/);
  });
});
