// The rule stores of the emulated Windows Firewall: MDM-store rules behind the bridge (rule instance + App/Action
// children), local-store rules (including the pre-MDM agent's group) and Group Policy rules, and which are in force
// (ActiveStore). Answers FIREWALL_RULES_OBSERVE / _APPLY the way the scripts and the Firewall CSP would. Test support.
import { LEGACY_RULE_GROUP, RULE_ID_PATTERN, RULE_PROPERTIES, RULES_PARENT } from '../firewall-rules-scripts.js';

type Scalar = string | number | boolean;
/** A rule node in the MDM store with its children. */
export interface BridgeRule {
  readonly rule: Record<string, Scalar>;
  readonly app: Record<string, string> | null;
  readonly action: { readonly Type: number } | null;
}
/** A local-store or Group Policy rule, as much as the merge needs. */
export interface PlainRule {
  readonly Name: string;
  readonly DisplayName: string;
  readonly Group: string;
  readonly Profile: 'Any' | 'Domain' | 'Private' | 'Public';
}

/** What the firewall's rule string says for a node left unset (Firewall CSP defaults), when `fillsDefaults`. */
const FILLED: Record<string, Scalar> = {
  Enabled: false,
  Direction: 'OUT',
  Profiles: 2147483647,
  InterfaceTypes: 'All',
  EdgeTraversal: false,
  LocalAddressRanges: '*',
  RemoteAddressRanges: '*',
};
const INTERFACE_TYPES = ['RemoteAccess', 'Wireless', 'Lan', 'MBB', 'All'];
const APP_PROPERTIES = ['FilePath', 'ServiceName', 'PackageFamilyName', 'Fqbn'];

/** What the CSP refuses in a rule node (firewall-csp: types, Direction, ICMP coupling, "All" alone, "*:" ICMP entries). */
function checkRule(rule: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(rule)) {
    const type = RULE_PROPERTIES[name as keyof typeof RULE_PROPERTIES];
    if (!type) throw new Error(`property not allowed: ${name}`);
    const ok =
      type === 'integer' ? Number.isInteger(value) : type === 'boolean' ? typeof value === 'boolean' : typeof value === 'string' && !value.includes('\0');
    if (!ok) throw new Error(`The parameter is incorrect. (${name})`);
  }
  if (rule.Direction !== undefined && rule.Direction !== 'IN' && rule.Direction !== 'OUT') throw new Error('The parameter is incorrect. (Direction)');
  if (typeof rule.Protocol === 'number' && (rule.Protocol < 0 || rule.Protocol > 255)) throw new Error('The parameter is incorrect. (Protocol)');
  if (rule.IcmpTypesAndCodes !== undefined) {
    if (rule.Protocol !== 1 && rule.Protocol !== 58) throw new Error('IcmpTypesAndCodes requires protocol 1 or 58');
    if (
      String(rule.IcmpTypesAndCodes)
        .split(',')
        .some((e) => e.startsWith('*:'))
    )
      throw new Error('The parameter is incorrect. (IcmpTypesAndCodes)');
  }
  if (rule.PolicyAppId !== undefined && !/^[A-Za-z0-9_.:/]+$/.test(String(rule.PolicyAppId))) throw new Error('The parameter is incorrect. (PolicyAppId)');
  if (typeof rule.InterfaceTypes === 'string') {
    const types = rule.InterfaceTypes.split(',');
    if (types.some((t) => !INTERFACE_TYPES.includes(t)) || (types.includes('All') && types.length > 1))
      throw new Error('The parameter is incorrect. (InterfaceTypes)');
  }
}

/** A rule with its children as the bridge stores it, or the error the CSP gives for it. */
function checkInstance(c: { Rule: Record<string, Scalar>; App: Record<string, string> | null; Action: { Type: number } | null }): BridgeRule {
  checkRule(c.Rule ?? {});
  if (c.Rule?.PolicyAppId !== undefined && c.App?.ServiceName !== undefined) throw new Error('PolicyAppId and ServiceName cannot be combined');
  for (const [k, v] of Object.entries(c.App ?? {})) if (!APP_PROPERTIES.includes(k) || typeof v !== 'string') throw new Error(`property not allowed: ${k}`);
  if (c.Action !== null && c.Action !== undefined && c.Action.Type !== 0 && c.Action.Type !== 1) throw new Error('Action.Type must be 0 or 1');
  return { rule: { ...c.Rule }, app: c.App ? { ...c.App } : null, action: c.Action ? { Type: c.Action.Type } : null };
}

export class EmulatedRuleStore {
  /** MDM-store rules by node name; starts with one rule of another MDM manager (Intune), which must survive everything. */
  readonly mdm = new Map<string, BridgeRule>([
    ['{8f3e0c1a-2b4d-4e6f-9a1b-3c5d7e9f0a2b}', { rule: { Name: 'Intune: allow VPN client', Direction: 'OUT', Enabled: true }, app: null, action: { Type: 1 } }],
  ]);
  /** Local-store rules (PersistentStore): a Windows rule and an admin's rule that is not the agent's. */
  readonly local: PlainRule[] = [
    { Name: 'RemoteDesktop-UserMode-In-TCP', DisplayName: 'Remote Desktop - User Mode (TCP-In)', Group: '@FirewallAPI.dll,-28752', Profile: 'Any' },
    { Name: '{5c3f2e1a-8b1d-4f7e-9a0c-2d6e4b7f1a93}', DisplayName: 'Allow RDP from intranet', Group: '', Profile: 'Any' },
  ];
  /** Group Policy rules (RSOP). */
  readonly gpo: PlainRule[] = [];
  /** HKLM\SOFTWARE\Attache\FirewallRules values the pre-MDM agent kept; the key exists while `legacyHintKey` is true. */
  readonly legacyHints = new Map<string, string>();
  legacyHintKey = false;
  /**
   * Read back unset rule nodes as the defaults the firewall's rule string carries (disabled, OUT, allow, all profiles
   * and interfaces, any address, Action Type 1), as a device may; false: unset nodes read as null.
   */
  fillsDefaults = false;

