// The Windows Defender mapping (pure data, issue 16 decision D1): for every Windows setting of the Defender kinds,
// where the policy is written — the local MDM store through the WMI bridge, else the documented policy registry
// location, else (marked, listed in docs) a local preference — and where its effective value is read back.
import { type AsrRuleEdition, asrRuleEdition, type PolicyKind, SETTINGS, settingById } from '../../../../policy-schemas/src/index.js';
import {
  ASR_KEY,
  ASR_PER_RULE_FLAG,
  ASR_PER_RULE_KEY,
  ASR_RULES_FLAG,
  ASR_RULES_SUBKEY,
  THREAT_ACTIONS_FLAG,
  THREAT_ACTIONS_SUBKEY,
  THREATS_KEY,
} from './defender-registry.js';
import { DEFENDER_TABLE } from './defender-table.js';

/** How a CSP value becomes a Set-MpPreference value and back (effective read-back and preference-only writes). */
export type MpCodec =
  /** CSP 1 ↔ $true (e.g. DisableCatchupFullScan, MeteredConnectionUpdates). */
  | 'bool'
  /** CSP 1 ↔ $false: the CSP says "Allow…", the cmdlet says "Disable…" (AllowRealtimeMonitoring ↔ -DisableRealtimeMonitoring). */
  | 'inverted'
  /** The same number on both sides (CSP enums whose cmdlet enum has the same values, counts, percentages). */
  | 'int'
  | 'string'
  /** AllowCloudProtection 0 ↔ MAPSReporting 0 (Disabled), 1 ↔ 2 (Advanced); Windows 10+ treats Basic (1) as Advanced. */
  | 'maps'
  /** Minutes after midnight ↔ a time of day (the cmdlet takes a DateTime, Get-MpPreference reports a TimeSpan). */
  | 'minutes';

/** The two MDM WMI bridge classes (root\cimv2\mdm\dmmap) this provider writes; the key is the bridge InstanceID. */
export type BridgeClass = 'Defender' | 'WindowsDefenderSecurityCenter';

/** How a CSP value is stored in one policy registry value. */
export type RegistryCodec = 'dword' | 'invertedDword' | 'maps' | 'string' | 'joined';

/** Where a setting lives under the Policies key (the ADMX location Group Policy and MDE security settings management use). */
export type PolicyRegistry =
  /** One value. `dword` is an unsigned 32-bit number stored as REG_DWORD; `joined` is a '|'-separated REG_SZ list. */
  | { readonly kind: 'value'; readonly key: string; readonly name: string; readonly codec: RegistryCodec }
  /** An ADMX list: the items are the value names of `<key>\<subkey>` (data "0"); `<key>\<flag>` = 1 while it has any. */
  | { readonly kind: 'list'; readonly key: string; readonly subkey: string; readonly flag: string }
  /** Threats\ThreatSeverityDefaultAction: value name = level, data = action; flag Threats_ThreatSeverityDefaultAction. */
  | { readonly kind: 'threatActions' }
  /** ASR\Rules: value name = rule GUID, data = mode number; flag ExploitGuard_ASR_Rules. */
  | { readonly kind: 'asrRule'; readonly guid: string };

/** Where Get-MpPreference reports the effective value (absent: only the policy stores say what is in force). */
export type EffectiveRead =
  | { readonly kind: 'mp'; readonly param: string; readonly codec: MpCodec }
  | { readonly kind: 'list'; readonly param: string }
  | { readonly kind: 'joined'; readonly param: string }
  | { readonly kind: 'threatActions' }
  | { readonly kind: 'asrRule'; readonly guid: string };

