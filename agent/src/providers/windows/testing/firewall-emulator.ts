// An in-memory Windows Firewall with its three stores — Group Policy (RSOP), the MDM store behind the WMI bridge, the
// local store — merged into the ActiveStore by the Firewall CSP's law (GPO > MDM > local per value; a GPO
// AllowLocalPolicyMerge=false drops local-store rules, not MDM rules). Answers our scripts; test support only.
import type { CommandResult, CommandSpec } from '../../../system/command-runner.js';
import { ScriptedCommandRunner } from '../../../system/command-runner.js';
import { FIREWALL_LEGACY_RESET } from '../firewall-legacy.js';
import { FIREWALL_RULES_APPLY, FIREWALL_RULES_OBSERVE } from '../firewall-rules-scripts.js';
import {
  AUDIT_SUBCATEGORIES,
  FIREWALL_APPLY,
  FIREWALL_BRIDGE,
  FIREWALL_CLASSES,
  FIREWALL_HEALTH,
  FIREWALL_OBSERVE,
  type FirewallInstance,
  GLOBAL_PROPERTIES,
  NET_PROFILE_PROPERTIES,
  NET_SETTING_PROPERTIES,
  NLM_PROPERTIES,
  PROFILE_PROPERTIES,
} from '../firewall-scripts.js';
import { fullScript, POWERSHELL, type PowerShellScript } from '../powershell.js';
import { EmulatedRuleStore } from './firewall-emulator-rules.js';

type Values = Record<string, string>;
type MdmValues = Record<string, string | number | boolean | null>;
const PROFILES = ['Domain', 'Private', 'Public'] as const;
const INSTANCES = Object.keys(FIREWALL_CLASSES) as FirewallInstance[];

/** A fresh local store as `Get-NetFirewallProfile -PolicyStore PersistentStore` shows it on Windows 11. */
function freshProfile(): Values {
  return {
    ...Object.fromEntries(NET_PROFILE_PROPERTIES.map((p) => [p, 'NotConfigured'])),
    Enabled: 'True',
    NotifyOnListen: 'True',
    LogAllowed: 'False',
    LogBlocked: 'False',
    LogFileName: '%systemroot%\\system32\\LogFiles\\Firewall\\pfirewall.log',
    LogMaxSizeKilobytes: '4096',
  };
}
const notConfigured = (names: readonly string[]): Values => Object.fromEntries(names.map((n) => [n, 'NotConfigured']));

const tf = (b: boolean) => (b ? 'True' : 'False');
const flagNames = (v: number, names: readonly string[]) => names.filter((_, i) => (v & (1 << i)) !== 0).join(', ') || 'None';
/** How the firewall shows an MDM-store value in NetSecurity terms (written independently of the provider's map). */
const MDM_TO_NET: Record<string, [string, (v: never) => string]> = {
  EnableFirewall: ['Enabled', (v: boolean) => tf(v)],
  DefaultInboundAction: ['DefaultInboundAction', (v: number) => (v === 0 ? 'Allow' : 'Block')],
  DefaultOutboundAction: ['DefaultOutboundAction', (v: number) => (v === 0 ? 'Allow' : 'Block')],
  Shielded: ['AllowInboundRules', (v: boolean) => tf(!v)],
  DisableUnicastResponsesToMulticastBroadcast: ['AllowUnicastResponseToMulticast', (v: boolean) => tf(!v)],
  DisableInboundNotifications: ['NotifyOnListen', (v: boolean) => tf(!v)],
  AuthAppsAllowUserPrefMerge: ['AllowUserApps', (v: boolean) => tf(v)],
  GlobalPortsAllowUserPrefMerge: ['AllowUserPorts', (v: boolean) => tf(v)],
  AllowLocalPolicyMerge: ['AllowLocalFirewallRules', (v: boolean) => tf(v)],
  AllowLocalIpsecPolicyMerge: ['AllowLocalIPsecRules', (v: boolean) => tf(v)],
  DisableStealthModeIpsecSecuredPacketExemption: ['EnableStealthModeForIPsec', (v: boolean) => tf(v)],
  EnableLogDroppedPackets: ['LogBlocked', (v: boolean) => tf(v)],
  EnableLogSuccessConnections: ['LogAllowed', (v: boolean) => tf(v)],
  EnableLogIgnoredRules: ['LogIgnored', (v: boolean) => tf(v)],
  LogFilePath: ['LogFileName', (v: string) => v],
  LogMaxFileSize: ['LogMaxSizeKilobytes', (v: number) => String(v)],
  DisableStatefulFtp: ['EnableStatefulFtp', (v: boolean) => tf(!v)],
  SaIdleTime: ['MaxSAIdleTimeSeconds', (v: number) => String(v)],
  PresharedKeyEncoding: ['KeyEncoding', (v: number) => (v === 0 ? 'UTF16' : 'UTF8')],
  CRLcheck: ['CertValidationLevel', (v: number) => ['None', 'AttemptCrlCheck', 'RequireCrlCheck'][v] ?? 'None'],
  IPsecExempt: ['Exemptions', (v: number) => flagNames(v, ['NeighborDiscovery', 'Icmp', 'RouterDiscovery', 'Dhcp'])],
  EnablePacketQueue: ['EnablePacketQueuing', (v: number) => flagNames(v, ['Inbound', 'Forward'])],
};

