// Where each catalog setting comes from in Intune (decision D6): the Intune profile(s) and Graph settingDefinitionId(s)
// that deliver it, or why there is none. One table read by the Intune import (admin CLI) and by docs/settings.md.
import { INTUNE_SETTING_IDS, NO_INTUNE_COUNTERPART } from './intune-setting-ids.js';
import type { SettingDefinition } from './setting-definition.js';

export { INTUNE_SETTING_IDS, type IntuneSettingTarget, NO_INTUNE_COUNTERPART } from './intune-setting-ids.js';

/** An Intune profile that MDE security settings management (or Intune's settings catalog) offers. */
export interface IntuneProfile {
  readonly name: string;
  /** Graph `templateReference.templateId` of the endpoint-security template, where one is documented. */
  readonly templateId?: string;
}

/**
 * The profiles. Template ids are those of the real exports (shared corpus) and Microsoft365DSC's resources
 * (github.com/microsoft/Microsoft365DSC, MSFT_IntuneAntivirusPolicyWindows10SettingCatalog / …Linux schema and tests).
 */
export const INTUNE_PROFILES = {
  antivirus: { name: 'Microsoft Defender Antivirus (Windows)', templateId: '804339ad-1553-4478-a742-138fb5807418_1' },
  exclusions: { name: 'Microsoft Defender Antivirus exclusions (Windows)', templateId: '45fea5e9-280d-4da1-9792-fb5736da0ca9_1' },
  update: { name: 'Defender Update controls (Windows)', templateId: 'e3f74c5a-a6de-411d-aef6-eb15628f3a0a_1' },
  securityExperience: { name: 'Windows Security Experience', templateId: 'd948ff9b-99cb-4ee0-8012-1fbc09685377_1' },
  firewall: { name: 'Windows Firewall', templateId: '6078910e-d808-4a9f-a51d-1b8a7bacb7c0_1' },
  firewallRules: { name: 'Windows Firewall Rules' },
  edr: { name: 'Endpoint detection and response (Windows)' },
  asr: { name: 'Attack Surface Reduction Rules', templateId: 'e8c053d6-9f95-42b1-a7f1-ebfd71c67a4b_1' },
  linuxAntivirus: { name: 'Microsoft Defender Antivirus (Linux)', templateId: '4cfd164c-5e8a-4ea9-b15d-9aa71e4ffff4_1' },
  linuxEdr: { name: 'Endpoint detection and response (Linux)' },
  macAntivirus: { name: 'Microsoft Defender Antivirus (macOS; settings catalog com.microsoft.wdav preferences)' },
  macEdr: { name: 'Endpoint detection and response (macOS; settings catalog com.microsoft.wdav preferences)' },
  macFirewall: { name: 'macOS settings catalog Firewall (com.apple.security.firewall)' },
} as const satisfies Record<string, IntuneProfile>;
export type IntuneProfileKey = keyof typeof INTUNE_PROFILES;

/** A Windows CSP family: Intune's id is `<prefix><CSP node name lower-cased>` for catalog id `<idPrefix><Name>`. */
export interface IntuneFamily {
  readonly prefix: string;
  readonly idPrefix: string;
}

/** Windows CSP families (the Intune settings catalog names its ids after the CSP path, lower-cased). */
export const INTUNE_FAMILIES: readonly IntuneFamily[] = [
  { prefix: 'device_vendor_msft_policy_config_defender_', idPrefix: 'defender.' },
  { prefix: 'device_vendor_msft_defender_configuration_', idPrefix: 'defenderConfig.' },
  { prefix: 'vendor_msft_defender_configuration_', idPrefix: 'defenderConfig.' },
  { prefix: 'device_vendor_msft_policy_config_windowsdefendersecuritycenter_', idPrefix: 'securityCenter.' },
  { prefix: 'vendor_msft_firewall_mdmstore_global_', idPrefix: 'firewall.global.' },
  { prefix: 'vendor_msft_firewall_mdmstore_domainprofile_', idPrefix: 'firewall.domainProfile.' },
  { prefix: 'vendor_msft_firewall_mdmstore_privateprofile_', idPrefix: 'firewall.privateProfile.' },
  { prefix: 'vendor_msft_firewall_mdmstore_publicprofile_', idPrefix: 'firewall.publicProfile.' },
  { prefix: 'device_vendor_msft_windowsadvancedthreatprotection_configuration_', idPrefix: 'edr.' },
];