export type DefenderMapping =
  /**
   * Policy level: the bridge property when this build's class has it (discovered at run time), else `registry`.
   * `edition`: the OS edition the setting exists on (ASR rules limited to clients or servers).
   */
  | {
      readonly via: 'policy';
      readonly bridge?: { readonly cls: BridgeClass; readonly property: string };
      readonly registry: PolicyRegistry;
      readonly effective?: EffectiveRead;
      readonly edition?: AsrRuleEdition;
    }
  /** No policy path exists: a local preference (Set-/Add-/Remove-MpPreference), listed in docs/settings.md with `reason`. */
  | { readonly via: 'preference'; readonly param: string; readonly codec: MpCodec | 'list'; readonly reason: string }
  /** No local write path on Windows: notApplicable with this reason; `status` names a Get-MpComputerStatus field to report. */
  | { readonly via: 'unsupported'; readonly reason: string; readonly status?: 'IsTamperProtected' };

export {
  ASR_KEY,
  ASR_PER_RULE_FLAG,
  ASR_PER_RULE_KEY,
  ASR_RULES_FLAG,
  ASR_RULES_SUBKEY,
  ATP_KEY,
  DEFENDER_POLICY_KEY,
  SECURITY_CENTER_KEY,
  THREAT_ACTIONS_FLAG,
  THREAT_ACTIONS_SUBKEY,
  THREATS_KEY,
} from './defender-registry.js';

/** ASR modes as the catalog spells them ↔ the ASRRuleActionType numbers (mde-domain.md §2.5). */
export const ASR_ACTIONS: Readonly<Record<string, number>> = { off: 0, block: 1, audit: 2, notConfigured: 5, warn: 6 };

/** Severity level (CSP) → the cmdlet parameter holding its default action. */
export const THREAT_LEVELS: readonly (readonly [level: number, param: string])[] = [
  [1, 'LowThreatDefaultAction'],
  [2, 'ModerateThreatDefaultAction'],
  [4, 'HighThreatDefaultAction'],
  [5, 'SevereThreatDefaultAction'],
];

/** The policy kinds this provider family serves. */
export const DEFENDER_KINDS: readonly PolicyKind[] = ['antivirus', 'antivirusExclusions', 'asr', 'defenderUpdate', 'securityExperience', 'edr'];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The mapping of a catalog setting, or undefined when it is not a Windows setting of a Defender kind. */
export function defenderMapping(settingId: string): DefenderMapping | undefined {
  const setting = settingById(settingId);
  if (!setting?.platforms.includes('windows') || !DEFENDER_KINDS.includes(setting.kind)) return undefined;
  const fixed = DEFENDER_TABLE[settingId];
  if (fixed) return fixed;
  const [prefix, guid] = settingId.split(/\.(.*)/s);
  if (!guid || !GUID.test(guid)) return undefined;
  const edition = asrRuleEdition(settingId);
  const limited = edition ? { edition } : {};
  if (prefix === 'asr') {
    return {
      via: 'policy',
      bridge: { cls: 'Defender', property: 'AttackSurfaceReductionRules' },
      registry: { kind: 'asrRule', guid },
      effective: { kind: 'asrRule', guid },
      ...limited,
    };
  }
  if (prefix === 'asrExclusions') return { via: 'unsupported', reason: ASR_PER_RULE_REASON };
  return undefined;
}

/** Every Windows Defender setting of the given kind, in catalog order. */
export function defenderSettingIds(kind: PolicyKind): string[] {
  return SETTINGS.filter((s) => s.kind === kind && s.platforms.includes('windows')).map((s) => s.id);
}

/** Every mapped Windows Defender setting id with its mapping, in catalog order. */
export function allDefenderMappings(): [string, DefenderMapping][] {
  return DEFENDER_KINDS.flatMap((kind) =>
    defenderSettingIds(kind).flatMap((id): [string, DefenderMapping][] => {
      const m = defenderMapping(id);
      return m ? [[id, m]] : [];
    }),
  );
}

/** The registry keys a policy location reads or writes (value key, list subkey, flag key). */
export function policyKeys(registry: PolicyRegistry): string[] {
  switch (registry.kind) {
    case 'value':
      return [registry.key];
    case 'list':
      return [registry.key, `${registry.key}\\${registry.subkey}`];
    case 'threatActions':
      return [THREATS_KEY, THREAT_ACTIONS_SUBKEY];
    case 'asrRule':
      return [ASR_KEY, ASR_RULES_SUBKEY];
  }
}

