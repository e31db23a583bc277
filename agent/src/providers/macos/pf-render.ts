// Pure renderer for the macOS pf rules (`firewallRules.pfRules`): policy items are checked field by field, reduced to
// numbers, and written as pf rules for the agent's own anchor. A rule name appears only inside the quoted label
// "attache:<name>" after it matched the catalog pattern; every other token is a keyword or text made by pf-values.ts.
// The same model expands a rule into "atoms", one per rule pfctl keeps after expanding lists, which is what the
// parser compares with `pfctl -s rules`.
import { type Family, formatNetwork, mergePorts, type Network, type PortRange, parseNetwork, parsePortList, pfPort, portKey } from './pf-values.js';

export type PfDirection = 'in' | 'out';
export type PfAction = 'pass' | 'block' | 'blockReturn';
export type PfProtocol = 'tcp' | 'udp' | 'icmp' | 'any';

/** One item of `firewallRules.pfRules`, as the catalog's item schema defines it. */
export interface PfRule {
  readonly name: string;
  readonly direction: PfDirection;
  readonly action: PfAction;
  readonly protocol: PfProtocol;
  readonly localPorts?: string;
  readonly remotePorts?: string;
  readonly remoteAddresses?: readonly string[];
}

/** A rule reduced to values: ports merged, addresses parsed and deduplicated. */
export interface NormalizedPfRule {
  readonly name: string;
  readonly direction: PfDirection;
  readonly action: PfAction;
  readonly protocol: PfProtocol;
  readonly localPorts: readonly PortRange[];
  readonly remotePorts: readonly PortRange[];
  readonly remotes: readonly Network[];
}

/** One pf rule after list expansion: what one line of `pfctl -s rules` says. */
export interface PfAtom {
  readonly direction: PfDirection;
  readonly action: PfAction;
  /** Set when pf knows the address family: from an address, or from icmp/icmp6. */
  readonly family?: Family;
  readonly proto?: 'tcp' | 'udp' | 'icmp' | 'icmp6';
  /** Absent: any address (of `family`, when set). */
  readonly remote?: Network;
  readonly remotePort?: PortRange;
  readonly localPort?: PortRange;
}

/** The label prefix; a colon cannot occur in a rule name, so no other label can look like ours. */
export const LABEL_PREFIX = 'attache:';
/** pf labels are 64 bytes with the terminating NUL (PF_RULE_LABEL_SIZE). */
const MAX_NAME = 63 - LABEL_PREFIX.length;
const NAME = /^[A-Za-z0-9][A-Za-z0-9 _.-]*$/;
const KEYS = new Set(['name', 'direction', 'action', 'protocol', 'localPorts', 'remotePorts', 'remoteAddresses']);

/** A policy item pf cannot take; the message names the rule and the field. */
export class PfRuleError extends Error {}

function oneOf<T extends string>(rule: string, field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
    throw new PfRuleError(`pf rule ${rule}: ${field} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`);
  return value as T;
}

function ports(rule: string, field: string, value: unknown): PortRange[] {
  if (value === undefined) return [];
  if (typeof value !== 'string') throw new PfRuleError(`pf rule ${rule}: ${field} must be a string`);
  try {
    return mergePorts(parsePortList(value));
  } catch (err) {
    throw new PfRuleError(`pf rule ${rule}: ${field}: ${(err as Error).message}`);
  }
}

function networks(rule: string, value: unknown): Network[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length === 0) throw new PfRuleError(`pf rule ${rule}: remoteAddresses must be a non-empty list`);
  const byKey = new Map<string, Network>();
  for (const item of value) {
    if (typeof item !== 'string') throw new PfRuleError(`pf rule ${rule}: remoteAddresses holds a non-string`);
    try {
      const n = parseNetwork(item);
      byKey.set(networkKey(n), n);
    } catch (err) {
      throw new PfRuleError(`pf rule ${rule}: remoteAddresses: ${(err as Error).message}`);
    }
  }
  return [...byKey.values()].sort((a, b) => networkKey(a).localeCompare(networkKey(b)));
}

export function networkKey(n: Network): string {
  return `${n.family}:${n.address.toString(16).padStart(32, '0')}/${String(n.prefix).padStart(3, '0')}`;
}

/** Checks one policy item (again: the schema already did, but this text becomes pf syntax) and reduces it. */
export function normalizePfRule(item: unknown): NormalizedPfRule {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new PfRuleError('pf rule must be an object');
  const raw = item as Record<string, unknown>;
  const name = raw.name;
  if (typeof name !== 'string' || !NAME.test(name) || name.length > MAX_NAME)
    throw new PfRuleError(`pf rule name ${JSON.stringify(name)} must be 1-${MAX_NAME} letters, digits, spaces, _ . - (starting with a letter or digit)`);
  for (const key of Object.keys(raw)) if (!KEYS.has(key)) throw new PfRuleError(`pf rule ${name}: unknown field ${JSON.stringify(key)}`);
  const protocol = oneOf(name, 'protocol', raw.protocol, ['tcp', 'udp', 'icmp', 'any'] as const);
  const rule: NormalizedPfRule = {
    name,
    direction: oneOf(name, 'direction', raw.direction, ['in', 'out'] as const),
    action: oneOf(name, 'action', raw.action, ['pass', 'block', 'blockReturn'] as const),
    protocol,
    localPorts: ports(name, 'localPorts', raw.localPorts),
    remotePorts: ports(name, 'remotePorts', raw.remotePorts),
    remotes: networks(name, raw.remoteAddresses),
  };
  if (protocol === 'icmp' && (rule.localPorts.length > 0 || rule.remotePorts.length > 0))
    throw new PfRuleError(`pf rule ${name}: ports need protocol tcp, udp or any, not icmp`);
  return rule;
}