/** The ASR grouped collection; each rule is `<ASR_COLLECTION_ID>_<Intune rule name>` (+ `_perruleexclusions`). */
export const ASR_COLLECTION_ID = 'device_vendor_msft_policy_config_defender_attacksurfacereductionrules';

/** Intune ASR rule names → rule GUIDs (mde-domain.md §2.5; Microsoft365DSC IntuneASRRulesPolicyWindows10). */
export const INTUNE_ASR_RULES: Readonly<Record<string, string>> = {
  blockabuseofexploitedvulnerablesigneddrivers: '56a863a9-875e-4185-98a7-b882c64b5ce5',
  blockcredentialstealingfromwindowslocalsecurityauthoritysubsystem: '9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2',
  blockpersistencethroughwmieventsubscription: 'e6db77e5-3df2-4cf1-b95a-636979351e5b',
  blockadobereaderfromcreatingchildprocesses: '7674ba52-37eb-4a4f-a9a1-f0f9a1619a2c',
  blockallofficeapplicationsfromcreatingchildprocesses: 'd4f940ab-401b-4efc-aadc-ad5f3c50688a',
  blockexecutablecontentfromemailclientandwebmail: 'be9ba2d9-53ea-4cdc-84e5-9b1eeee46550',
  blockexecutablefilesrunningunlesstheymeetprevalenceagetrustedlistcriterion: '01443614-cd74-433a-b99e-2ecdc07bfc25',
  blockexecutionofpotentiallyobfuscatedscripts: '5beb7efe-fd9a-4556-801d-275e5ffc04cc',
  blockjavascriptorvbscriptfromlaunchingdownloadedexecutablecontent: 'd3e037e1-3eb8-44c8-a917-57927947596d',
  blockofficeapplicationsfromcreatingexecutablecontent: '3b576869-a4ec-4529-8536-b80a7769e899',
  blockofficeapplicationsfrominjectingcodeintootherprocesses: '75668c1f-73b5-4cf0-bb93-3ecf5cb7cc84',
  blockofficecommunicationappfromcreatingchildprocesses: '26190899-1602-49e8-8b27-eb1d0a1ce869',
  blockprocesscreationsfrompsexecandwmicommands: 'd1e49aac-8f56-4280-b9ba-993a6d77406c',
  blockrebootingmachineinsafemode: '33ddedf1-c6e0-47cb-833e-de6133960387',
  blockuntrustedunsignedprocessesthatrunfromusb: 'b2b3f03d-6a65-4f7b-a9c7-1c7ef74a9ba4',
  blockuseofcopiedorimpersonatedsystemtools: 'c0033c00-d16d-4114-a5a0-dc9b3a7d2ceb',
  blockwebshellcreationforservers: 'a8f5898e-1dc8-49a9-9878-85004b8a61e6',
  blockwin32apicallsfromofficemacros: '92e97fa1-2edf-4476-bdd6-9dd0b4dddc7b',
  useadvancedprotectionagainstransomware: 'c1db55ab-c21a-4637-bb3f-a12568109d35',
};

/** The ThreatSeverityDefaultAction group; its children are `<id>_<level>threats` choices (research §1.4b). */
export const THREAT_SEVERITY_GROUP_ID = 'device_vendor_msft_policy_config_defender_threatseveritydefaultaction';

