// Firewall CSP rule items (catalog firewallRules.rules, mde-domain.md §2.4) ↔ MDM bridge instances: the rule node
// (MDM_Firewall_FirewallRules02_01) and its App / Action children. Pure. Every item field is written verbatim as its
// CSP node (lists comma-joined); an absent field stays unset, and Windows may read it back as the CSP default, so rules
// are compared with those defaults filled in on both sides (sameRule).
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../../common/canonical-json.js';
import { type APP_PROPERTIES, RULE_PROPERTIES as RULE_PROPERTY_TYPES } from './firewall-rules-scripts.js';

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
  readonly localUserAuthorizedList?: string;
  readonly filePath?: string;
  readonly packageFamilyName?: string;
  readonly fqbn?: string;
  readonly serviceName?: string;
  readonly policyAppId?: string;
}

type RuleProperty = keyof typeof RULE_PROPERTY_TYPES;
type AppProperty = (typeof APP_PROPERTIES)[number];
type Scalar = string | number | boolean;

/** What FIREWALL_RULES_APPLY creates for one item. */
export interface RuleInstance {
  readonly InstanceID: string;
  readonly Rule: Partial<Record<RuleProperty, Scalar>>;
  readonly App: Partial<Record<AppProperty, string>> | null;
  readonly Action: { readonly Type: 0 | 1 } | null;
}

/** A rule instance as FIREWALL_RULES_OBSERVE prints it (unset properties are null). */
export interface ObservedRule {
  readonly InstanceID: string;
  readonly [property: string]: unknown;
}

/** The stable CSP node name (InstanceID) of the rule for an item: derived from the item key only, never escaped. */
export function ruleId(itemName: string): string {
  return `Attache-${createHash('sha256').update(itemName, 'utf8').digest('hex').slice(0, 32)}`;
}

/** Item field ↔ rule-instance property; `list` fields are arrays in the item and comma lists in the CSP. */
const RULE_FIELDS: readonly (readonly [keyof FirewallRuleItem, RuleProperty, 'list'?])[] = [
  ['name', 'Name'],
  ['description', 'Description'],
  ['enabled', 'Enabled'],
  ['direction', 'Direction'],
  ['protocol', 'Protocol'],
  ['localPortRanges', 'LocalPortRanges'],
  ['remotePortRanges', 'RemotePortRanges'],
  ['icmpTypesAndCodes', 'IcmpTypesAndCodes'],
  ['localAddressRanges', 'LocalAddressRanges', 'list'],
  ['remoteAddressRanges', 'RemoteAddressRanges', 'list'],
  ['profiles', 'Profiles'],
  ['interfaceTypes', 'InterfaceTypes', 'list'],
  ['edgeTraversal', 'EdgeTraversal'],
  ['localUserAuthorizedList', 'LocalUserAuthorizedList'],
  ['policyAppId', 'PolicyAppId'],
];
const APP_FIELDS: readonly (readonly [keyof FirewallRuleItem, AppProperty])[] = [
  ['filePath', 'FilePath'],
  ['serviceName', 'ServiceName'],
  ['packageFamilyName', 'PackageFamilyName'],
  ['fqbn', 'Fqbn'],
];

/** The bridge instances for an item: set fields only, so the CSP defaults (disabled, OUT, allow, all) stay defaults. */
export function ruleInstance(item: FirewallRuleItem): RuleInstance {
  const rule: Partial<Record<RuleProperty, Scalar>> = {};
  for (const [field, property, list] of RULE_FIELDS) {
    const v = item[field];
    if (v !== undefined) rule[property] = list ? (v as readonly string[]).join(',') : (v as Scalar);
  }
  const app: Partial<Record<AppProperty, string>> = {};
  for (const [field, property] of APP_FIELDS) if (item[field] !== undefined) app[property] = item[field] as string;
  return {
    InstanceID: ruleId(item.name),
    Rule: rule,
    App: Object.keys(app).length > 0 ? app : null,
    Action: item.action === undefined ? null : { Type: item.action },
  };
}

