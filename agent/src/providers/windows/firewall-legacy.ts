// Upgrade clean-up of the pre-MDM firewall agent (write scheme 1): it set profile and global values in the local store
// (Set-NetFirewallProfile/-Setting -PolicyStore PersistentStore) and kept its rules there (group Attaché). The plan that
// resets exactly the values it wrote (pure) and the constant script that does it.
import type { BaselineEntry, SettingValue } from '../../../../policy-schemas/src/index.js';
import { valuesEqual } from '../../core/plan.js';
import { type FirewallMapping, firewallMapping, netProfileName } from './firewall-profile-map.js';
import { NET_LISTS } from './firewall-scripts.js';
import { ps, psJoin } from './powershell.js';

/** The write scheme of the MDM-store firewall providers (scheme 1: the previous agent's local store). */
export const FIREWALL_WRITE_SCHEME = 2;

/** One local-store value the old agent wrote: where, and what it wrote (the baseline's `applied`). */
export interface LegacyValue {
  readonly settingId: string;
  readonly mapping: FirewallMapping & { readonly net: NonNullable<FirewallMapping['net']> };
  readonly target: 'Domain' | 'Private' | 'Public' | 'Global';
  readonly applied: SettingValue;
}

/**
 * The local-store values the previous agent wrote for these entries: settings NetSecurity shows (the only ones it
 * managed) whose `applied` differs from the `original` it found (a value already there was not its doing).
 */
export function legacyValues(entries: ReadonlyMap<string, BaselineEntry>): LegacyValue[] {
  return [...entries].flatMap(([settingId, entry]) => {
    const m = firewallMapping(settingId);
    if (!('mapping' in m) || !m.mapping.net || entry.applied === undefined) return [];
    if (entry.original !== undefined && valuesEqual(entry.original, entry.applied)) return [];
    const mapping = m.mapping as LegacyValue['mapping'];
    return [{ settingId, mapping, target: netProfileName(mapping.instance) ?? 'Global', applied: entry.applied }];
  });
}

/**
 * What a reset writes: NotConfigured (Windows' default applies), or Windows' own value for the integer and path
 * parameters whose cmdlet takes a number or a path.
 */
export function resetValue(m: LegacyValue['mapping']): string {
  return m.net.parameter === 'LogMaxSizeKilobytes' || m.net.parameter === 'LogFileName' || m.net.parameter === 'MaxSAIdleTimeSeconds'
    ? String(m.default)
    : 'NotConfigured';
}

/**
 * Input: `{ steps: [{ target: 'Domain'|'Private'|'Public'|'Global', parameter, value }] }` — local-store (PersistentStore)
 * values to reset; parameters allow-listed. Output: `{ results: [{ target, parameter, error }] }`, one per step.
 */
export const FIREWALL_LEGACY_RESET = psJoin(
  'firewall-legacy-reset',
  NET_LISTS,
  ps('firewall-legacy-reset')`
$results = New-Object System.Collections.ArrayList
foreach ($step in $in.steps) {
  $target = [string]$step.target
  $param = [string]$step.parameter
  $err = $null
  try {
    $splat = @{ PolicyStore = 'PersistentStore'; ErrorAction = 'Stop' }
    if ($target -ceq 'Global') { $allowed = $netSettingProps }
    elseif (@('Domain', 'Private', 'Public') -ccontains $target) { $allowed = $netProfileProps; $splat['Name'] = $target }
    else { throw 'unknown firewall target' }
    if ($allowed -cnotcontains $param) { throw ('parameter not allowed: ' + $param) }
    if ($step.value -isnot [string]) { throw 'value must be a string' }
    $splat[$param] = [string]$step.value
    if ($target -ceq 'Global') { Set-NetFirewallSetting @splat } else { Set-NetFirewallProfile @splat }
  } catch { $err = $_.Exception.Message }
  [void]$results.Add(@{ target = $target; parameter = $param; error = $err })
}
@{ results = @($results) }
`,
);
