// Pure renderer: a Linux firewall configuration → the complete text of an `nft -f` file that replaces the agent's own
// table `inet attache` in one transaction and leaves every other table alone. Policy strings never reach the text:
// ports and addresses are re-formatted from numbers, and a rule name (checked against the catalog pattern) appears
// only inside a quoted comment, which is how the parser maps nft rules back to policy rules.
import { type FirewallConfig, type NormalizedRule, normalizeRules } from './nftables-model.js';
import { type Family, formatPortInterval, type Interval, intervalToCidrs } from './nftables-values.js';

export const TABLE_FAMILY = 'inet';
export const TABLE_NAME = 'attache';
/** Comments of the two built-in rules; a colon cannot occur in a rule name, so no policy rule can take them. */
export const ESTABLISHED_COMMENT = 'attache:established';
export const LOOPBACK_COMMENT = 'attache:loopback';

const HEADER = '# Attaché Linux firewall: replaces table inet attache only, atomically (nft -f loads one transaction).';
// Creating the table first makes the delete succeed on a host that never had it; both are in the same transaction.
const REPLACE = [`table ${TABLE_FAMILY} ${TABLE_NAME} {}`, `delete table ${TABLE_FAMILY} ${TABLE_NAME}`];

/** The nft file that removes the agent's table (and nothing else); valid whether or not the table exists. */
export function renderRemoval(): string {
  return `${[HEADER, ...REPLACE].join('\n')}\n`;
}

/** The nft file that makes table inet attache exactly `config`; throws when a rule is invalid. */
export function renderTable(config: FirewallConfig): string {
  const rules = normalizeRules(config.rules);
  const chain = (name: 'input' | 'output', direction: 'in' | 'out', policy: string): string[] => [
    `\tchain ${name} {`,
    `\t\ttype filter hook ${name} priority filter; policy ${policy};`,
    ...(config.allowEstablished ? [`\t\tct state established,related accept comment "${ESTABLISHED_COMMENT}"`] : []),
    ...(config.allowLoopback ? [`\t\t${direction === 'in' ? 'iif' : 'oif'} "lo" accept comment "${LOOPBACK_COMMENT}"`] : []),
    ...rules.filter((r) => r.direction === direction).flatMap((r) => renderRule(r).map((line) => `\t\t${line}`)),
    '\t}',
  ];
  return `${[
    HEADER,
    ...REPLACE,
    `table ${TABLE_FAMILY} ${TABLE_NAME} {`,
    ...chain('input', 'in', policyWord(config.defaultInboundAction)),
    ...chain('output', 'out', policyWord(config.defaultOutboundAction)),
    '}',
  ].join('\n')}\n`;
}

function policyWord(value: string): string {
  if (value !== 'accept' && value !== 'drop') throw new Error(`chain policy must be accept or drop, not ${JSON.stringify(value)}`);
  return value;
}

function set(elements: readonly string[]): string {
  return elements.length === 1 ? (elements[0] as string) : `{ ${elements.join(', ')} }`;
}

function ports(intervals: readonly Interval[]): string {
  return set(intervals.map(formatPortInterval));
}

/** One nft rule per address family the rule names (nft matches one family per rule), or one without addresses. */
export function renderRule(rule: NormalizedRule): string[] {
  const families: (Family | undefined)[] = rule.addresses ? (['ip', 'ip6'] as const).filter((f) => (rule.addresses?.[f].length ?? 0) > 0) : [undefined];
  return families.map((family) => {
    const parts: string[] = [];
    if (family && rule.addresses) {
      const field = rule.direction === 'in' ? 'saddr' : 'daddr';
      parts.push(`${family} ${field} ${set(rule.addresses[family].flatMap((i) => intervalToCidrs(family, i)))}`);
    }
    parts.push(...protocolMatch(rule, family));
    parts.push(verdict(rule));
    parts.push(`comment "${rule.name}"`);
    return parts.join(' ');
  });
}

function protocolMatch(rule: NormalizedRule, family: Family | undefined): string[] {
  // Local ports are the destination of inbound packets and the source of outbound ones.
  const [local, remote] = rule.direction === 'in' ? ['dport', 'sport'] : ['sport', 'dport'];
  const portMatches = (prefix: string): string[] => [
    ...(rule.localPorts ? [`${prefix} ${local} ${ports(rule.localPorts)}`] : []),
    ...(rule.remotePorts ? [`${prefix} ${remote} ${ports(rule.remotePorts)}`] : []),
  ];
  const hasPorts = rule.localPorts !== undefined || rule.remotePorts !== undefined;
  switch (rule.protocol) {
    case 'tcp':
    case 'udp':
      return hasPorts ? portMatches(rule.protocol) : [`meta l4proto ${rule.protocol}`];
    case 'any':
      return hasPorts ? ['meta l4proto { tcp, udp }', ...portMatches('th')] : [];
    case 'icmp':
      return [`meta l4proto ${family === 'ip' ? 'icmp' : family === 'ip6' ? 'ipv6-icmp' : '{ icmp, ipv6-icmp }'}`];
  }
}

function verdict(rule: NormalizedRule): string {
  if (rule.action !== 'reject') return rule.action;
  // A TCP reset refuses a connection at once; other protocols get ICMP port unreachable (icmpx: right per family).
  return rule.protocol === 'tcp' ? 'reject with tcp reset' : 'reject';
}
