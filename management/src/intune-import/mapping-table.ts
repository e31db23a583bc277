// The Intune → Attaché mapping table, kept as data: which settingDefinitionIds map to which catalog setting ids, with
// which value converter, and which are knowingly not imported (and why). import-policy.ts interprets it.

/** Why an Intune setting was not imported. */
export type UnmappedReason = 'outOfScope' | 'unknown' | 'deprecated' | 'notInCatalog';

/** How an Intune value becomes ours. `options` maps a choice index (`_<n>`) to a string value. */
export type Converter =
  | { readonly type: 'byCatalog' }
  | { readonly type: 'bool' }
  | { readonly type: 'options'; readonly options: readonly string[] }
  | { readonly type: 'optionMap'; readonly options: Readonly<Record<string, number>> }
  | { readonly type: 'simple' }
  | { readonly type: 'list' };

/** A setting mapped one to one (macOS preference keys, specials). `item`: the value is one property of an objectList item. */
export interface ExactRule {
  readonly settingId: string;
  readonly convert: Converter;
  readonly item?: string;
}

/** A CSP family: `<prefix><name lowercased>` ↔ the catalog id `<idPrefix><Name>` (matched case-insensitively). */
export interface FamilyRule {
  readonly prefix: string;
  readonly idPrefix: string;
}

/** A setting or prefix knowingly not imported, with the reason shown to the admin. */
export interface SkipRule {
  readonly reason: Exclude<UnmappedReason, 'notInCatalog'>;
  readonly detail: string;
}

const POLICY_DEFENDER = 'device_vendor_msft_policy_config_defender_';
const MAC = 'com.apple.managedclient.preferences_';

/** Settings not imported, by exact settingDefinitionId (mde-domain.md §1.8, §2.2, §2.3, §2.6). */
export const SKIP_EXACT: Readonly<Record<string, SkipRule>> = {
  [`${POLICY_DEFENDER}allowintrusionpreventionsystem`]: {
    reason: 'deprecated',
    detail: 'AllowIntrusionPreventionSystem is deprecated and not supported through Defender for Endpoint security settings management',
  },
  device_vendor_msft_windowsadvancedthreatprotection_configuration_telemetryreportingfrequency: {
    reason: 'deprecated',
    detail: '"Expedite telemetry reporting frequency" (EDR) is deprecated and not supported through security settings management',
  },
  vendor_msft_firewall_mdmstore_domainprofile_allowlocalpolicymerge: {
    reason: 'outOfScope',
    detail: 'Firewall AllowLocalPolicyMerge is not supported through Defender for Endpoint security settings management (2025 doc)',
  },
  vendor_msft_firewall_mdmstore_privateprofile_allowlocalpolicymerge: {
    reason: 'outOfScope',
    detail: 'Firewall AllowLocalPolicyMerge is not supported through Defender for Endpoint security settings management (2025 doc)',
  },
  vendor_msft_firewall_mdmstore_publicprofile_allowlocalpolicymerge: {
    reason: 'outOfScope',
    detail: 'Firewall AllowLocalPolicyMerge is not supported through Defender for Endpoint security settings management (2025 doc)',
  },
  device_vendor_msft_windowsadvancedthreatprotection_configurationtype: {
    reason: 'outOfScope',
    detail: 'EDR onboarding package type: Attaché devices onboard with their own enrollment package, not an MDE onboarding blob',
  },
  [`${MAC}enforcementlevel_antivirusengine`]: {
    reason: 'unknown',
    detail: 'the order of Intune options for antivirusEngine.enforcementLevel is not in our reference; set mdatp.antivirusEngine.enforcementLevel by hand',
  },
  [`${MAC}enforcementlevel`]: {
    reason: 'unknown',
    detail: 'Intune key "enforcementlevel" without a section suffix is ambiguous (network protection or antivirus engine); set it by hand',
  },
  [`${MAC}diagnosticlevel`]: {
    reason: 'unknown',
    detail: 'the order of Intune options for cloudService.diagnosticLevel is not in our reference; set mdatp.cloudService.diagnosticLevel by hand',
  },
};

