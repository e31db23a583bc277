// Windows Firewall provider (policy kind firewall): profile and global settings are written to the Firewall CSP's MDM
// store through the MDM WMI bridge (MDM_Firewall_Global02 / _<Profile>Profile02), read back as the effective value
// (ActiveStore), and a Group Policy value that wins (RSOP store, merge law GPO > MDM > local) is reported by overrides().
// While the device is isolated (response action), the profile values isolation forces are reported overridden by it and
// never written: an MDM value would win over isolation's block-by-default (docs/actions.md, "On the device").
import type { BaselineEntry, SettingValue } from '../../../../policy-schemas/src/index.js';
import type { SettingOverride } from '../../core/outcome.js';
import { type SettingChange, valuesEqual } from '../../core/plan.js';
import type { CommandRunner } from '../../system/command-runner.js';
import type { ApplyResult, SettingsProvider } from '../provider.js';
import { FIREWALL_LEGACY_RESET, FIREWALL_WRITE_SCHEME, legacyValues, resetValue } from './firewall-legacy.js';
import { type FirewallMapping, firewallMapping, isConfigured, netProfileName } from './firewall-profile-map.js';
import { WindowsFirewallRulesProvider } from './firewall-rules.js';
import { FIREWALL_APPLY, FIREWALL_BRIDGE, FIREWALL_CLASSES, FIREWALL_OBSERVE, type FirewallInstance } from './firewall-scripts.js';
import { runPowerShell } from './powershell.js';

const INSTANCE_ORDER: readonly FirewallInstance[] = ['Global', 'DomainProfile', 'PrivateProfile', 'PublicProfile', 'Audit', 'NetworkListManager'];
/** Who wins over the MDM store per the Firewall CSP merge law. */
export const GROUP_POLICY = 'Group Policy';
/** The override source while isolated; the status message reads "device isolation is in force; it sets this setting…". */
export const ISOLATION_OVERRIDE = 'device isolation is in force; it';
/** What isolation sets on every profile (actions/isolation/windows-script.ts), as CSP values: on, block in, block out. */
const ISOLATION_FORCED: Readonly<Record<string, SettingValue>> = { EnableFirewall: true, DefaultInboundAction: 1, DefaultOutboundAction: 1 };

/** The isolation-forced value of a profile setting, or undefined for every other setting. */
export function isolationForced(settingId: string): SettingValue | undefined {
  const m = /^firewall\.(?:domain|private|public)Profile\.(\w+)$/.exec(settingId);
  return m ? ISOLATION_FORCED[m[1] as string] : undefined;
}

type Values = Record<string, unknown>;
/** The bridge's class shapes on this build: instance → property → CIM type; null = the class is absent. */
export type BridgeClasses = Partial<Record<FirewallInstance, Record<string, string> | null>>;
interface NetStore {
  readonly profiles: Map<string, Values>;
  readonly settings: Values;
}
/** What FIREWALL_OBSERVE prints, parsed. */
interface Observed {
  readonly mdm: Partial<Record<FirewallInstance, Values | null>>;
  readonly active: NetStore;
  readonly gpo: NetStore & { readonly registry: Record<string, Values> };
  /** The local store (PersistentStore). */
  readonly local: NetStore;
  /** Effective advanced audit policy per Audit property (0-3). */
  readonly audit: Values;
}

const isRecord = (v: unknown): v is Values => typeof v === 'object' && v !== null && !Array.isArray(v);

function netStore(raw: unknown, what: string): NetStore {
  if (!isRecord(raw) || !Array.isArray(raw.profiles) || !isRecord(raw.settings)) throw new Error(`firewall-observe: unexpected ${what} output`);
  const profiles = new Map<string, Values>();
  for (const p of raw.profiles) if (isRecord(p) && typeof p.Name === 'string') profiles.set(p.Name, p);
  return { profiles, settings: raw.settings };
}

function parseObserved(result: unknown): Observed {
  if (!isRecord(result) || !isRecord(result.mdm) || !isRecord(result.gpo)) throw new Error('firewall-observe: unexpected output');
  const registry = isRecord(result.gpo.registry) ? (result.gpo.registry as Record<string, Values>) : {};
  const audit = isRecord(result.audit) ? result.audit : {};
  return {
    mdm: result.mdm as Observed['mdm'],
    active: netStore(result.active, 'ActiveStore'),
    gpo: { ...netStore(result.gpo, 'RSOP'), registry },
    local: netStore(result.local, 'PersistentStore'),
    audit,
  };
}

/** A raw MDM / registry value as the CSP value of a mapping (booleans may come as 0/1 DWORDs). */
function cspValue(m: FirewallMapping, raw: unknown): SettingValue | undefined {
  if (m.fromBridge && raw !== undefined) return m.fromBridge(raw);
  if (raw === null || raw === undefined) return undefined;
  if (typeof m.default === 'boolean') return typeof raw === 'boolean' ? raw : raw === 1 ? true : raw === 0 ? false : undefined;
  return typeof raw === 'number' || typeof raw === 'string' ? raw : undefined;
}

