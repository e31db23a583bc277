// Upgrade clean-up (pure): where the previous agent version (write scheme 1, before policy level) stored each Windows
// Defender setting — local preferences through Set-/Add-MpPreference, a few Policies-key values — and the plan that
// removes exactly what it wrote (baseline `applied`, minus what was there before it: `original`) from there.
import type { BaselineEntry, SettingValue } from '../../../../policy-schemas/src/index.js';
import {
  ASR_KEY,
  ASR_PER_RULE_FLAG,
  ASR_PER_RULE_KEY,
  ATP_KEY,
  DEFENDER_POLICY_KEY,
  defenderMapping,
  type MpCodec,
  SECURITY_CENTER_KEY,
  THREAT_LEVELS,
} from './defender-mapping.js';
import { type DefenderApplyPlan, emptyPlan, type RegistryOp } from './defender-plan.js';
import { DefenderValueError, encodeMp, threatActionPairs } from './defender-values.js';

/** The write scheme of the policy-level Defender providers (scheme 1: the previous agent's local preferences). */
export const DEFENDER_WRITE_SCHEME = 2;

/** Where the previous agent wrote a setting (its defender-mapping.ts at 9e79400^1). */
export type LegacyLocation =
  | { readonly at: 'mp'; readonly param: string; readonly codec: MpCodec }
  | { readonly at: 'joined'; readonly param: string }
  | { readonly at: 'list'; readonly param: string }
  | { readonly at: 'threatActions' }
  | { readonly at: 'asrRule'; readonly guid: string }
  | { readonly at: 'registry'; readonly key: string; readonly name: string };

const mp = (param: string, codec: MpCodec): LegacyLocation => ({ at: 'mp', param, codec });
const list = (param: string): LegacyLocation => ({ at: 'list', param });
const reg = (key: string, name: string): LegacyLocation => ({ at: 'registry', key, name });
const ui = (area: string, name = 'UILockdown') => reg(`${SECURITY_CENTER_KEY}\\${area}`, name);
const contact = (name: string) => reg(`${SECURITY_CENTER_KEY}\\Enterprise Customization`, name);