/** The bridge's CIM types (documented MOF: booleans, sint32, strings; LogMaxFileSize as uint32 on current builds). */
function cimType(property: string): string {
  if (property === 'LogFilePath' || (NLM_PROPERTIES as readonly string[]).includes(property)) return 'String';
  if (property === 'LogMaxFileSize') return 'UInt32';
  const ints = ['DefaultInboundAction', 'DefaultOutboundAction', 'SaIdleTime', 'PresharedKeyEncoding', 'CRLcheck', 'IPsecExempt', 'EnablePacketQueue'];
  if (property in AUDIT_SUBCATEGORIES) return 'SInt32';
  return ints.includes(property) ? 'SInt32' : 'Boolean';
}

/** The emulated host: state plus a runner that answers exactly our scripts. */
export class EmulatedWindowsFirewall {
  /** Local store (PersistentStore), NetSecurity names. */
  readonly local = {
    profiles: Object.fromEntries(PROFILES.map((p) => [p, freshProfile()])) as Record<string, Values>,
    settings: notConfigured(NET_SETTING_PROPERTIES),
  };
  /** Group Policy (RSOP) store, NetSecurity names, plus the Policies registry values NetSecurity does not show. */
  readonly gpo = {
    profiles: Object.fromEntries(PROFILES.map((p) => [p, notConfigured(NET_PROFILE_PROPERTIES)])) as Record<string, Values>,
    settings: notConfigured(NET_SETTING_PROPERTIES),
    registry: Object.fromEntries(PROFILES.map((p) => [`${p}Profile`, {}])) as Record<string, Record<string, number>>,
  };
  /** Advanced audit policy set locally (auditpol), by Audit property; the MDM value wins over it. */
  readonly localAudit: Record<string, number> = {};
  /** MDM store bridge instances by InstanceID (absent = no instance); CSP property names and values. */
  readonly mdm = new Map<FirewallInstance, MdmValues>();
  /** Bridge properties this build lacks, by instance (e.g. LogMaxFileSize before Windows 11 22H2); a missing class: `null`. */
  readonly missing = new Map<FirewallInstance, string[] | null>();
  readonly rules = new EmulatedRuleStore(() => this.localMergeAllowed());
  /** Error message the next run of a script (by name) fails with, as a terminating error would. */
  readonly failNext = new Map<string, string>();
  readonly runner = new ScriptedCommandRunner((spec) => this.answer(spec));