/** The NetSecurity source (ActiveStore or RSOP) values of a mapping's profile or of the global settings. */
function netValues(store: NetStore, m: FirewallMapping): Values | undefined {
  const profile = netProfileName(m.instance);
  return profile ? store.profiles.get(profile) : store.settings;
}

export interface WindowsFirewallDeps {
  readonly runner: CommandRunner;
  /** True while the device is isolated (isolation.json present); absent: never. */
  readonly isolated?: () => Promise<boolean>;
}

export class WindowsFirewallProvider implements SettingsProvider {
  readonly kind = 'firewall' as const;
  private classes: BridgeClasses | undefined;
  private lastOverrides = new Map<string, SettingOverride>();

  constructor(private readonly deps: WindowsFirewallDeps) {}

  /** Learns once which bridge classes and properties this Windows build has (they change only with a feature update). */
  async prepare(): Promise<void> {
    if (this.classes) return;
    const result = await runPowerShell(this.deps.runner, FIREWALL_BRIDGE, null);
    if (isRecord(result)) this.classes = result as BridgeClasses;
  }

  unsupportedReason(settingId: string): string | undefined {
    const m = firewallMapping(settingId);
    if ('reason' in m) return m.reason;
    const { instance, property } = m.mapping;
    if (!this.classes) return undefined; // not learned yet: apply reports a missing class or property per setting
    const props = this.classes[instance];
    if (!props) return `this Windows build has no MDM bridge class ${FIREWALL_CLASSES[instance]} (CSP node ${instance})`;
    if (!(property in props)) return `this Windows build's ${FIREWALL_CLASSES[instance]} has no ${property} property (the CSP node needs a newer Windows)`;
    return undefined;
  }

  async observe(settingIds: readonly string[]): Promise<Map<string, SettingValue | undefined>> {
    const out = new Map<string, SettingValue | undefined>(settingIds.map((id) => [id, undefined]));
    this.lastOverrides = new Map();
    const mapped = settingIds.flatMap((id) => {
      const m = firewallMapping(id);
      return 'mapping' in m ? [[id, m.mapping] as const] : [];
    });
    if (mapped.length === 0) return out;
    const state = parseObserved(await runPowerShell(this.deps.runner, FIREWALL_OBSERVE, null));
    const isolated = (await this.deps.isolated?.()) === true;
    for (const [id, m] of mapped) {
      const { value, override } = this.read(state, m);
      out.set(id, value);
      const forced = isolated ? isolationForced(id) : undefined;
      if (forced !== undefined) this.lastOverrides.set(id, { source: ISOLATION_OVERRIDE, effective: forced });
      else if (override) this.lastOverrides.set(id, override);
    }
    return out;
  }

  readonly writeScheme = FIREWALL_WRITE_SCHEME;

  /**
   * Upgrade clean-up: the local-store values the previous agent wrote (firewall-legacy.ts) are reset once, each only
   * while the local store still holds the value it wrote; the settings whose reset did not fail are done.
   */
  async migrate(entries: ReadonlyMap<string, BaselineEntry>): Promise<ReadonlySet<string>> {
    const ids = [...entries.keys()].filter((id) => 'mapping' in firewallMapping(id));
    const written = legacyValues(entries);
    if (written.length === 0) return new Set(ids);
    const { local } = parseObserved(await runPowerShell(this.deps.runner, FIREWALL_OBSERVE, null));
    const ours = written.filter((w) => valuesEqual(w.mapping.net.fromParameter(netValues(local, w.mapping)?.[w.mapping.net.parameter]), w.applied));
    if (ours.length === 0) return new Set(ids);
    const steps = ours.map((w) => ({ target: w.target, parameter: w.mapping.net.parameter, value: resetValue(w.mapping) }));
    const result = (await runPowerShell(this.deps.runner, FIREWALL_LEGACY_RESET, { steps })) as { results?: unknown } | null;
    const rows = Array.isArray(result?.results) ? (result.results as { target?: unknown; parameter?: unknown; error?: unknown }[]) : [];
    const failed = new Set(
      ours
        .filter((w) => !rows.some((r) => r?.target === w.target && r?.parameter === w.mapping.net.parameter && (r.error === null || r.error === '')))
        .map((w) => w.settingId),
    );
    return new Set(ids.filter((id) => !failed.has(id)));
  }

  /**
   * Every firewall setting lives in the MDM store (profiles, global, audit, network list): restoring one clears our
   * MDM value (the local store applies again) rather than writing the recorded effective value as MDM policy.
   */
  restoreClears(settingId: string): boolean {
    return 'mapping' in firewallMapping(settingId);
  }

  /** Settings of the last observe that Group Policy configures (it wins over the MDM store), with the value it imposes. */
  overrides(): ReadonlyMap<string, SettingOverride> {
    return this.lastOverrides;
  }

