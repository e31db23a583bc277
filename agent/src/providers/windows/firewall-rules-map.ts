// Firewall CSP rule items (catalog firewallRules.rules, mde-domain.md §2.4) ↔ New-NetFirewallRule parameters and the
// rules the observe script reads back (§5.2). Pure: the rule id, the parameters, the read-back item, and a signature
// that says when an item and a rule mean the same thing although written differently ("8:*" vs "8", /8 vs mask).
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../../common/canonical-json.js';
import { formatIpAddress, formatIpNetwork, tryParseIpAddress, tryParseIpNetwork } from '../../core/net-address.js';

/** One firewallRules.rules item, as the catalog's item schema allows it. */
export interface FirewallRuleItem {
  readonly name: string;
  readonly description?: string;
  readonly enabled?: boolean;
  readonly direction?: 'IN' | 'OUT';
  readonly action?: 0 | 1;
  readonly protocol?: number;
  readonly localPortRanges?: string;
  readonly remotePortRanges?: string;
  readonly icmpTypesAndCodes?: string;
  readonly localAddressRanges?: readonly string[];
  readonly remoteAddressRanges?: readonly string[];
  readonly profiles?: number;
  readonly interfaceTypes?: readonly string[];
  readonly edgeTraversal?: boolean;
  readonly localUserAuthorizationList?: string;
  readonly filePath?: string;
  readonly packageFamilyName?: string;
  readonly fqbn?: string;
  readonly serviceName?: string;
}

/** A rule as FIREWALL_RULES_OBSERVE prints it (enum values by name; numbers tolerated where the numbering is known). */
export interface ObservedRule {
  readonly Name: string;
  readonly DisplayName: string;
  readonly Description?: string | null;
  readonly Enabled?: string;
  readonly Direction?: string;
  readonly Action?: string;
  readonly Profile?: string;
  readonly EdgeTraversalPolicy?: string;
  readonly Protocol?: string;
  readonly LocalPort?: readonly string[];
  readonly RemotePort?: readonly string[];
  readonly IcmpType?: readonly string[];
  readonly LocalAddress?: readonly string[];
  readonly RemoteAddress?: readonly string[];
  readonly Program?: string;
  readonly Service?: string;
  readonly InterfaceType?: string;
  readonly LocalUser?: string;
  /** The exact item the agent last wrote for this rule (registry hint), JSON; used only when it means the same. */
  readonly Hint?: string | null;
}

export type RuleParameters = Record<string, string | string[]>;

/** The stable, unique -Name of the rule for an item: derived from the item key only. */
export function ruleId(itemName: string): string {
  return `Attache-${createHash('sha256').update(itemName, 'utf8').digest('hex').slice(0, 32)}`;
}

const ALL_PROFILES = 0x7fffffff;
const PROFILE_BITS: readonly (readonly [number, string])[] = [
  [1, 'Domain'],
  [2, 'Private'],
  [4, 'Public'],
];
const INTERFACE_TYPES: Record<string, string> = { Lan: 'Wired', Wireless: 'Wireless', RemoteAccess: 'RemoteAccess' };
/** CSP RemoteAddressRanges keywords ↔ New-NetFirewallRule -RemoteAddress keywords. */
const ADDRESS_KEYWORDS: Record<string, string> = {
  Defaultgateway: 'DefaultGateway',
  DHCP: 'DHCP',
  DNS: 'DNS',
  WINS: 'WINS',
  Intranet: 'Intranet',
  RmtIntranet: 'IntranetRemoteAccess',
  Internet: 'Internet',
  Ply2Renders: 'PlayToDevice',
  LocalSubnet: 'LocalSubnet',
};
const PROTOCOL_NAMES: Record<string, number> = { tcp: 6, udp: 17, icmpv4: 1, icmpv6: 58 };

const isAny = (s: string | undefined) => s === undefined || s === '' || s.toLowerCase() === 'any';
const splitList = (s: string) => s.split(',').map((p) => p.trim());