/** Where a catalog setting comes from in Intune, or why nothing in Intune delivers it. */
export type IntuneSource =
  | { readonly kind: 'intune'; readonly profiles: readonly string[]; readonly settingDefinitionIds: readonly string[] }
  | { readonly kind: 'none'; readonly why: string };

const KIND_PROFILE: Readonly<Record<string, IntuneProfileKey>> = {
  antivirus: 'antivirus',
  antivirusExclusions: 'exclusions',
  defenderUpdate: 'update',
  securityExperience: 'securityExperience',
  firewall: 'firewall',
  firewallRules: 'firewallRules',
  edr: 'edr',
  asr: 'asr',
};
/** Controlled folder access is configured in Intune's ASR profile, although our catalog files it under antivirus. */
const ASR_PROFILE_IDS = new Set([
  'defender.EnableControlledFolderAccess',
  'defender.ControlledFolderAccessAllowedApplications',
  'defender.ControlledFolderAccessProtectedFolders',
]);

const ASR_ID_BY_GUID = new Map(Object.entries(INTUNE_ASR_RULES).map(([name, guid]) => [guid, `${ASR_COLLECTION_ID}_${name}`]));
const EXACT_BY_SETTING = new Map<string, string[]>();
for (const [definitionId, target] of Object.entries(INTUNE_SETTING_IDS)) {
  EXACT_BY_SETTING.set(target.settingId, [...(EXACT_BY_SETTING.get(target.settingId) ?? []), definitionId]);
}

/** The Intune settingDefinitionIds of one catalog setting, by the rules the importer applies (exact ids, ASR, families). */
export function intuneDefinitionIds(settingId: string): string[] {
  const exact = EXACT_BY_SETTING.get(settingId) ?? [];
  if (exact.length > 0) return exact;
  if (settingId === 'defender.ThreatSeverityDefaultAction') {
    return ['lowseveritythreats', 'moderateseveritythreats', 'highseveritythreats', 'severethreats'].map((l) => `${THREAT_SEVERITY_GROUP_ID}_${l}`);
  }
  const [prefix, guid] = settingId.split(/\.(.*)/s);
  const asr = guid ? ASR_ID_BY_GUID.get(guid) : undefined;
  if (asr && prefix === 'asr') return [asr];
  if (asr && prefix === 'asrExclusions') return [`${asr}_perruleexclusions`];
  for (const f of INTUNE_FAMILIES) {
    if (settingId.startsWith(f.idPrefix)) return [`${f.prefix}${settingId.slice(f.idPrefix.length).toLowerCase()}`];
  }
  return [];
}

function profilesOf(setting: SettingDefinition, ids: readonly string[]): string[] {
  if (setting.id.startsWith('macosFirewall.')) return [INTUNE_PROFILES.macFirewall.name];
  if (!setting.platforms.includes('windows')) {
    const edr = setting.kind === 'edr';
    const out: string[] = [];
    if (ids.some((id) => id.startsWith('linux_mdatp_managed_'))) out.push((edr ? INTUNE_PROFILES.linuxEdr : INTUNE_PROFILES.linuxAntivirus).name);
    if (ids.some((id) => id.startsWith('com.apple.managedclient.preferences_'))) out.push((edr ? INTUNE_PROFILES.macEdr : INTUNE_PROFILES.macAntivirus).name);
    return out;
  }
  if (ASR_PROFILE_IDS.has(setting.id)) return [INTUNE_PROFILES.asr.name];
  const key = KIND_PROFILE[setting.kind];
  return key ? [INTUNE_PROFILES[key].name] : [];
}

/** The Intune source of a catalog setting; undefined means the table lacks it (a test fails on that). */
export function intuneSourceOf(setting: SettingDefinition): IntuneSource | undefined {
  const why = NO_INTUNE_COUNTERPART[setting.id];
  if (why) return { kind: 'none', why };
  const ids = intuneDefinitionIds(setting.id);
  if (ids.length === 0) return undefined;
  return { kind: 'intune', profiles: profilesOf(setting, ids), settingDefinitionIds: ids };
}