/** The item an observed rule instance stands for: each set property back to its field (lists split on ","). */
export function itemFromRule(rule: ObservedRule): FirewallRuleItem {
  const item: Record<string, unknown> = {};
  for (const [field, property, list] of RULE_FIELDS) {
    const v = rule[property];
    // A value of another JSON type than the property's is not one the bridge prints: left out (reads as drift).
    if (typeof v !== (RULE_PROPERTY_TYPES[property] === 'integer' ? 'number' : RULE_PROPERTY_TYPES[property])) continue;
    item[field] = list ? (v as string).split(',') : v;
  }
  const app = rule.App as Record<string, unknown> | null | undefined;
  for (const [field, property] of APP_FIELDS) if (typeof app?.[property] === 'string') item[field] = app[property];
  const type = (rule.Action as { Type?: unknown } | null | undefined)?.Type;
  if (type === 0 || type === 1) item.action = type;
  return item as unknown as FirewallRuleItem;
}

/**
 * What the Firewall CSP applies to a rule node left unset ("If not specified…"): disabled, outbound, allow, all
 * profiles, all interface types, no edge traversal, any address. The firewall keeps each rule as a rule string that
 * always carries them, so the bridge may read them back filled in.
 */
// Source: https://learn.microsoft.com/en-us/windows/client-management/mdm/firewall-csp
export const RULE_DEFAULTS: Readonly<Partial<FirewallRuleItem>> = {
  enabled: false,
  direction: 'OUT',
  action: 1,
  profiles: 2147483647,
  interfaceTypes: ['All'],
  edgeTraversal: false,
  localAddressRanges: ['*'],
  remoteAddressRanges: ['*'],
};

/** The item with every field it leaves out set to the CSP default (what is in force either way). */
export function withRuleDefaults(item: FirewallRuleItem): FirewallRuleItem {
  const set = Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined && v !== null));
  return { ...RULE_DEFAULTS, ...set } as FirewallRuleItem;
}

/** True when two items make the same rule: equal once both have the CSP defaults filled in. */
export function sameRule(a: FirewallRuleItem, b: FirewallRuleItem): boolean {
  return canonicalJson(withRuleDefaults(a)) === canonicalJson(withRuleDefaults(b));
}

/** Why an item cannot be written to the Firewall CSP, or undefined when it can (defence in depth behind the catalog). */
export function ruleProblem(item: FirewallRuleItem): string | undefined {
  const strings = Object.values(item).flatMap((v) => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((s) => typeof s === 'string') : []));
  if (strings.some((s) => s.includes('\0'))) return 'contains a NUL character';
  if (item.name.includes('/')) return 'a rule name must not contain "/"';
  const tcpUdp = item.protocol === 6 || item.protocol === 17;
  if ((item.localPortRanges !== undefined || item.remotePortRanges !== undefined) && !tcpUdp) return 'port ranges need protocol 6 (TCP) or 17 (UDP)';
  if (item.icmpTypesAndCodes !== undefined) {
    if (item.protocol !== 1 && item.protocol !== 58) return 'icmpTypesAndCodes needs protocol 1 (ICMPv4) or 58 (ICMPv6)';
    const entries = item.icmpTypesAndCodes.split(',');
    if (entries.some((e) => e.startsWith('*:')) || (entries.length > 1 && entries.includes('*')))
      return 'icmpTypesAndCodes: "*:<code>", "*:*" and "*" inside a list are invalid (use "*" alone)';
  }
  if (item.interfaceTypes?.includes('All') && item.interfaceTypes.length > 1) return 'interfaceTypes: "All" must stand alone';
  if (item.edgeTraversal === true && item.direction !== 'IN') return 'edgeTraversal applies to inbound (IN) rules only';
  if (item.policyAppId !== undefined && item.serviceName !== undefined) return 'policyAppId and serviceName cannot be combined';
  return undefined;
}