/** CSP ICMP entries → -IcmpType entries ("8:*" is type 8 any code, written "8"); undefined = any. */
function icmpEntries(list: string | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  const entries = splitList(list);
  if (entries.some((e) => e === '*' || e === '*:*')) return undefined;
  return entries.map((e) => (e.endsWith(':*') ? e.slice(0, -2) : e));
}

/** CSP address entries → -LocalAddress/-RemoteAddress entries; undefined = any. */
function addressEntries(list: readonly string[] | undefined): string[] | undefined {
  if (list === undefined || list.includes('*')) return undefined;
  return list.map((a) => ADDRESS_KEYWORDS[a] ?? a);
}

function profileNames(mask: number | undefined): string {
  if (mask === undefined || mask === ALL_PROFILES || (mask & 7) === 7) return 'Any';
  return PROFILE_BITS.filter(([bit]) => (mask & bit) !== 0)
    .map(([, n]) => n)
    .join(',');
}

/** New-NetFirewallRule parameters for an item (without -Group and -PolicyStore, which the script adds). */
export function ruleParameters(item: FirewallRuleItem): RuleParameters {
  const p: RuleParameters = { Name: ruleId(item.name), DisplayName: item.name };
  if (item.description !== undefined) p.Description = item.description;
  p.Enabled = item.enabled === false ? 'False' : 'True';
  p.Direction = item.direction === 'IN' ? 'Inbound' : 'Outbound'; // CSP default OUT; the cmdlet's default is Inbound
  p.Action = item.action === 0 ? 'Block' : 'Allow';
  if (item.protocol !== undefined) p.Protocol = String(item.protocol);
  if (item.localPortRanges !== undefined) p.LocalPort = splitList(item.localPortRanges);
  if (item.remotePortRanges !== undefined) p.RemotePort = splitList(item.remotePortRanges);
  const icmp = icmpEntries(item.icmpTypesAndCodes);
  if (icmp) p.IcmpType = icmp;
  const local = addressEntries(item.localAddressRanges);
  if (local) p.LocalAddress = local;
  const remote = addressEntries(item.remoteAddressRanges);
  if (remote) p.RemoteAddress = remote;
  p.Profile = profileNames(item.profiles);
  const types = item.interfaceTypes?.map((t) => INTERFACE_TYPES[t] ?? t);
  if (types && types.length < 3) p.InterfaceType = types.join(',');
  if (item.edgeTraversal === true) p.EdgeTraversalPolicy = 'Allow';
  if (item.localUserAuthorizationList !== undefined) p.LocalUser = item.localUserAuthorizationList;
  if (item.filePath !== undefined) p.Program = item.filePath;
  if (item.serviceName !== undefined) p.Service = item.serviceName;
  return p;
}

/** Why an item cannot be enforced with New-NetFirewallRule, or undefined when it can. */
export function ruleProblem(item: FirewallRuleItem): string | undefined {
  const strings = Object.values(item).flatMap((v) => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((s) => typeof s === 'string') : []));
  if (strings.some((s) => s.includes('\0'))) return 'contains a NUL character';
  if (item.packageFamilyName !== undefined)
    return 'packageFamilyName has no NetSecurity equivalent (New-NetFirewallRule -Package takes an AppContainer SID, not a package family name)';
  if (item.fqbn !== undefined) return 'fqbn (fully qualified binary name) has no NetSecurity equivalent';
  const tcpUdp = item.protocol === 6 || item.protocol === 17;
  if ((item.localPortRanges !== undefined || item.remotePortRanges !== undefined) && !tcpUdp) return 'port ranges need protocol 6 (TCP) or 17 (UDP)';
  if (item.icmpTypesAndCodes !== undefined && item.protocol !== 1 && item.protocol !== 58) return 'icmpTypesAndCodes needs protocol 1 (ICMPv4) or 58 (ICMPv6)';
  if (item.edgeTraversal === true && item.direction !== 'IN') return 'edgeTraversal applies to inbound (IN) rules only';
  return undefined;
}

