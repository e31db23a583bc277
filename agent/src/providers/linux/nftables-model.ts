// The Linux firewall settings as one configuration of the agent's nftables table, and the rule model both the
// renderer and the parser work on: rules checked field by field and reduced to merged numeric intervals, so a rule
// read back from nft can be compared with the rule the policy gave, whatever order or notation the policy used.
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import { type Family, formatPortInterval, type Interval, intervalToCidrs, mergeIntervals, parseNetwork, parsePorts } from './nftables-values.js';

export type ChainPolicy = 'accept' | 'drop';

/** One item of `linuxFirewall.rules`, as the catalog's item schema defines it. */
export interface LinuxFirewallRule {
  readonly name: string;
  readonly direction: 'in' | 'out';
  readonly action: 'accept' | 'drop' | 'reject';
  readonly protocol: 'tcp' | 'udp' | 'icmp' | 'any';
  readonly localPorts?: string;
  readonly remotePorts?: string;
  readonly remoteAddresses?: readonly string[];
}

/** Everything the table expresses; one field per catalog setting (`linuxFirewall.<field>`). */
export interface FirewallConfig {
  readonly defaultInboundAction: ChainPolicy;
  readonly defaultOutboundAction: ChainPolicy;
  readonly allowEstablished: boolean;
  readonly allowLoopback: boolean;
  readonly rules: readonly LinuxFirewallRule[];
}

export type FirewallField = keyof FirewallConfig;
export const FIREWALL_FIELDS: readonly FirewallField[] = ['defaultInboundAction', 'defaultOutboundAction', 'allowEstablished', 'allowLoopback', 'rules'];

/**
 * The catalog defaults, which are also what the host does without our table: every packet passes it, established
 * and loopback traffic included. A configuration equal to this needs no table at all.
 */
export const DEFAULT_CONFIG: FirewallConfig = {
  defaultInboundAction: 'accept',
  defaultOutboundAction: 'accept',
  allowEstablished: true,
  allowLoopback: true,
  rules: [],
};

/** A field's value as a setting value (rules are plain JSON objects). */
export function settingValueOf(config: FirewallConfig, field: FirewallField): SettingValue {
  return config[field] as unknown as SettingValue;
}

/** The setting id of a field, and back. */
export function settingIdOf(field: FirewallField): string {
  return `linuxFirewall.${field}`;
}
export function fieldOf(settingId: string): FirewallField | undefined {
  const field = settingId.startsWith('linuxFirewall.') ? settingId.slice('linuxFirewall.'.length) : '';
  return (FIREWALL_FIELDS as readonly string[]).includes(field) ? (field as FirewallField) : undefined;
}

/** Same pattern as the catalog's item schema; checked again here because the name is written into the nft file. */
export const RULE_NAME = /^[A-Za-z0-9][A-Za-z0-9 _.-]*$/;
export const RULE_NAME_MAX = 64;

/** A rule reduced to numbers: what nft stores, independent of how the policy wrote it. */
export interface NormalizedRule {
  readonly name: string;
  readonly direction: 'in' | 'out';
  readonly action: 'accept' | 'drop' | 'reject';
  readonly protocol: 'tcp' | 'udp' | 'icmp' | 'any';
  readonly localPorts?: readonly Interval[];
  readonly remotePorts?: readonly Interval[];
  /** Per family; absent when the rule matches any remote address. */
  readonly addresses?: { readonly ip: readonly Interval[]; readonly ip6: readonly Interval[] };
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw new Error(`${what} must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** Checks one rule item and reduces it to intervals; throws a message naming the rule and the field. */
export function normalizeRule(item: unknown): NormalizedRule {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new Error('a rule must be an object');
  const r = item as Record<string, unknown>;
  const name = r.name;
  if (typeof name !== 'string' || name.length > RULE_NAME_MAX || !RULE_NAME.test(name))
    throw new Error(`rule name must match ${RULE_NAME.source} and have at most ${RULE_NAME_MAX} characters`);
  const label = `rule "${name}"`;
  const known = ['name', 'direction', 'action', 'protocol', 'localPorts', 'remotePorts', 'remoteAddresses'];
  const extra = Object.keys(r).find((k) => !known.includes(k));
  if (extra) throw new Error(`${label}: unknown field ${extra}`);
  const protocol = oneOf(r.protocol, ['tcp', 'udp', 'icmp', 'any'] as const, `${label}: protocol`);
  const ports = (field: 'localPorts' | 'remotePorts'): Interval[] | undefined => {
    const value = r[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new Error(`${label}: ${field} must be a string`);
    if (protocol === 'icmp') throw new Error(`${label}: ${field} apply to tcp, udp or any, not icmp`);
    try {
      return mergeIntervals(parsePorts(value));
    } catch (err) {
      throw new Error(`${label}: ${field}: ${(err as Error).message}`);
    }
  };
  return {
    name,
    direction: oneOf(r.direction, ['in', 'out'] as const, `${label}: direction`),
    action: oneOf(r.action, ['accept', 'drop', 'reject'] as const, `${label}: action`),
    protocol,
    ...optional('localPorts', ports('localPorts')),
    ...optional('remotePorts', ports('remotePorts')),
    ...optional('addresses', normalizeAddresses(r.remoteAddresses, label)),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function normalizeAddresses(value: unknown, label: string): NormalizedRule['addresses'] {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) throw new Error(`${label}: remoteAddresses must be a non-empty list`);
  const byFamily: Record<Family, Interval[]> = { ip: [], ip6: [] };
  for (const entry of value) {
    if (typeof entry !== 'string') throw new Error(`${label}: remoteAddresses must hold strings`);
    try {
      const { family, interval } = parseNetwork(entry);
      byFamily[family].push(interval);
    } catch (err) {
      throw new Error(`${label}: remoteAddresses: ${(err as Error).message}`);
    }
  }
  return { ip: mergeIntervals(byFamily.ip), ip6: mergeIntervals(byFamily.ip6) };
}

/** The rule in its canonical policy notation: sorted, merged ports; CIDR networks, IPv4 first. */
export function ruleFromNormalized(n: NormalizedRule): LinuxFirewallRule {
  const ports = (list: readonly Interval[] | undefined) => (list === undefined ? undefined : list.map(formatPortInterval).join(','));
  const addresses = n.addresses && [...n.addresses.ip.flatMap((i) => intervalToCidrs('ip', i)), ...n.addresses.ip6.flatMap((i) => intervalToCidrs('ip6', i))];
  return {
    name: n.name,
    direction: n.direction,
    action: n.action,
    protocol: n.protocol,
    ...optional('localPorts', ports(n.localPorts)),
    ...optional('remotePorts', ports(n.remotePorts)),
    ...optional('remoteAddresses', addresses),
  };
}

/** True when two rule items mean the same packets and verdict (e.g. `80,22` and `22,80`). */
export function sameRule(a: unknown, b: unknown): boolean {
  try {
    return JSON.stringify(ruleFromNormalized(normalizeRule(a))) === JSON.stringify(ruleFromNormalized(normalizeRule(b)));
  } catch {
    return false;
  }
}

/** Checks the whole rule list: every rule valid, names unique (the name is how a rule is read back). */
export function normalizeRules(value: unknown): NormalizedRule[] {
  if (!Array.isArray(value)) throw new Error('rules must be a list');
  const rules = value.map(normalizeRule);
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r.name)) throw new Error(`rule name "${r.name}" is used twice`);
    seen.add(r.name);
  }
  return rules;
}