/** Whole families not imported, by settingDefinitionId prefix (first match wins). */
export const SKIP_PREFIXES: readonly (SkipRule & { readonly prefix: string })[] = [
  {
    prefix: 'device_vendor_msft_policy_config_audit_',
    reason: 'outOfScope',
    detail: 'Windows audit policy (Audit CSP) is not a Defender or Firewall CSP setting; Attaché does not manage it',
  },
  {
    prefix: 'vendor_msft_firewall_mdmstore_hypervvmsettings',
    reason: 'outOfScope',
    detail: 'Hyper-V firewall settings are not part of the Attaché firewall policy',
  },
  {
    prefix: 'device_vendor_msft_defender_configuration_devicecontrol',
    reason: 'outOfScope',
    detail: 'Device Control is delivered only to Intune-enrolled devices, not through security settings management (mde-domain.md §2.1)',
  },
  {
    prefix: 'device_vendor_msft_policy_config_defender_devicecontrol',
    reason: 'outOfScope',
    detail: 'Device Control is delivered only to Intune-enrolled devices, not through security settings management (mde-domain.md §2.1)',
  },
  { prefix: `${MAC}applicationssystem`, reason: 'outOfScope', detail: 'Microsoft AutoUpdate / application registration payload, not a Defender setting' },
  {
    prefix: 'com.apple.servicemanagement',
    reason: 'outOfScope',
    detail: 'macOS managed login items payload (device preparation for Defender), not a Defender setting',
  },
  { prefix: 'com.apple.tcc.', reason: 'outOfScope', detail: 'macOS privacy (TCC/PPPC) payload granting Defender access, not a Defender setting' },
  { prefix: 'com.apple.system-extension-policy', reason: 'outOfScope', detail: 'macOS system extension approval payload, not a Defender setting' },
  { prefix: 'com.apple.notificationsettings', reason: 'outOfScope', detail: 'macOS notification payload, not a Defender setting' },
  { prefix: 'com.apple.webcontent-filter', reason: 'outOfScope', detail: 'macOS content filter payload (Defender network extension), not a Defender setting' },
];

/** Windows CSP families. `defender` ids are tried after the ASR and threat-severity specials. */
export const FAMILIES: readonly FamilyRule[] = [
  { prefix: POLICY_DEFENDER, idPrefix: 'defender.' },
  { prefix: 'device_vendor_msft_defender_configuration_', idPrefix: 'defenderConfig.' },
  { prefix: 'vendor_msft_defender_configuration_', idPrefix: 'defenderConfig.' },
  { prefix: 'device_vendor_msft_policy_config_windowsdefendersecuritycenter_', idPrefix: 'securityCenter.' },
  { prefix: 'vendor_msft_firewall_mdmstore_global_', idPrefix: 'firewall.global.' },
  { prefix: 'vendor_msft_firewall_mdmstore_domainprofile_', idPrefix: 'firewall.domainProfile.' },
  { prefix: 'vendor_msft_firewall_mdmstore_privateprofile_', idPrefix: 'firewall.privateProfile.' },
  { prefix: 'vendor_msft_firewall_mdmstore_publicprofile_', idPrefix: 'firewall.publicProfile.' },
  { prefix: 'device_vendor_msft_windowsadvancedthreatprotection_configuration_', idPrefix: 'edr.' },
];

/** The ASR grouped collection and its per-rule children: `<ASR_PREFIX><rule name>` → `asr.<guid>`. */
export const ASR_PREFIX = `${POLICY_DEFENDER}attacksurfacereductionrules_`;