function numberFrom(s: string | undefined, names: Record<string, number>): number | undefined {
  if (isAny(s) || s === undefined) return undefined;
  const named = names[s.toLowerCase()];
  if (named !== undefined) return named;
  return /^\d{1,3}$/.test(s) ? Number(s) : undefined;
}

function flagsFrom(s: string | undefined, bits: readonly (readonly [number, string])[]): number | undefined {
  if (isAny(s) || s === undefined) return undefined;
  if (/^\d+$/.test(s)) return Number(s) === 0 ? undefined : Number(s);
  let mask = 0;
  for (const part of splitList(s)) mask |= bits.find(([, n]) => n.toLowerCase() === part.toLowerCase())?.[0] ?? 0;
  return mask;
}

/** A filter list as printed (PowerShell may print a one-element array as a bare string); undefined = any. */
function list(raw: readonly string[] | string | undefined): readonly string[] | undefined {
  const l = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.map(String) : [];
  return l.length === 0 || l.some((e) => isAny(e)) ? undefined : l;
}
const REVERSE_KEYWORDS = Object.fromEntries(Object.entries(ADDRESS_KEYWORDS).map(([csp, ps]) => [ps.toLowerCase(), csp]));
const REVERSE_TYPES = Object.fromEntries(Object.entries(INTERFACE_TYPES).map(([csp, ps]) => [ps.toLowerCase(), csp]));

/** The item a rule in the agent's group stands for, written minimally (defaults left out). */
export function itemFromRule(rule: ObservedRule): FirewallRuleItem {
  const item: Record<string, unknown> = { name: rule.DisplayName };
  if (rule.Description) item.description = rule.Description;
  const enabled = rule.Enabled?.toLowerCase();
  if (enabled === 'false' || enabled === '2') item.enabled = false;
  const direction = rule.Direction?.toLowerCase();
  item.direction = direction === 'inbound' || direction === '1' ? 'IN' : 'OUT';
  const action = rule.Action?.toLowerCase();
  item.action = action === 'block' || action === '4' ? 0 : 1;
  const protocol = numberFrom(rule.Protocol, PROTOCOL_NAMES);
  if (protocol !== undefined) item.protocol = protocol;
  const local = list(rule.LocalPort);
  if (local) item.localPortRanges = local.join(',');
  const remote = list(rule.RemotePort);
  if (remote) item.remotePortRanges = remote.join(',');
  const icmp = list(rule.IcmpType);
  if (icmp) item.icmpTypesAndCodes = icmp.join(',');
  const la = list(rule.LocalAddress);
  if (la) item.localAddressRanges = [...la];
  const ra = list(rule.RemoteAddress);
  if (ra) item.remoteAddressRanges = ra.map((a) => REVERSE_KEYWORDS[a.toLowerCase()] ?? a);
  const profiles = flagsFrom(rule.Profile, PROFILE_BITS);
  if (profiles !== undefined && (profiles & 7) !== 7) item.profiles = profiles;
  const types = isAny(rule.InterfaceType) ? undefined : splitList(rule.InterfaceType ?? '').map((t) => REVERSE_TYPES[t.toLowerCase()] ?? t);
  if (types) item.interfaceTypes = types;
  const edge = rule.EdgeTraversalPolicy?.toLowerCase();
  if (edge === 'allow' || edge === '1') item.edgeTraversal = true;
  if (!isAny(rule.LocalUser)) item.localUserAuthorizationList = rule.LocalUser;
  if (!isAny(rule.Program)) item.filePath = rule.Program;
  if (!isAny(rule.Service)) item.serviceName = rule.Service;
  return item as unknown as FirewallRuleItem;
}

/** An address in canonical text (core/net-address.ts rules); what is not one (a keyword Windows added) as it is. */
function normalHost(host: string): string {
  const ip = tryParseIpAddress(host);
  return ip ? formatIpAddress(ip) : host.toLowerCase();
}