/** The protocol and family combinations a rule becomes in pf: icmp is ICMP for IPv4 and ICMPv6 for IPv6. */
function protoGroups(rule: NormalizedPfRule): { proto?: PfAtom['proto']; family?: Family; remotes: readonly Network[] }[] {
  const hasPorts = rule.localPorts.length > 0 || rule.remotePorts.length > 0;
  switch (rule.protocol) {
    case 'tcp':
    case 'udp':
      return [{ proto: rule.protocol, remotes: rule.remotes }];
    case 'any':
      return hasPorts
        ? [
            { proto: 'tcp', remotes: rule.remotes },
            { proto: 'udp', remotes: rule.remotes },
          ]
        : [{ remotes: rule.remotes }];
    case 'icmp': {
      const groups = [
        { proto: 'icmp' as const, family: 'inet' as const, remotes: rule.remotes.filter((n) => n.family === 'inet') },
        { proto: 'icmp6' as const, family: 'inet6' as const, remotes: rule.remotes.filter((n) => n.family === 'inet6') },
      ];
      return rule.remotes.length === 0 ? groups : groups.filter((g) => g.remotes.length > 0);
    }
  }
}

function orAny<T>(list: readonly T[]): (T | undefined)[] {
  return list.length === 0 ? [undefined] : [...list];
}

/** The pf rules one policy rule becomes once pfctl has expanded its lists. */
export function expandPfRule(rule: NormalizedPfRule): PfAtom[] {
  const atoms: PfAtom[] = [];
  for (const group of protoGroups(rule)) {
    for (const remote of orAny(group.remotes)) {
      for (const remotePort of orAny(rule.remotePorts)) {
        for (const localPort of orAny(rule.localPorts)) {
          const family = remote?.family ?? group.family;
          atoms.push({
            direction: rule.direction,
            action: rule.action,
            ...(family ? { family } : {}),
            ...(group.proto ? { proto: group.proto } : {}),
            ...(remote && remote.prefix > 0 ? { remote } : {}),
            ...(remotePort ? { remotePort } : {}),
            ...(localPort ? { localPort } : {}),
          });
        }
      }
    }
  }
  return atoms;
}

/** A string that is equal for equal atoms (for set comparison). */
export function atomKey(a: PfAtom): string {
  return [
    a.direction,
    a.action,
    a.family ?? '*',
    a.proto ?? '*',
    a.remote ? networkKey(a.remote) : '*',
    a.remotePort ? portKey(a.remotePort) : '*',
    a.localPort ? portKey(a.localPort) : '*',
  ].join('|');
}

function list(items: readonly string[]): string {
  return items.length === 1 ? (items[0] as string) : `{ ${items.join(', ')} }`;
}

function endpoints(rule: NormalizedPfRule, remotes: readonly Network[]): string {
  if (remotes.length === 0 && rule.localPorts.length === 0 && rule.remotePorts.length === 0) return 'all';
  const address = remotes.length === 0 ? 'any' : list(remotes.map(formatNetwork));
  const port = (ranges: readonly PortRange[]) => (ranges.length === 0 ? '' : ` port ${list(ranges.map(pfPort))}`);
  return rule.direction === 'in'
    ? `from ${address}${port(rule.remotePorts)} to any${port(rule.localPorts)}`
    : `from any${port(rule.localPorts)} to ${address}${port(rule.remotePorts)}`;
}

const ACTION_WORDS: Record<PfAction, string> = { pass: 'pass', block: 'block drop', blockReturn: 'block return' };

/** The pf lines of one rule: one per protocol group (tcp and udp for `any` with ports; ICMP and ICMPv6 for icmp). */
export function renderPfRule(rule: NormalizedPfRule): string[] {
  const label = ` label "${LABEL_PREFIX}${rule.name}"`;
  return protoGroups(rule).map((group) => {
    // ipv6-icmp is the name /etc/protocols gives protocol 58 (pfctl resolves it with getprotobyname and prints it back).
    const protocol = group.proto ? ` proto ${group.proto === 'icmp6' ? 'ipv6-icmp' : group.proto}` : '';
    const family = group.family ? ` ${group.family}` : '';
    return `${ACTION_WORDS[rule.action]} ${rule.direction} quick${family}${protocol} ${endpoints(rule, group.remotes)}${label}`;
  });
}

/**
 * The whole anchor: block rules first, then pass rules, each by name. Every rule is `quick`, so the first match wins
 * and a block rule beats a pass rule for the same traffic whatever order the policies listed them in.
 */
export function renderPfRuleset(rules: readonly NormalizedPfRule[], anchor: string): string {
  const names = new Set<string>();
  for (const r of rules) {
    if (names.has(r.name)) throw new PfRuleError(`pf rule ${r.name} appears twice`);
    names.add(r.name);
  }
  const rank = (r: NormalizedPfRule) => (r.action === 'pass' ? 1 : 0);
  const ordered = [...rules].sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lines = ordered.flatMap((r) => renderPfRule(r));
  return `# Attache pf rules for anchor ${anchor}; loaded with pfctl -a ${anchor} -f -\n${lines.map((l) => `${l}\n`).join('')}`;
}