/** Intune ASR rule names → rule GUIDs (mde-domain.md §2.5). */
export const ASR_RULES: Readonly<Record<string, string>> = {
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

/** Intune ASR choice suffixes; they are already our values. */
export const ASR_MODES: readonly string[] = ['off', 'block', 'audit', 'warn'];

/** The ThreatSeverityDefaultAction group: child name → CSP level (1 Low, 2 Moderate, 4 High, 5 Severe). */
export const THREAT_SEVERITY_PREFIX = `${POLICY_DEFENDER}threatseveritydefaultaction_`;
export const THREAT_SEVERITY_LEVELS: Readonly<Record<string, number>> = {
  lowseveritythreats: 1,
  moderateseveritythreats: 2,
  highseveritythreats: 4,
  severethreats: 5,
};
/** Intune actions our catalog can express (CSP 2 Quarantine, 3 Remove, 6 Ignore/allow); clean, block, userdefined are not. */
export const THREAT_ACTIONS: Readonly<Record<string, number>> = { quarantine: 2, remove: 3, allow: 6 };

const SWITCH = { type: 'options', options: ['enabled', 'disabled'] } as const;
const MERGE = { type: 'options', options: ['merge', 'admin_only'] } as const;

/**
 * One-to-one rules. Windows specials, then macOS `com.apple.managedclient.preferences_*` keys → com.microsoft.wdav
 * (mdatp.*). Choice indexes of macOS options follow the order the com.microsoft.wdav reference lists the values in
 * (mde-domain.md §3.1/§3.3); baselines set tamperProtection to `_2`, i.e. block, which fits that order.
 */
export const EXACT: Readonly<Record<string, ExactRule>> = {
  // Intune labels option 0 "On" and 1 "Off"; the CSP node is 1 = on (every public baseline that enables it uses _0).
  vendor_msft_defender_configuration_tamperprotection_options: {
    settingId: 'defenderConfig.TamperProtection',
    convert: { type: 'optionMap', options: { '0': 1, '1': 0 } },
  },
  [`${MAC}disallowedthreatactions`]: { settingId: 'mdatp.antivirusEngine.disallowedThreatActions', convert: { type: 'list' } },
  [`${MAC}exclusionsmergepolicy`]: { settingId: 'mdatp.antivirusEngine.exclusionsMergePolicy', convert: MERGE },
  [`${MAC}scanafterdefinitionupdate`]: { settingId: 'mdatp.antivirusEngine.scanAfterDefinitionUpdate', convert: { type: 'bool' } },
  [`${MAC}scanarchives`]: { settingId: 'mdatp.antivirusEngine.scanArchives', convert: { type: 'bool' } },
  [`${MAC}maximumondemandscanthreads`]: { settingId: 'mdatp.antivirusEngine.maximumOnDemandScanThreads', convert: { type: 'simple' } },
  [`${MAC}enablefilehashcomputation`]: { settingId: 'mdatp.antivirusEngine.enableFileHashComputation', convert: { type: 'bool' } },
  [`${MAC}allowedthreats`]: { settingId: 'mdatp.antivirusEngine.allowedThreats', convert: { type: 'list' } },
  [`${MAC}threattypesettings_item_key`]: {
    settingId: 'mdatp.antivirusEngine.threatTypeSettings',
    item: 'key',
    convert: { type: 'options', options: ['potentially_unwanted_application', 'archive_bomb'] },
  },
  [`${MAC}threattypesettings_item_value`]: {
    settingId: 'mdatp.antivirusEngine.threatTypeSettings',
    item: 'value',
    convert: { type: 'options', options: ['audit', 'block', 'off'] },
  },
  [`${MAC}threattypesettingsmergepolicy`]: { settingId: 'mdatp.antivirusEngine.threatTypeSettingsMergePolicy', convert: MERGE },
  [`${MAC}behaviormonitoring`]: { settingId: 'mdatp.antivirusEngine.behaviorMonitoring', convert: { type: 'options', options: ['disabled', 'enabled'] } },
  [`${MAC}enabled`]: { settingId: 'mdatp.cloudService.enabled', convert: { type: 'bool' } },
  [`${MAC}cloudblocklevel`]: {
    settingId: 'mdatp.cloudService.cloudBlockLevel',
    convert: { type: 'options', options: ['normal', 'moderate', 'high', 'high_plus', 'zero_tolerance'] },
  },
  [`${MAC}automaticsamplesubmission`]: { settingId: 'mdatp.cloudService.automaticSampleSubmission', convert: { type: 'bool' } },
  [`${MAC}automaticsamplesubmissionconsent`]: {
    settingId: 'mdatp.cloudService.automaticSampleSubmissionConsent',
    convert: { type: 'options', options: ['none', 'safe', 'all'] },
  },
  [`${MAC}automaticdefinitionupdateenabled`]: { settingId: 'mdatp.cloudService.automaticDefinitionUpdateEnabled', convert: { type: 'bool' } },
  [`${MAC}definitionupdatedue`]: { settingId: 'mdatp.cloudService.definitionUpdateDue', convert: { type: 'simple' } },
  [`${MAC}definitionupdatesinterval`]: { settingId: 'mdatp.cloudService.definitionUpdatesInterval', convert: { type: 'simple' } },
  [`${MAC}proxy`]: { settingId: 'mdatp.cloudService.proxy', convert: { type: 'simple' } },
  [`${MAC}earlypreview`]: { settingId: 'mdatp.edr.earlyPreview', convert: { type: 'bool' } },
  [`${MAC}systemextensions`]: { settingId: 'mdatp.features.systemExtensions', convert: SWITCH },
  [`${MAC}groupids`]: { settingId: 'mdatp.edr.groupIds', convert: { type: 'simple' } },
  [`${MAC}enforcementlevel_tamperprotection`]: {
    settingId: 'mdatp.tamperProtection.enforcementLevel',
    convert: { type: 'options', options: ['disabled', 'audit', 'block'] },
  },
  [`${MAC}exclusions_item_path_tamperprotection`]: { settingId: 'mdatp.tamperProtection.exclusions', item: 'path', convert: { type: 'simple' } },
  [`${MAC}exclusions_item_signingid_tamperprotection`]: { settingId: 'mdatp.tamperProtection.exclusions', item: 'signingId', convert: { type: 'simple' } },
  [`${MAC}exclusions_item_teamid_tamperprotection`]: { settingId: 'mdatp.tamperProtection.exclusions', item: 'teamId', convert: { type: 'simple' } },
  [`${MAC}exclusions_item_args_tamperprotection`]: { settingId: 'mdatp.tamperProtection.exclusions', item: 'args', convert: { type: 'list' } },
  [`${MAC}consumerexperience`]: { settingId: 'mdatp.userInterface.consumerExperience', convert: SWITCH },
  [`${MAC}userinitiatedfeedback`]: { settingId: 'mdatp.userInterface.userInitiatedFeedback', convert: SWITCH },
  [`${MAC}hidestatusmenuicon`]: { settingId: 'mdatp.userInterface.hideStatusMenuIcon', convert: { type: 'bool' } },
};