  /** Effective value (ActiveStore, or the merge law over the stores where NetSecurity hides the setting) and any GPO override. */
  private read(state: Observed, m: FirewallMapping): { value: SettingValue | undefined; override?: SettingOverride } {
    const override = (effective: SettingValue | undefined): SettingOverride =>
      effective === undefined ? { source: GROUP_POLICY } : { source: GROUP_POLICY, effective };
    if (m.net) {
      const value = m.net.fromParameter(netValues(state.active, m)?.[m.net.parameter]);
      const gpoRaw = netValues(state.gpo, m)?.[m.net.parameter];
      return isConfigured(gpoRaw) ? { value, override: override(m.net.fromParameter(gpoRaw)) } : { value };
    }
    // Advanced audit policy: the effective value; which manager set it (GPO audit.csv, local auditpol) is not read.
    if (m.audit) return { value: cspValue(m, state.audit[m.property]) };
    const mdm = state.mdm[m.instance];
    const gpoRaw = m.gpoValue ? state.gpo.registry[m.instance]?.[m.gpoValue] : undefined;
    const gpo = cspValue(m, gpoRaw);
    if (gpo !== undefined) return { value: gpo, override: override(gpo) };
    if (!isRecord(mdm) || !(m.property in mdm)) return { value: undefined };
    // No MDM value: the local store decides, and it is not read for these settings (stealth mode: NetSecurity has no
    // property). Unknown, not the CSP default, so the desired value is always written to the MDM store (which wins).
    return { value: cspValue(m, mdm[m.property]) };
  }

  async apply(changes: readonly SettingChange[]): Promise<ApplyResult[]> {
    const results = new Map<number, ApplyResult>();
    // Isolated: the values isolation forces are left alone (reported through overrides()), never remediated.
    const isolated = changes.some((c) => isolationForced(c.settingId) !== undefined) && (await this.deps.isolated?.()) === true;
    const steps = new Map<FirewallInstance, { values: Record<string, SettingValue | null>; changes: number[] }>();
    for (const [index, change] of changes.entries()) {
      const { settingId } = change;
      const m = firewallMapping(settingId);
      const reason = this.unsupportedReason(settingId);
      if (isolated && isolationForced(settingId) !== undefined) {
        results.set(index, { settingId, ok: true });
      } else if (!('mapping' in m) || reason !== undefined) {
        results.set(index, { settingId, ok: false, code: 'SETTING_NOT_APPLICABLE', message: reason ?? 'not a firewall setting' });
      } else if (change.to !== undefined && !m.mapping.accepts(change.to)) {
        results.set(index, { settingId, ok: false, code: 'SETTING_APPLY_FAILED', message: `${JSON.stringify(change.to)} is not a valid value` });
      } else if (change.to !== undefined && this.classes?.[m.mapping.instance]?.[m.mapping.property] === 'SInt32' && (change.to as number) > 2147483647) {
        const message = `this Windows build's ${FIREWALL_CLASSES[m.mapping.instance]}.${m.mapping.property} is a signed 32-bit integer: ${change.to} cannot be written`;
        results.set(index, { settingId, ok: false, code: 'SETTING_APPLY_FAILED', message });
      } else {
        const step = steps.get(m.mapping.instance) ?? { values: {}, changes: [] };
        // null clears the MDM value: the local store applies again.
        const to = change.to === undefined ? null : m.mapping.toBridge ? m.mapping.toBridge(change.to) : change.to;
        step.values[m.mapping.property] = to;
        step.changes.push(index);
        steps.set(m.mapping.instance, step);
      }
    }
    const plan = INSTANCE_ORDER.flatMap((instance) => {
      const step = steps.get(instance);
      return step ? [{ instance, values: step.values }] : [];
    });
    if (plan.length > 0) {
      const errors = await this.run(plan);
      for (const { instance } of plan) {
        const error = errors.get(instance);
        for (const index of steps.get(instance)?.changes ?? []) {
          const settingId = changes[index]?.settingId ?? '';
          results.set(index, error === undefined ? { settingId, ok: true } : { settingId, ok: false, code: 'SETTING_APPLY_FAILED', message: error });
        }
      }
    }
    return changes.map((_, index) => results.get(index) as ApplyResult);
  }

  /** Runs the plan; returns the error per failed instance (every instance fails with the same message if the run does). */
  private async run(plan: readonly { instance: FirewallInstance; values: Values }[]): Promise<Map<FirewallInstance, string>> {
    const errors = new Map<FirewallInstance, string>();
    try {
      const result = (await runPowerShell(this.deps.runner, FIREWALL_APPLY, { instances: plan })) as { results?: unknown } | null;
      const rows = Array.isArray(result?.results) ? (result.results as { instance?: unknown; error?: unknown }[]) : undefined;
      for (const { instance } of plan) {
        const row = rows?.find((r) => r?.instance === instance);
        if (!row) errors.set(instance, `firewall-apply: no result for ${instance}`);
        else if (typeof row.error === 'string' && row.error !== '') errors.set(instance, `${FIREWALL_CLASSES[instance]} (${instance}): ${row.error}`);
      }
    } catch (err) {
      for (const { instance } of plan) errors.set(instance, err instanceof Error ? err.message : String(err));
    }
    return errors;
  }
}

/** The firewall (profiles + global) and firewallRules providers of a Windows host. */
export function createWindowsFirewallProviders(deps: WindowsFirewallDeps): SettingsProvider[] {
  return [new WindowsFirewallProvider(deps), new WindowsFirewallRulesProvider({ runner: deps.runner })];
}