  /** The effective profile (ActiveStore): per value GPO if configured, else the MDM store, else the local store. */
  activeProfile(profile: string): Values {
    const mdm = this.mdm.get(`${profile}Profile` as FirewallInstance) ?? {};
    return this.merge(this.local.profiles[profile] ?? {}, mdm, this.gpo.profiles[profile] ?? {});
  }

  activeSettings(): Values {
    return this.merge(this.local.settings, this.mdm.get('Global') ?? {}, this.gpo.settings);
  }

  /** The effective advanced audit policy of the two subcategories (what auditpol reports). */
  effectiveAudit(): Record<string, number> {
    const mdm = this.mdm.get('Audit') ?? {};
    return Object.fromEntries(Object.keys(AUDIT_SUBCATEGORIES).map((p) => [p, typeof mdm[p] === 'number' ? (mdm[p] as number) : (this.localAudit[p] ?? 0)]));
  }

  private merge(local: Values, mdm: MdmValues, gpo: Values): Values {
    const out = { ...local };
    for (const [property, value] of Object.entries(mdm)) {
      const net = MDM_TO_NET[property];
      if (net && value !== null) out[net[0]] = net[1](value as never);
    }
    for (const [name, value] of Object.entries(gpo)) if (value !== 'NotConfigured') out[name] = value;
    return out;
  }

  /** Rules outside the agent's (and the legacy group), as a comparable snapshot. */
  foreignRules(): string {
    return this.rules.foreign();
  }

  /**
   * Local-store rules count per profile unless the effective AllowLocalPolicyMerge is false. The CSP says its merge
   * law is "always the GroupPolicyRSoPStore"; Intune's MDM value is reported to work too, so the effective (merged)
   * value decides here — either way a GPO false drops local rules, and MDM rules are never affected.
   */
  private localMergeAllowed(): Record<string, boolean> {
    return Object.fromEntries(PROFILES.map((p) => [p, this.activeProfile(p).AllowLocalFirewallRules !== 'False']));
  }

  private answer(spec: CommandSpec): Partial<CommandResult> {
    const script = this.identify(spec);
    const fail = this.failNext.get(script.name);
    if (fail !== undefined) {
      this.failNext.delete(script.name);
      return { code: 1, stdout: JSON.stringify({ ok: false, error: fail }) };
    }
    const input = JSON.parse(spec.stdin ?? 'null') as Record<string, unknown> | null;
    return { stdout: JSON.stringify({ ok: true, result: this.run(script, input ?? {}) }) };
  }

  private identify(spec: CommandSpec): PowerShellScript {
    if (spec.file !== POWERSHELL) throw new Error(`emulator: unexpected executable ${spec.file}`);
    const text = Buffer.from(spec.args[spec.args.length - 1] ?? '', 'base64').toString('utf16le');
    const scripts = [FIREWALL_BRIDGE, FIREWALL_OBSERVE, FIREWALL_APPLY, FIREWALL_RULES_OBSERVE, FIREWALL_RULES_APPLY, FIREWALL_HEALTH, FIREWALL_LEGACY_RESET];
    const script = scripts.find((s) => fullScript(s) === text);
    if (!script) throw new Error('emulator: not one of the firewall scripts');
    return script;
  }

  private classProperties(instance: FirewallInstance): string[] | null {
    const missing = this.missing.get(instance);
    if (missing === null) return null;
    const lists: Record<string, readonly string[]> = { Global: GLOBAL_PROPERTIES, Audit: Object.keys(AUDIT_SUBCATEGORIES), NetworkListManager: NLM_PROPERTIES };
    const all = lists[instance] ?? PROFILE_PROPERTIES;
    return all.filter((p) => !missing?.includes(p));
  }

  /** `{ property: value }` over the properties the class has on this build; null when the class is absent. */
  private shape(instance: FirewallInstance, value: (property: string) => unknown): Record<string, unknown> | null {
    const props = this.classProperties(instance);
    return props ? Object.fromEntries(props.map((p) => [p, value(p)])) : null;
  }