const LEGACY: Readonly<Record<string, LegacyLocation>> = {
  'defender.AllowRealtimeMonitoring': mp('DisableRealtimeMonitoring', 'inverted'),
  'defender.AllowOnAccessProtection': reg(`${DEFENDER_POLICY_KEY}\\Real-Time Protection`, 'DisableOnAccessProtection'),
  'defender.AllowBehaviorMonitoring': mp('DisableBehaviorMonitoring', 'inverted'),
  'defender.AllowIOAVProtection': mp('DisableIOAVProtection', 'inverted'),
  'defender.AllowScriptScanning': mp('DisableScriptScanning', 'inverted'),
  'defender.AllowArchiveScanning': mp('DisableArchiveScanning', 'inverted'),
  'defender.AllowEmailScanning': mp('DisableEmailScanning', 'inverted'),
  'defender.AllowFullScanOnMappedNetworkDrives': mp('DisableScanningMappedNetworkDrivesForFullScan', 'inverted'),
  'defender.AllowFullScanRemovableDriveScanning': mp('DisableRemovableDriveScanning', 'inverted'),
  'defender.AllowScanningNetworkFiles': mp('DisableScanningNetworkFiles', 'inverted'),
  'defender.AllowCloudProtection': mp('MAPSReporting', 'maps'),
  'defender.AllowUserUIAccess': mp('UILockdown', 'inverted'),
  'defender.AvgCPULoadFactor': mp('ScanAvgCPULoadFactor', 'int'),
  'defender.CheckForSignaturesBeforeRunningScan': mp('CheckForSignaturesBeforeRunningScan', 'bool'),
  'defender.CloudBlockLevel': mp('CloudBlockLevel', 'int'),
  'defender.CloudExtendedTimeout': mp('CloudExtendedTimeout', 'int'),
  'defender.DaysToRetainCleanedMalware': mp('QuarantinePurgeItemsAfterDelay', 'int'),
  'defender.DisableCatchupFullScan': mp('DisableCatchupFullScan', 'bool'),
  'defender.DisableCatchupQuickScan': mp('DisableCatchupQuickScan', 'bool'),
  'defender.EnableLowCPUPriority': mp('EnableLowCpuPriority', 'bool'),
  'defender.EnableNetworkProtection': mp('EnableNetworkProtection', 'int'),
  'defender.EnableControlledFolderAccess': mp('EnableControlledFolderAccess', 'int'),
  'defender.ControlledFolderAccessAllowedApplications': list('ControlledFolderAccessAllowedApplications'),
  'defender.ControlledFolderAccessProtectedFolders': list('ControlledFolderAccessProtectedFolders'),
  'defender.PUAProtection': mp('PUAProtection', 'int'),
  'defender.RealTimeScanDirection': mp('RealTimeScanDirection', 'int'),
  'defender.ScanParameter': mp('ScanParameters', 'int'),
  'defender.ScheduleScanDay': mp('ScanScheduleDay', 'int'),
  'defender.ScheduleScanTime': mp('ScanScheduleOffset', 'int'),
  'defender.ScheduleQuickScanTime': mp('ScanScheduleQuickScanTime', 'minutes'),
  'defender.SignatureUpdateInterval': mp('SignatureUpdateInterval', 'int'),
  'defender.SignatureUpdateFallbackOrder': mp('SignatureFallbackOrder', 'string'),
  'defender.SignatureUpdateFileSharesSources': { at: 'joined', param: 'SignatureDefinitionUpdateFileSharesSources' },
  'defender.SecurityIntelligenceLocation': mp('SharedSignaturesPath', 'string'),
  'defender.SubmitSamplesConsent': mp('SubmitSamplesConsent', 'int'),
  'defender.ThreatSeverityDefaultAction': { at: 'threatActions' },
  'defenderConfig.DisableLocalAdminMerge': reg(DEFENDER_POLICY_KEY, 'DisableLocalAdminMerge'),
  'defenderConfig.AllowNetworkProtectionOnWinServer': mp('AllowNetworkProtectionOnWinServer', 'bool'),
  'defenderConfig.RandomizeScheduleTaskTimes': mp('RandomizeScheduleTaskTimes', 'bool'),
  'defenderConfig.SchedulerRandomizationTime': mp('SchedulerRandomizationTime', 'int'),
  'defenderConfig.ArchiveMaxDepth': reg(`${DEFENDER_POLICY_KEY}\\Scan`, 'ArchiveMaxDepth'),
  'defenderConfig.ArchiveMaxSize': reg(`${DEFENDER_POLICY_KEY}\\Scan`, 'ArchiveMaxSize'),
  'defenderConfig.EnableFileHashComputation': mp('EnableFileHashComputation', 'bool'),
  'defenderConfig.HideExclusionsFromLocalAdmins': reg(DEFENDER_POLICY_KEY, 'HideExclusionsFromLocalAdmins'),
  'defenderConfig.ScanOnlyIfIdleEnabled': mp('ScanOnlyIfIdleEnabled', 'bool'),
  'defenderConfig.ThrottleForScheduledScanOnly': mp('ThrottleForScheduledScanOnly', 'bool'),
  'defender.ExcludedPaths': list('ExclusionPath'),
  'defender.ExcludedExtensions': list('ExclusionExtension'),
  'defender.ExcludedProcesses': list('ExclusionProcess'),
  'defender.AttackSurfaceReductionOnlyExclusions': list('AttackSurfaceReductionOnlyExclusions'),
  'defenderConfig.EngineUpdatesChannel': mp('EngineUpdatesChannel', 'int'),
  'defenderConfig.PlatformUpdatesChannel': mp('PlatformUpdatesChannel', 'int'),
  'defenderConfig.SecurityIntelligenceUpdatesChannel': mp('DefinitionUpdatesChannel', 'int'),
  'defenderConfig.MeteredConnectionUpdates': mp('MeteredConnectionUpdates', 'bool'),
  'securityCenter.DisableAccountProtectionUI': ui('Account protection'),
  'securityCenter.DisableAppBrowserUI': ui('App and Browser protection'),
  'securityCenter.DisableClearTpmButton': ui('Device security', 'DisableClearTpmButton'),
  'securityCenter.DisableDeviceSecurityUI': ui('Device security'),
  'securityCenter.DisableFamilyUI': ui('Family options'),
  'securityCenter.DisableHealthUI': ui('Device performance and health'),
  'securityCenter.DisableNetworkUI': ui('Firewall and network protection'),
  'securityCenter.DisableEnhancedNotifications': ui('Notifications', 'DisableEnhancedNotifications'),
  'securityCenter.DisableTpmFirmwareUpdateWarning': ui('Device security', 'DisableTpmFirmwareUpdateWarning'),
  'securityCenter.DisableVirusUI': ui('Virus and threat protection'),
  'securityCenter.HideRansomwareDataRecovery': ui('Virus and threat protection', 'HideRansomwareRecovery'),
  'securityCenter.HideWindowsSecurityNotificationAreaControl': ui('Systray', 'HideSystray'),
  'securityCenter.EnableCustomizedToasts': ui('Enterprise Customization', 'EnableForToasts'),
  'securityCenter.EnableInAppCustomization': ui('Enterprise Customization', 'EnableInApp'),
  'securityCenter.CompanyName': contact('CompanyName'),
  'securityCenter.Email': contact('Email'),
  'securityCenter.Phone': contact('Phone'),
  'securityCenter.URL': contact('Url'),
  'edr.SampleSharing': reg(ATP_KEY, 'AllowSampleCollection'),
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Where the previous agent wrote the setting, or undefined when it did not manage it. */
export function legacyLocation(settingId: string): LegacyLocation | undefined {
  const fixed = LEGACY[settingId];
  if (fixed) return fixed;
  const [prefix, guid] = settingId.split(/\.(.*)/s);
  if (prefix === 'asr' && guid && GUID.test(guid)) return { at: 'asrRule', guid };
  if (prefix === 'asrExclusions' && guid && GUID.test(guid)) return reg(ASR_PER_RULE_KEY, guid);
  return undefined;
}

/** Preference parameters the clean-up may set back or reset (scalars) and remove items from (lists). */
export function legacyParameters(): { scalars: string[]; lists: string[] } {
  const locations = Object.values(LEGACY);
  const scalars = locations.flatMap((l) => (l.at === 'mp' || l.at === 'joined' ? [l.param] : []));
  const lists = locations.flatMap((l) => (l.at === 'list' ? [l.param] : []));
  return {
    scalars: [...new Set([...scalars, ...THREAT_LEVELS.map(([, p]) => p)])].sort(),
    lists: [...new Set([...lists, 'AttackSurfaceReductionRules_Ids'])].sort(),
  };
}

const lower = (v: unknown) => String(v).toLowerCase();

/**
 * The plan removing what the previous agent wrote for these entries, and which settings own each step. Only settings
 * now written at policy level are touched (a setting still a local preference is where it was), and per-rule ASR
 * exclusions, no longer written at all, are deleted; a Policies value is
 * left when the setting still lives there; a value the old agent found already set (`applied` = `original`) stays;
 * list items it found there stay. A scalar goes back to `original` (as its restore would have), or is reset when
 * there was none or when the cmdlet needs a DateTime (quick scan time).
 */
export function planLegacyCleanup(entries: ReadonlyMap<string, BaselineEntry>): { plan: DefenderApplyPlan; owners: Map<string, string[]>; ids: string[] } {
  const plan = emptyPlan();
  const owners = new Map<string, string[]>();
  const own = (step: string, id: string) => owners.set(step, [...(owners.get(step) ?? []), id]);
  const ids: string[] = [];
  for (const [id, entry] of entries) {
    const now = defenderMapping(id);
    const old = legacyLocation(id);
    if (!now || !old) continue;
    ids.push(id);
    if (entry.applied === undefined) continue;
    const { applied, original } = entry;
    if (old.at === 'registry' && old.key === ASR_PER_RULE_KEY) {
      // Per-rule ASR exclusions are no longer written at all (no documented policy location): the old value goes.
      const set = [{ name: old.name, data: null }];
      plan.registry.push({
        step: `legacy:${id}`,
        ops: [{ op: 'values', key: ASR_PER_RULE_KEY, set, exact: false, flagKey: ASR_KEY, flag: ASR_PER_RULE_FLAG }],
      });
      own(`legacy:${id}`, id);
      continue;
    }
    if (now.via !== 'policy') continue;
    if (old.at === 'registry') {
      const same = !now.bridge && now.registry.kind === 'value' && lower(now.registry.key) === lower(old.key) && lower(now.registry.name) === lower(old.name);
      if (same) continue;
      const op: RegistryOp = { op: 'delete', key: old.key, name: old.name };
      plan.registry.push({ step: `legacy:${id}`, ops: [op] });
      own(`legacy:${id}`, id);
    } else if (old.at === 'list' || old.at === 'asrRule') {
      const param = old.at === 'list' ? old.param : 'AttackSurfaceReductionRules_Ids';
      const theirs = old.at === 'list' ? items(original) : original === undefined ? [] : [old.guid];
      const ours = old.at === 'list' ? items(applied) : [old.guid];
      const remove = ours.filter((item) => !theirs.some((t) => lower(t) === lower(item)));
      if (remove.length === 0) continue;
      plan.preference.remove[param] = [...(plan.preference.remove[param] ?? []), ...remove];
      own(`remove:${param}`, id);
    } else if (original === undefined || JSON.stringify(original) !== JSON.stringify(applied)) {
      for (const [param, value] of scalarsBack(old, original, id)) {
        if (value === undefined) {
          plan.preference.reset.push(param);
          own(`reset:${param}`, id);
        } else {
          plan.preference.mp[param] = value;
          own(`mp:${param}`, id);
        }
      }
    }
  }
  return { plan, owners, ids };
}

function items(value: SettingValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Parameter → value to set back (undefined: reset to Defender's default, also when `original` is in no known form). */
function scalarsBack(
  old: Extract<LegacyLocation, { at: 'mp' | 'joined' | 'threatActions' }>,
  original: SettingValue | undefined,
  what: string,
): [string, boolean | number | string | undefined][] {
  try {
    if (old.at === 'threatActions') {
      const pairs = original === undefined ? new Map<number, number>() : threatActionPairs(original, what);
      return THREAT_LEVELS.map(([level, param]) => [param, pairs.get(level)]);
    }
    if (original === undefined || (old.at === 'mp' && old.codec === 'minutes')) return [[old.param, undefined]];
    return [[old.param, old.at === 'joined' ? items(original).join('|') : encodeMp(old.codec, original, what)]];
  } catch (err) {
    if (!(err instanceof DefenderValueError)) throw err;
    return old.at === 'threatActions' ? THREAT_LEVELS.map(([, param]) => [param, undefined]) : [[old.param, undefined]];
  }
}
