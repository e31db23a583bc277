// The Intune import's own data: settings knowingly not imported (and why) and how Intune values become ours (converters
// by settingDefinitionId). Which catalog setting an Intune id becomes is policy-schemas' intune-sources.ts (one table).

/** Why an Intune setting was not imported. */
export type UnmappedReason = 'outOfScope' | 'unknown' | 'deprecated' | 'notInCatalog';

/** How an Intune value becomes ours. `options` maps a choice index (`_<n>`) to a string value. */
export type Converter =
  | { readonly type: 'byCatalog' }
  | { readonly type: 'bool' }
  /** `_<n>` → options[n], or a suffix that is itself one of the options (Intune names some options by value). */
  | { readonly type: 'options'; readonly options: readonly string[] }
  | { readonly type: 'optionMap'; readonly options: Readonly<Record<string, number | string>> }
  | { readonly type: 'simple' }
  | { readonly type: 'integer' }
  | { readonly type: 'list' }
  /** A simple value or a simple collection, joined with commas (port ranges, ICMP types). */
  | { readonly type: 'joined' }
  /** A choice collection of `_<flag>` options, summed into one bitmask. */
  | { readonly type: 'flags' }
  /** A choice collection, each option suffix mapped to a value. */
  | { readonly type: 'choiceList'; readonly options: Readonly<Record<string, string>> };

/** A setting or prefix knowingly not imported, with the reason shown to the admin. */
export interface SkipRule {
  readonly reason: UnmappedReason;
  readonly detail: string;
}

const POLICY_DEFENDER = 'device_vendor_msft_policy_config_defender_';
const MAC = 'com.apple.managedclient.preferences_';
const LINUX = 'linux_mdatp_managed_';
const RULE = 'vendor_msft_firewall_mdmstore_firewallrules_{firewallrulename}_';

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
  [`${MAC}enablerealtimeprotection`]: {
    reason: 'deprecated',
    detail: 'com.microsoft.wdav enableRealTimeProtection is deprecated (macOS); antivirusEngine.enforcementLevel replaces it',
  },
  [`${MAC}passivemode`]: {
    reason: 'deprecated',
    detail: 'com.microsoft.wdav passiveMode is deprecated (macOS); antivirusEngine.enforcementLevel replaces it',
  },
  // Real-time protection and passive mode of the Linux profile: Intune marks both "(deprecated)"; enforcementLevel replaces them.
  [`${LINUX}antivirusengine_enablerealtimeprotection`]: {
    reason: 'deprecated',
    detail: 'Intune marks "Enable real-time protection" deprecated (Linux); antivirusEngine.enforcementLevel replaces it',
  },
  [`${LINUX}antivirusengine_passivemode`]: {
    reason: 'deprecated',
    detail: 'Intune marks "Enable passive mode" deprecated (Linux); antivirusEngine.enforcementLevel replaces it',
  },
};

