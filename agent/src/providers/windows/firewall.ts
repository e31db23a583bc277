// Windows Firewall provider (policy kind firewall): profile settings through Set-NetFirewallProfile, global settings
// through Set-NetFirewallSetting, both in the local PersistentStore; read back with Get-NetFirewallProfile/-Setting.
// One script run observes everything; one run applies a batch, one cmdlet call per profile (and one for global).
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import type { SettingChange } from '../../core/plan.js';
import type { CommandRunner } from '../../system/command-runner.js';
import type { ApplyResult, SettingsProvider } from '../provider.js';
import { type FirewallTarget, firewallMapping, type ParameterMapping } from './firewall-profile-map.js';
import { WindowsFirewallRulesProvider } from './firewall-rules.js';
import { FIREWALL_APPLY, FIREWALL_OBSERVE } from './firewall-scripts.js';
import { runPowerShell } from './powershell.js';

const TARGET_ORDER: readonly FirewallTarget[] = ['Domain', 'Private', 'Public', 'Global'];

/** One cmdlet call of FIREWALL_APPLY. */
export interface FirewallStep {
  readonly target: FirewallTarget;
  readonly parameters: Record<string, string>;
}

type Observed = { readonly profiles: Map<string, Record<string, unknown>>; readonly settings: Record<string, unknown> };

function parseObserved(result: unknown): Observed {
  const r = result as { profiles?: unknown; settings?: unknown } | null;
  if (!r || !Array.isArray(r.profiles) || typeof r.settings !== 'object' || r.settings === null) throw new Error('firewall-observe: unexpected output');
  const profiles = new Map<string, Record<string, unknown>>();
  for (const p of r.profiles as Record<string, unknown>[]) if (typeof p?.Name === 'string') profiles.set(p.Name, p);
  return { profiles, settings: r.settings as Record<string, unknown> };
}

export class WindowsFirewallProvider implements SettingsProvider {
  readonly kind = 'firewall' as const;

  constructor(private readonly deps: { readonly runner: CommandRunner }) {}

  unsupportedReason(settingId: string): string | undefined {
    const m = firewallMapping(settingId);
    return 'reason' in m ? m.reason : undefined;
  }

  async observe(settingIds: readonly string[]): Promise<Map<string, SettingValue | undefined>> {
    const out = new Map<string, SettingValue | undefined>(settingIds.map((id) => [id, undefined]));
    const mapped = settingIds.flatMap((id) => {
      const m = firewallMapping(id);
      return 'mapping' in m ? [[id, m.mapping] as const] : [];
    });
    if (mapped.length === 0) return out;
    const state = parseObserved(await runPowerShell(this.deps.runner, FIREWALL_OBSERVE, null));
    for (const [id, m] of mapped) {
      const source = m.target === 'Global' ? state.settings : state.profiles.get(m.target);
      out.set(id, source ? m.fromParameter(source[m.parameter]) : undefined);
    }
    return out;
  }

  async apply(changes: readonly SettingChange[]): Promise<ApplyResult[]> {
    const results = new Map<number, ApplyResult>();
    const steps = new Map<FirewallTarget, { parameters: Record<string, string>; changes: number[] }>();
    for (const [index, change] of changes.entries()) {
      const { settingId } = change;
      const m = firewallMapping(settingId);
      const value = 'mapping' in m ? parameterValue(m.mapping, change.to) : undefined;
      if (!('mapping' in m)) results.set(index, { settingId, ok: false, code: 'SETTING_NOT_APPLICABLE', message: m.reason });
      else if (value === undefined)
        results.set(index, { settingId, ok: false, code: 'SETTING_APPLY_FAILED', message: `${JSON.stringify(change.to)} is not a valid value` });
      else {
        const step = steps.get(m.mapping.target) ?? { parameters: {}, changes: [] };
        step.parameters[m.mapping.parameter] = value;
        step.changes.push(index);
        steps.set(m.mapping.target, step);
      }
    }
    const plan = TARGET_ORDER.flatMap((target) => {
      const step = steps.get(target);
      return step ? [{ target, parameters: step.parameters }] : [];
    });
    if (plan.length > 0) {
      const errors = await this.run(plan);
      for (const { target } of plan) {
        const error = errors.get(target);
        for (const index of steps.get(target)?.changes ?? []) {
          const settingId = changes[index]?.settingId ?? '';
          results.set(index, error === undefined ? { settingId, ok: true } : { settingId, ok: false, code: 'SETTING_APPLY_FAILED', message: error });
        }
      }
    }
    return changes.map((_, index) => results.get(index) as ApplyResult);
  }

  /** Runs the plan; returns the error per failed target (every target fails with the same message if the run does). */
  private async run(plan: readonly FirewallStep[]): Promise<Map<FirewallTarget, string>> {
    const errors = new Map<FirewallTarget, string>();
    try {
      const result = (await runPowerShell(this.deps.runner, FIREWALL_APPLY, { steps: plan })) as { results?: unknown } | null;
      const rows = Array.isArray(result?.results) ? (result.results as { target?: unknown; error?: unknown }[]) : undefined;
      for (const { target } of plan) {
        const row = rows?.find((r) => r?.target === target);
        if (!row) errors.set(target, `firewall-apply: no result for ${target}`);
        else if (typeof row.error === 'string' && row.error !== '') errors.set(target, `${cmdletFor(target)} failed: ${row.error}`);
      }
    } catch (err) {
      for (const { target } of plan) errors.set(target, err instanceof Error ? err.message : String(err));
    }
    return errors;
  }
}

function cmdletFor(target: FirewallTarget): string {
  return target === 'Global' ? 'Set-NetFirewallSetting' : `Set-NetFirewallProfile -Name ${target}`;
}

/** The parameter value for a change: the mapped value, or the "stop managing" value when `to` is undefined. */
function parameterValue(mapping: ParameterMapping, to: SettingValue | undefined): string | undefined {
  return to === undefined ? mapping.removeValue : mapping.toParameter(to);
}

/** The firewall (profiles + global) and firewallRules providers of a Windows host. */
export function createWindowsFirewallProviders(deps: { readonly runner: CommandRunner }): SettingsProvider[] {
  return [new WindowsFirewallProvider(deps), new WindowsFirewallRulesProvider(deps)];
}