/** Registry keys of the table (the observe script's key allow-list). */
export function registryKeys(): string[] {
  const keys = allDefenderMappings().flatMap(([, m]) => (m.via === 'policy' ? policyKeys(m.registry) : []));
  return [...new Set(keys)].sort();
}

/**
 * Per-rule ASR exclusions (review 16b F4). The policy node is the Defender CSP's Configuration/ASROnlyPerRuleExclusions,
 * which no MDM WMI bridge class exposes; WindowsDefender.admx has no per-rule exclusions value (its ASR keys are ASR,
 * ASR\Rules and ASR\ASROnlyExclusions); Set-MpPreference's per-rule parameter is not in its documentation.
 * Source: https://learn.microsoft.com/windows/client-management/mdm/defender-csp (Configuration/ASROnlyPerRuleExclusions)
 * Source: https://github.com/MicrosoftDocs/windows-powershell-docs/issues/3510 (parameter missing from the Set-MpPreference page)
 */
export const ASR_PER_RULE_REASON =
  'per-rule ASR exclusions are the Defender CSP node Configuration/ASROnlyPerRuleExclusions, which only an MDM channel (Intune) can deliver: no MDM bridge property, no policy registry value (WindowsDefender.admx has none) and no documented Set-MpPreference parameter, so the agent can neither write nor verify them; use the global ASR exclusions (defender.AttackSurfaceReductionOnlyExclusions) instead';

/** `<key>\\<name>` of every Policies value the table sets or deletes (the scripts' value allow-list). */
export function registryValuePaths(): string[] {
  const paths = allDefenderMappings().flatMap(([, m]) => (m.via === 'policy' && m.registry.kind === 'value' ? [`${m.registry.key}\\${m.registry.name}`] : []));
  return [...new Set(paths)].sort();
}

/** The list operation of a list location: `<subkey>|<flagKey>|<flag>|exact` (replaces the list) or `|merge` (some names). */
export function listOpSignature(registry: Exclude<PolicyRegistry, { kind: 'value' }>): string {
  switch (registry.kind) {
    case 'list':
      return `${registry.key}\\${registry.subkey}|${registry.key}|${registry.flag}|exact`;
    case 'threatActions':
      return `${THREAT_ACTIONS_SUBKEY}|${THREATS_KEY}|${THREAT_ACTIONS_FLAG}|exact`;
    case 'asrRule':
      return `${ASR_RULES_SUBKEY}|${ASR_KEY}|${ASR_RULES_FLAG}|merge`;
  }
}

/** Every list operation of the table (the apply script's list-operation allow-list). */
export function registryListOps(): string[] {
  const ops = allDefenderMappings().flatMap(([, m]) => (m.via === 'policy' && m.registry.kind !== 'value' ? [listOpSignature(m.registry)] : []));
  return [...new Set(ops)].sort();
}

/** The previous agent's per-rule exclusions list operation: the apply script allows it with deletions only. */
export const LEGACY_PER_RULE_OP = `${ASR_PER_RULE_KEY}|${ASR_KEY}|${ASR_PER_RULE_FLAG}|merge`;

/** Bridge properties of the table by class (the apply script's property allow-list). */
export function bridgeProperties(cls: BridgeClass): string[] {
  const props = allDefenderMappings().flatMap(([, m]) => (m.via === 'policy' && m.bridge?.cls === cls ? [m.bridge.property] : []));
  return [...new Set(props)].sort();
}

/** Set-MpPreference scalar parameters of the preference-only settings (the apply script's allow-list). */
export function mpParameters(): string[] {
  return [...new Set(allDefenderMappings().flatMap(([, m]) => (m.via === 'preference' && m.codec !== 'list' ? [m.param] : [])))].sort();
}

/** Add-/Remove-MpPreference list parameters of the preference-only settings. */
export function mpListParameters(): string[] {
  return [...new Set(allDefenderMappings().flatMap(([, m]) => (m.via === 'preference' && m.codec === 'list' ? [m.param] : [])))].sort();
}