/** Whole families not imported, by settingDefinitionId prefix (first match wins). */
export const SKIP_PREFIXES: readonly (SkipRule & { readonly prefix: string })[] = [
  {
    prefix: 'device_vendor_msft_policy_config_audit_',
    reason: 'outOfScope',
    detail: 'Windows audit policy (Audit CSP) other than the Windows Firewall template’s two filtering-platform settings; Attaché does not manage it',
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
  {
    prefix: 'device_vendor_msft_windowsadvancedthreatprotection_onboarding',
    reason: 'outOfScope',
    detail: 'EDR onboarding blob: Attaché devices onboard with their own enrollment package, not an MDE onboarding blob',
  },
  {
    prefix: 'device_vendor_msft_windowsadvancedthreatprotection_offboarding',
    reason: 'outOfScope',
    detail: 'EDR offboarding blob: device preparation, not a security setting',
  },
  {
    prefix: 'device_vendor_msft_policy_config_networklistmanager_',
    reason: 'notInCatalog',
    detail: 'a NetworkListManager setting other than the Windows Firewall profile’s two TLS network-detection settings: the catalog has no setting for it',
  },
  {
    prefix: `${RULE}policyappid`,
    reason: 'notInCatalog',
    detail: 'firewall rule PolicyAppId (App Control tagging) is not modelled: the catalog has no rule property for it',
  },
  {
    prefix: `${RULE}remoteaddressdynamickeywords`,
    reason: 'notInCatalog',
    detail: 'firewall rule RemoteAddressDynamicKeywords (reusable settings in Intune) are not modelled: the catalog has no rule property for them',
  },
  {
    prefix: 'com.apple.security.firewall_applications',
    reason: 'notInCatalog',
    detail:
      'macOS application firewall Applications [{BundleID, Allowed}] is not modelled: socketfilterfw works on app paths and needs a bundle-id → path lookup',
  },
  { prefix: 'com.apple.webcontent-filter', reason: 'outOfScope', detail: 'macOS content filter payload (Defender network extension), not a Defender setting' },
];

/** ASR rule choice suffixes; they are already our values. */
export const ASR_MODES: readonly string[] = ['off', 'block', 'audit', 'warn'];

/** ThreatSeverityDefaultAction children → CSP level (1 Low, 2 Moderate, 4 High, 5 Severe). */
export const THREAT_SEVERITY_LEVELS: Readonly<Record<string, number>> = {
  lowseveritythreats: 1,
  moderateseveritythreats: 2,
  highseveritythreats: 4,
  severethreats: 5,
};
/**
 * Intune's actions per level → the CSP action numbers (Set-MpPreference ThreatAction enum: 1 Clean, 2 Quarantine,
 * 3 Remove, 6 Allow, 8 UserDefined, 10 Block; research §1.4/§1.4b, Microsoft365DSC ValueMap).
 */
export const THREAT_ACTIONS: Readonly<Record<string, number>> = { clean: 1, quarantine: 2, remove: 3, allow: 6, userdefined: 8, block: 10 };

const options = (...values: string[]): Converter => ({ type: 'options', options: values });
const MERGE = options('merge', 'admin_only');
const SWITCH = options('enabled', 'disabled');
const ENFORCEMENT = options('disabled', 'audit', 'block');
const THREAT_TYPE = options('potentially_unwanted_application', 'archive_bomb');
const THREAT_TYPE_ACTION = options('audit', 'block', 'off');
const EXCLUSION_TYPE = options('excludedPath', 'excludedFileExtension', 'excludedFileName');
const TAG_KEY = options('GROUP');

/**
 * How each Intune id's value becomes ours, where the catalog type alone (`byCatalog`) cannot tell. Option orders:
 * macOS follows the com.microsoft.wdav manifest Intune's macOS catalog is built from (github.com/microsoft/mdatp-xplat
 * macos/schema/schema.json: enforcementLevel ["passive","on_demand","real_time"], diagnosticLevel ["optional","required"],
 * networkProtection/tamperProtection ["disabled","audit","block"], …); Linux follows Intune's Linux profile (Microsoft365DSC
 * IntuneAntivirusPolicyLinux: enforcementLevel 0 Realtime, 1 OnDemand, 2 Passive; nonExecMountPolicy 0 unmute, 1 mute).
 */
export const CONVERTERS: Readonly<Record<string, Converter>> = {
  // Intune labels option 0 "On" and 1 "Off"; the CSP node is 1 = on (every public baseline that enables it uses _0).
  vendor_msft_defender_configuration_tamperprotection_options: { type: 'optionMap', options: { '0': 1, '1': 0 } },
  [`${MAC}enforcementlevel_antivirusengine`]: options('passive', 'on_demand', 'real_time'),
  [`${MAC}enforcementlevel`]: ENFORCEMENT,
  [`${MAC}enforcementlevel_tamperprotection`]: ENFORCEMENT,
  [`${MAC}diagnosticlevel`]: options('optional', 'required'),
  [`${MAC}exclusionsmergepolicy`]: MERGE,
  [`${MAC}threattypesettingsmergepolicy`]: MERGE,
  [`${MAC}behaviormonitoring`]: options('disabled', 'enabled'),
  [`${MAC}cloudblocklevel`]: options('normal', 'moderate', 'high', 'high_plus', 'zero_tolerance'),
  [`${MAC}automaticsamplesubmissionconsent`]: options('none', 'safe', 'all'),
  [`${MAC}consumerexperience`]: SWITCH,
  [`${MAC}userinitiatedfeedback`]: SWITCH,
  [`${MAC}threattypesettings_item_key`]: THREAT_TYPE,
  [`${MAC}threattypesettings_item_value`]: THREAT_TYPE_ACTION,
  [`${MAC}exclusions_item_$type`]: EXCLUSION_TYPE,
  [`${MAC}exclusions_item_path`]: { type: 'simple' },
  [`${MAC}exclusions_item_isdirectory`]: { type: 'bool' },
  [`${MAC}exclusions_item_extension`]: { type: 'simple' },
  [`${MAC}exclusions_item_name`]: { type: 'simple' },
  [`${MAC}exclusions_item_path_tamperprotection`]: { type: 'simple' },
  [`${MAC}exclusions_item_signingid_tamperprotection`]: { type: 'simple' },
  [`${MAC}exclusions_item_teamid_tamperprotection`]: { type: 'simple' },
  [`${MAC}exclusions_item_args_tamperprotection`]: { type: 'list' },
  [`${MAC}tags_item_key`]: TAG_KEY,
  [`${MAC}tags_item_value`]: { type: 'simple' },
  'com.apple.security.firewall_loggingoption': options('throttled', 'brief', 'detail'),
  [`${LINUX}antivirusengine_enforcementlevel`]: options('real_time', 'on_demand', 'passive'),
  [`${LINUX}networkprotection_enforcementlevel`]: ENFORCEMENT,
  [`${LINUX}antivirusengine_nonexecmountpolicy`]: options('unmute', 'mute'),
  [`${LINUX}cloudservice_diagnosticlevel`]: options('optional', 'required'),
  [`${LINUX}antivirusengine_exclusionsmergepolicy`]: MERGE,
  [`${LINUX}antivirusengine_threattypesettingsmergepolicy`]: MERGE,
  [`${LINUX}antivirusengine_behaviormonitoring`]: options('disabled', 'enabled'),
  [`${LINUX}cloudservice_cloudblocklevel`]: options('normal', 'moderate', 'high', 'high_plus', 'zero_tolerance'),
  [`${LINUX}cloudservice_automaticsamplesubmissionconsent`]: options('none', 'safe', 'all'),
  [`${LINUX}antivirusengine_threattypesettings_item_key`]: THREAT_TYPE,
  [`${LINUX}antivirusengine_threattypesettings_item_value`]: THREAT_TYPE_ACTION,
  [`${LINUX}antivirusengine_exclusions_item_$type`]: EXCLUSION_TYPE,
  [`${LINUX}antivirusengine_exclusions_item_path`]: { type: 'simple' },
  [`${LINUX}antivirusengine_exclusions_item_isdirectory`]: { type: 'bool' },
  [`${LINUX}antivirusengine_exclusions_item_extension`]: { type: 'simple' },
  [`${LINUX}antivirusengine_exclusions_item_name`]: { type: 'simple' },
  [`${LINUX}edr_tags_item_key`]: TAG_KEY,
  // Ids other helpers add in issue 16 (D5). systemExtensions: enabled/disabled in the manifest's usual order (the
  // index order is UNCONFIRMED; the corpus sets _0, the OpenIntuneBaseline intent being "enabled").
  [`${MAC}systemextensions`]: SWITCH,
  [`${LINUX}exclusionsettings_exclusions_item_$type`]: options('excludedPath', 'excludedFileName'),
  [`${LINUX}exclusionsettings_exclusions_item_path`]: { type: 'simple' },
  [`${LINUX}exclusionsettings_exclusions_item_isdirectory`]: { type: 'bool' },
  [`${LINUX}exclusionsettings_exclusions_item_name`]: { type: 'simple' },
  device_vendor_msft_policy_config_audit_objectaccess_auditfilteringplatformconnection: { type: 'integer' },
  device_vendor_msft_policy_config_audit_objectaccess_auditfilteringplatformpacketdrop: { type: 'integer' },
  [`${LINUX}edr_tags_item_value`]: { type: 'simple' },
  // Windows Firewall Rules (Firewall CSP MdmStore/FirewallRules/{name}/…; Intune option ids end in the CSP value).
  [`${RULE}name`]: { type: 'simple' },
  [`${RULE}firewallrulename`]: { type: 'simple' },
  [`${RULE}description`]: { type: 'simple' },
  [`${RULE}enabled`]: { type: 'bool' },
  [`${RULE}direction`]: { type: 'optionMap', options: { in: 'IN', out: 'OUT' } },
  [`${RULE}action_type`]: { type: 'integer' },
  [`${RULE}protocol`]: { type: 'simple' },
  [`${RULE}localportranges`]: { type: 'joined' },
  [`${RULE}remoteportranges`]: { type: 'joined' },
  [`${RULE}icmptypesandcodes`]: { type: 'joined' },
  [`${RULE}localaddressranges`]: { type: 'list' },
  [`${RULE}remoteaddressranges`]: { type: 'list' },
  [`${RULE}profiles`]: { type: 'flags' },
  [`${RULE}interfacetypes`]: {
    type: 'choiceList',
    options: { lan: 'Lan', remoteaccess: 'RemoteAccess', wireless: 'Wireless', mobilebroadband: 'MBB', all: 'All' },
  },
  [`${RULE}edgetraversal`]: { type: 'bool' },
  [`${RULE}localuserauthorizedlist`]: { type: 'simple' },
  [`${RULE}app_filepath`]: { type: 'simple' },
  [`${RULE}app_packagefamilyname`]: { type: 'simple' },
  [`${RULE}app_fqbn`]: { type: 'simple' },
  [`${RULE}app_servicename`]: { type: 'simple' },
};