/** Prefix length of a dotted IPv4 mask (255.255.0.0 → 16); undefined when it is not one or not contiguous. */
function maskBits(mask: string): number | undefined {
  const ip = tryParseIpAddress(mask);
  if (ip?.family !== 4) return undefined;
  const hostPart = ~ip.value & 0xffffffffn;
  if ((hostPart & (hostPart + 1n)) !== 0n) return undefined; // contiguous: the host part is 2^k − 1
  return hostPart === 0n ? 32 : 32 - hostPart.toString(2).length;
}

/** One address in a comparable form: IPv4 masks as prefix lengths, host prefixes dropped, canonical text, keywords by CSP name. */
function normalAddress(a: string): string {
  if (a === '*' || a.toLowerCase() === 'any') return '*';
  const keyword = REVERSE_KEYWORDS[a.toLowerCase()] ?? (ADDRESS_KEYWORDS[a] ? a : undefined);
  if (keyword) return keyword;
  if (a.includes('-')) return a.split('-').map(normalAddress).join('-');
  const [host = '', prefix] = a.split('/');
  if (prefix === undefined) return normalHost(host);
  const bits = prefix.includes('.') ? maskBits(prefix) : prefix;
  const network = bits === undefined ? undefined : tryParseIpNetwork(`${host}/${bits}`);
  // Host bits do not change what a subnet matches, so 10.1.2.3/8 and 10.0.0.0/8 compare equal.
  return network ? formatIpNetwork(network) : `${normalHost(host)}/${prefix}`;
}

const sortedOrNull = (values: readonly string[] | undefined) => (values === undefined ? null : [...new Set(values)].sort());

/** Equal for an item and a rule (or two items) that Windows enforces identically; defaults made explicit. */
export function ruleSignature(item: FirewallRuleItem): string {
  const icmp = icmpEntries(item.icmpTypesAndCodes);
  const addresses = (l: readonly string[] | undefined) => {
    const normal = l?.map(normalAddress);
    return normal === undefined || normal.includes('*') ? null : sortedOrNull(normal);
  };
  const types = item.interfaceTypes && item.interfaceTypes.length < 3 ? sortedOrNull(item.interfaceTypes) : null;
  return canonicalJson({
    name: item.name,
    description: item.description ?? null,
    enabled: item.enabled !== false,
    direction: item.direction ?? 'OUT',
    action: item.action ?? 1,
    protocol: item.protocol ?? null,
    localPorts: sortedOrNull(item.localPortRanges === undefined ? undefined : splitList(item.localPortRanges)),
    remotePorts: sortedOrNull(item.remotePortRanges === undefined ? undefined : splitList(item.remotePortRanges)),
    icmp: sortedOrNull(icmp),
    localAddresses: addresses(item.localAddressRanges),
    remoteAddresses: addresses(item.remoteAddressRanges),
    profiles: profileNames(item.profiles),
    interfaceTypes: types,
    edgeTraversal: item.edgeTraversal === true,
    localUser: item.localUserAuthorizationList ?? null,
    program: item.filePath ?? null,
    service: item.serviceName ?? null,
    package: item.packageFamilyName ?? null,
    fqbn: item.fqbn ?? null,
  });
}

/** The item to report for an observed rule: the agent's exact earlier item when it means the same, else the rule's own. */
export function reportedItem(rule: ObservedRule): FirewallRuleItem {
  const observed = itemFromRule(rule);
  if (typeof rule.Hint !== 'string') return observed;
  try {
    const hint = JSON.parse(rule.Hint) as FirewallRuleItem;
    if (hint && typeof hint === 'object' && !Array.isArray(hint) && ruleSignature(hint) === ruleSignature(observed)) return hint;
  } catch {
    // A damaged hint is only a lost presentation detail: the rule itself is reported.
  }
  return observed;
}