  constructor(private readonly localMergeAllowed: () => Record<string, boolean>) {}

  /** Everything of the stores except the agent's MDM rules and the legacy rules, as a comparable snapshot. */
  foreign(): string {
    const mdm = [...this.mdm].filter(([id]) => !RULE_ID_PATTERN.test(id));
    return JSON.stringify({ mdm, local: this.local.filter((r) => !this.isLegacy(r)), gpo: this.gpo });
  }

  /** Names of every rule in force: GPO and MDM rules always; local rules only in a profile whose GPO allows local merge. */
  activeRules(): { Name: string; DisplayName: string; Source: 'GroupPolicy' | 'MDM' | 'Local' }[] {
    const allowed = this.localMergeAllowed();
    const localActive = (r: PlainRule) => (r.Profile === 'Any' ? Object.values(allowed).some(Boolean) : allowed[r.Profile] === true);
    return [
      ...this.gpo.map((r) => ({ Name: r.Name, DisplayName: r.DisplayName, Source: 'GroupPolicy' as const })),
      ...[...this.mdm].map(([id, r]) => ({ Name: id, DisplayName: String(r.rule.Name ?? id), Source: 'MDM' as const })),
      ...this.local.filter(localActive).map((r) => ({ Name: r.Name, DisplayName: r.DisplayName, Source: 'Local' as const })),
    ];
  }

  private isLegacy(r: PlainRule): boolean {
    return r.Group === LEGACY_RULE_GROUP && RULE_ID_PATTERN.test(r.Name);
  }

  observe(): unknown {
    const rules = [...this.mdm]
      .filter(([id]) => RULE_ID_PATTERN.test(id))
      .map(([id, r]) => ({
        InstanceID: id,
        ...Object.fromEntries(Object.keys(RULE_PROPERTIES).map((p) => [p, r.rule[p] ?? (this.fillsDefaults ? (FILLED[p] ?? null) : null)])),
        App: r.app ? Object.fromEntries(APP_PROPERTIES.map((p) => [p, r.app?.[p] ?? null])) : null,
        Action: r.action ? { Type: r.action.Type } : this.fillsDefaults ? { Type: 1 } : null,
      }));
    const active = this.activeRules()
      .filter((r) => r.Source === 'MDM')
      .map(({ Name, DisplayName }) => ({ Name, DisplayName, Enabled: String(this.mdm.get(Name)?.rule.Enabled === true ? 'True' : 'False') }));
    return { rules, active, legacy: this.local.filter((r) => this.isLegacy(r)).length + (this.legacyHintKey ? 1 : 0) };
  }

  apply(input: Record<string, unknown>): { op: string; name: string; error: string | null }[] {
    const results: { op: string; name: string; error: string | null }[] = [];
    const attempt = (op: string, name: string, fn: () => void) => {
      try {
        fn();
        results.push({ op, name, error: null });
      } catch (err) {
        results.push({ op, name, error: (err as Error).message });
      }
    };
    if (input.removeLegacy === true)
      attempt('migrate', LEGACY_RULE_GROUP, () => {
        for (let i = this.local.length - 1; i >= 0; i--) if (this.isLegacy(this.local[i] as PlainRule)) this.local.splice(i, 1);
        this.legacyHints.clear();
        this.legacyHintKey = false;
      });
    const ours = (id: string) => RULE_ID_PATTERN.test(id) && this.mdm.has(id);
    for (const id of (input.remove ?? []) as string[])
      attempt('remove', String(id), () => {
        if (!ours(String(id))) throw new Error('no such agent rule in the MDM store');
        this.mdm.delete(String(id));
      });
    type Instance = { InstanceID: string; Rule: Record<string, Scalar>; App: Record<string, string> | null; Action: { Type: number } | null };
    // All-or-nothing per rule: a refused update leaves the old rule as it was.
    for (const c of (input.update ?? []) as Instance[])
      attempt('update', String(c.InstanceID), () => {
        if (!ours(String(c.InstanceID))) throw new Error('no such agent rule in the MDM store');
        this.mdm.set(c.InstanceID, checkInstance(c));
      });
    for (const c of (input.create ?? []) as Instance[])
      attempt('create', String(c.InstanceID), () => {
        if (!RULE_ID_PATTERN.test(String(c.InstanceID))) throw new Error('not an agent rule id');
        if (this.mdm.has(c.InstanceID)) throw new Error('the rule already exists');
        this.mdm.set(c.InstanceID, checkInstance(c));
      });
    return results;
  }

  /** The ParentID an App/Action child of an agent rule carries (documentation of the bridge layout for tests). */
  static childParent(instanceId: string): string {
    return `${RULES_PARENT}/${instanceId}`;
  }
}