  private netStore(profiles: (p: string) => Values, settings: Values) {
    return { profiles: PROFILES.map((Name) => ({ ...profiles(Name), Name })), settings };
  }

  private run(script: PowerShellScript, input: Record<string, unknown>): unknown {
    switch (script) {
      case FIREWALL_BRIDGE:
        return Object.fromEntries(INSTANCES.map((i) => [i, this.shape(i, cimType)]));
      case FIREWALL_OBSERVE: {
        const mdm = Object.fromEntries(INSTANCES.map((i) => [i, this.shape(i, (p) => this.mdm.get(i)?.[p] ?? null)]));
        const gpo = { ...this.netStore((p) => ({ ...this.gpo.profiles[p] }), { ...this.gpo.settings }), registry: this.gpo.registry };
        const local = this.netStore((p) => ({ ...this.local.profiles[p] }), { ...this.local.settings });
        return { mdm, active: this.netStore((p) => this.activeProfile(p), this.activeSettings()), gpo, local, audit: this.effectiveAudit(), auditError: null };
      }
      case FIREWALL_HEALTH:
        return {
          profiles: PROFILES.map((Name) => {
            const { Enabled, DefaultInboundAction, DefaultOutboundAction } = this.activeProfile(Name);
            return { Name, Enabled, DefaultInboundAction, DefaultOutboundAction };
          }),
        };
      case FIREWALL_APPLY:
        return {
          results: ((input.instances ?? []) as { instance: string; values: MdmValues }[]).map((s) => ({ instance: s.instance, error: this.setInstance(s) })),
        };
      case FIREWALL_RULES_OBSERVE:
        return this.rules.observe();
      case FIREWALL_LEGACY_RESET:
        return { results: ((input.steps ?? []) as { target: string; parameter: string; value: string }[]).map((s) => this.resetLocal(s)) };
      default:
        return { results: this.rules.apply(input) };
    }
  }

  /** One local-store write of the upgrade clean-up (Set-NetFirewallProfile/-Setting -PolicyStore PersistentStore). */
  private resetLocal(step: { target: string; parameter: string; value: string }) {
    const store = step.target === 'Global' ? this.local.settings : this.local.profiles[step.target];
    const allowed: readonly string[] = step.target === 'Global' ? NET_SETTING_PROPERTIES : NET_PROFILE_PROPERTIES;
    const error = !store ? 'unknown firewall target' : !allowed.includes(step.parameter) ? `parameter not allowed: ${step.parameter}` : null;
    if (store && error === null) store[step.parameter] = step.value;
    return { target: step.target, parameter: step.parameter, error };
  }

  /** One bridge write: create or set; a property the class lacks, a wrong type or range fails the whole instance. */
  private setInstance(step: { instance: string; values: MdmValues }): string | null {
    try {
      const instance = step.instance as FirewallInstance;
      if (!INSTANCES.includes(instance)) throw new Error('unknown firewall instance');
      const props = this.classProperties(instance);
      if (!props) throw new Error(`this Windows build has no MDM bridge class ${FIREWALL_CLASSES[instance]}`);
      const next = { ...(this.mdm.get(instance) ?? {}) };
      for (const [name, value] of Object.entries(step.values)) {
        if (!props.includes(name)) throw new Error(`this Windows build has no ${name} in ${FIREWALL_CLASSES[instance]}`);
        const type = cimType(name);
        const ok =
          value === null ||
          (type === 'Boolean' && typeof value === 'boolean') ||
          (type === 'String' && typeof value === 'string' && value !== '' && !value.includes('\0')) ||
          (type === 'SInt32' && Number.isInteger(value) && (value as number) >= -2147483648 && (value as number) <= 2147483647) ||
          (type === 'UInt32' && Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 4294967295);
        if (!ok) throw new Error(`The parameter is incorrect. (${name})`);
        next[name] = value;
      }
      if (Object.values(next).some((v) => v !== null) || this.mdm.has(instance)) this.mdm.set(instance, next); // all-or-nothing
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  }
}
