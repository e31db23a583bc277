// The Intune settingDefinitionIds that do not follow a Windows CSP family rule (macOS com.microsoft.wdav preferences,
// Linux mdatp_managed keys, Windows firewall rules, specials), and the catalog settings Intune has no counterpart for.
// Data for intune-sources.ts; the Intune import reads the same table, so a mapping is written once.

/** The catalog setting an Intune setting instance becomes; `item`: the property of an object-list item it fills. */
export interface IntuneSettingTarget {
  readonly settingId: string;
  readonly item?: string;
}

const MAC = 'com.apple.managedclient.preferences_';
const LINUX = 'linux_mdatp_managed_';
const RULE = 'vendor_msft_firewall_mdmstore_firewallrules_{firewallrulename}_';
const MAC_FIREWALL = 'com.apple.security.firewall_';

const to = (settingId: string, item?: string): IntuneSettingTarget => (item ? { settingId, item } : { settingId });

/** Keys common to the Linux and macOS profiles: `mdatp.<section>.<key>` ↔ Linux `<section>_<key>`, macOS `<key>`. */
const MDATP_SHARED: readonly (readonly [string, string])[] = [
  ['antivirusEngine', 'scanAfterDefinitionUpdate'],
  ['antivirusEngine', 'scanArchives'],
  ['antivirusEngine', 'maximumOnDemandScanThreads'],
  ['antivirusEngine', 'enableFileHashComputation'],
  ['antivirusEngine', 'allowedThreats'],
  ['antivirusEngine', 'disallowedThreatActions'],
  ['antivirusEngine', 'threatTypeSettingsMergePolicy'],
  ['antivirusEngine', 'exclusionsMergePolicy'],
  ['antivirusEngine', 'scanResultsRetentionDays'],
  ['antivirusEngine', 'scanHistoryMaximumItems'],
  ['antivirusEngine', 'behaviorMonitoring'],
  ['cloudService', 'enabled'],
  ['cloudService', 'diagnosticLevel'],
  ['cloudService', 'cloudBlockLevel'],
  ['cloudService', 'automaticSampleSubmissionConsent'],
  ['cloudService', 'automaticDefinitionUpdateEnabled'],
  ['edr', 'groupIds'],
];

function mdatpShared(): Record<string, IntuneSettingTarget> {
  const out: Record<string, IntuneSettingTarget> = {};
  for (const [section, key] of MDATP_SHARED) {
    out[`${LINUX}${section.toLowerCase()}_${key.toLowerCase()}`] = to(`mdatp.${section}.${key}`);
    out[`${MAC}${key.toLowerCase()}`] = to(`mdatp.${section}.${key}`);
  }
  return out;
}

/** Object-list children: `<group>_item_<property>` → an item property of `settingId`. */
function items(group: string, settingId: string, props: readonly string[], suffix = ''): Record<string, IntuneSettingTarget> {
  return Object.fromEntries(props.map((p) => [`${group}_item_${p.toLowerCase()}${suffix}`, to(settingId, p)]));
}

/**
 * Exact Intune ids. Linux ids: `linux_mdatp_managed_<section>_<key>` (Microsoft365DSC IntuneAntivirusPolicyLinux:
 * cloudservice_enabled, antivirusengine_exclusions_item_$type, …); macOS ids: `com.apple.managedclient.preferences_<key>`
 * with a section suffix where two sections share a key (real exports, shared corpus).
 */
export const INTUNE_SETTING_IDS: Readonly<Record<string, IntuneSettingTarget>> = {
  vendor_msft_defender_configuration_tamperprotection_options: to('defenderConfig.TamperProtection'),
  ...mdatpShared(),
  // Linux only.
  [`${LINUX}antivirusengine_enforcementlevel`]: to('mdatp.antivirusEngine.enforcementLevel'),
  [`${LINUX}networkprotection_enforcementlevel`]: to('mdatp.networkProtection.enforcementLevel'),
  [`${LINUX}antivirusengine_unmonitoredfilesystems`]: to('mdatp.antivirusEngine.unmonitoredFilesystems'),
  [`${LINUX}antivirusengine_nonexecmountpolicy`]: to('mdatp.antivirusEngine.nonExecMountPolicy'),
  ...items(`${LINUX}antivirusengine_exclusions`, 'mdatp.antivirusEngine.exclusions', ['$type', 'path', 'isDirectory', 'extension', 'name']),
  ...items(`${LINUX}antivirusengine_threattypesettings`, 'mdatp.antivirusEngine.threatTypeSettings', ['key', 'value']),
  ...items(`${LINUX}edr_tags`, 'mdatp.edr.tags', ['key', 'value']),
  // macOS only.
  [`${MAC}enforcementlevel_antivirusengine`]: to('mdatp.antivirusEngine.enforcementLevel'),
  [`${MAC}enforcementlevel`]: to('mdatp.networkProtection.enforcementLevel'),
  [`${MAC}automaticsamplesubmission`]: to('mdatp.cloudService.automaticSampleSubmission'),
  [`${MAC}definitionupdatedue`]: to('mdatp.cloudService.definitionUpdateDue'),
  [`${MAC}definitionupdatesinterval`]: to('mdatp.cloudService.definitionUpdatesInterval'),
  [`${MAC}proxy`]: to('mdatp.cloudService.proxy'),
  [`${MAC}enforcementlevel_tamperprotection`]: to('mdatp.tamperProtection.enforcementLevel'),
  [`${MAC}consumerexperience`]: to('mdatp.userInterface.consumerExperience'),
  [`${MAC}userinitiatedfeedback`]: to('mdatp.userInterface.userInitiatedFeedback'),
  [`${MAC}hidestatusmenuicon`]: to('mdatp.userInterface.hideStatusMenuIcon'),
  ...items(`${MAC}exclusions`, 'mdatp.antivirusEngine.exclusions', ['$type', 'path', 'isDirectory', 'extension', 'name']),
  ...items(`${MAC}threattypesettings`, 'mdatp.antivirusEngine.threatTypeSettings', ['key', 'value']),
  ...items(`${MAC}exclusions`, 'mdatp.tamperProtection.exclusions', ['path', 'signingId', 'teamId', 'args'], '_tamperprotection'),
  ...items(`${MAC}tags`, 'mdatp.edr.tags', ['key', 'value']),
  // macOS application firewall payload (settings catalog "Firewall").
  [`${MAC_FIREWALL}enablefirewall`]: to('macosFirewall.EnableFirewall'),
  [`${MAC_FIREWALL}blockallincoming`]: to('macosFirewall.BlockAllIncoming'),
  [`${MAC_FIREWALL}enablestealthmode`]: to('macosFirewall.EnableStealthMode'),
  [`${MAC_FIREWALL}enablelogging`]: to('macosFirewall.EnableLogging'),
  [`${MAC_FIREWALL}loggingoption`]: to('macosFirewall.LoggingOption'),
  // Windows Firewall Rules profile: one group-collection item per rule (Firewall CSP MdmStore/FirewallRules/{name}).
  [`${RULE}name`]: to('firewallRules.rules', 'name'),
  [`${RULE}firewallrulename`]: to('firewallRules.rules', 'name'),
  [`${RULE}description`]: to('firewallRules.rules', 'description'),
  [`${RULE}enabled`]: to('firewallRules.rules', 'enabled'),
  [`${RULE}direction`]: to('firewallRules.rules', 'direction'),
  [`${RULE}action_type`]: to('firewallRules.rules', 'action'),
  [`${RULE}protocol`]: to('firewallRules.rules', 'protocol'),
  [`${RULE}localportranges`]: to('firewallRules.rules', 'localPortRanges'),
  [`${RULE}remoteportranges`]: to('firewallRules.rules', 'remotePortRanges'),
  [`${RULE}icmptypesandcodes`]: to('firewallRules.rules', 'icmpTypesAndCodes'),
  [`${RULE}localaddressranges`]: to('firewallRules.rules', 'localAddressRanges'),
  [`${RULE}remoteaddressranges`]: to('firewallRules.rules', 'remoteAddressRanges'),
  [`${RULE}profiles`]: to('firewallRules.rules', 'profiles'),
  [`${RULE}interfacetypes`]: to('firewallRules.rules', 'interfaceTypes'),
  [`${RULE}edgetraversal`]: to('firewallRules.rules', 'edgeTraversal'),
  // Intune's LocalUserAuthorizedList (the CSP node name) → our item property of the same name (issue 16, D5).
  [`${RULE}localuserauthorizedlist`]: to('firewallRules.rules', 'localUserAuthorizedList'),
  [`${RULE}app_filepath`]: to('firewallRules.rules', 'filePath'),
  [`${RULE}app_packagefamilyname`]: to('firewallRules.rules', 'packageFamilyName'),
  [`${RULE}app_fqbn`]: to('firewallRules.rules', 'fqbn'),
  [`${RULE}app_servicename`]: to('firewallRules.rules', 'serviceName'),
  // Ids other helpers add in issue 16 (D5, /work/notes/issue16-ids.md): these map once the lead merges their catalog entries.
  [`${MAC}earlypreview`]: to('mdatp.edr.earlyPreview'),
  [`${MAC}systemextensions`]: to('mdatp.features.systemExtensions'),
  // Linux "Microsoft Defender Global Exclusions (AV+EDR)" (EDR profile); Intune writes no scopes: global exclusions.
  ...items(`${LINUX}exclusionsettings_exclusions`, 'mdatp.exclusionSettings.exclusions', ['$type', 'path', 'isDirectory', 'name']),
  device_vendor_msft_windowsadvancedthreatprotection_devicetagging_group: to('edr.DeviceTagGroup'),
  [`${MAC_FIREWALL}allowsigned`]: to('macosFirewall.AllowSigned'),
  [`${MAC_FIREWALL}allowsignedapp`]: to('macosFirewall.AllowSignedApp'),
  // Windows Firewall template's domain-network TLS detection (Policy CSP NetworkListManager).
  device_vendor_msft_policy_config_networklistmanager_allowedtlsauthenticationendpoints: to('firewall.networkListManager.AllowedTlsAuthenticationEndpoints'),
  device_vendor_msft_policy_config_networklistmanager_configuredtlsauthenticationnetworkname: to(
    'firewall.networkListManager.ConfiguredTLSAuthenticationNetworkName',
  ),
  // Windows Firewall template "Auditing" (Audit CSP ObjectAccess_AuditFilteringPlatform*; 0 off, 1 success, 2 failure, 3 both).
  device_vendor_msft_policy_config_audit_objectaccess_auditfilteringplatformconnection: to('firewall.audit.ObjectAccess_AuditFilteringPlatformConnection'),
  device_vendor_msft_policy_config_audit_objectaccess_auditfilteringplatformpacketdrop: to('firewall.audit.ObjectAccess_AuditFilteringPlatformPacketDrop'),
};

const NOT_IN_LINUX_PROFILE =
  'not offered by Intune’s Linux antivirus profile (Microsoft365DSC IntuneAntivirusPolicyLinux lists its settings); set it in an Attaché policy';
const ATTACHE_ONLY = 'an Attaché policy of its own: Intune has no profile for it';

/** Catalog settings nothing in Intune delivers, and why (docs/settings.md shows the reason). */
export const NO_INTUNE_COUNTERPART: Readonly<Record<string, string>> = {
  'mdatp.antivirusEngine.scanFileModifyPermissions': NOT_IN_LINUX_PROFILE,
  'mdatp.antivirusEngine.scanFileModifyOwnership': NOT_IN_LINUX_PROFILE,
  'mdatp.antivirusEngine.scanNetworkSocketEvent': NOT_IN_LINUX_PROFILE,
  'mdatp.features.moduleLoad': NOT_IN_LINUX_PROFILE,
  'mdatp.features.supplementarySensorConfigurations.enableFilePermissionEvents': NOT_IN_LINUX_PROFILE,
  'mdatp.features.supplementarySensorConfigurations.enableFileOwnershipEvents': NOT_IN_LINUX_PROFILE,
  'mdatp.features.supplementarySensorConfigurations.enableRawSocketEvent': NOT_IN_LINUX_PROFILE,
  'mdatp.features.supplementarySensorConfigurations.enableBootLoaderCalls': NOT_IN_LINUX_PROFILE,
  'mdatp.features.supplementarySensorConfigurations.enableProcessCalls': NOT_IN_LINUX_PROFILE,
  'mdatp.features.supplementarySensorConfigurations.enablePseudofsCalls': NOT_IN_LINUX_PROFILE,
  'mdatp.features.supplementarySensorConfigurations.enableEbpfModuleLoadEvents': NOT_IN_LINUX_PROFILE,
  'mdatp.features.sendLowfiEvents': NOT_IN_LINUX_PROFILE,
  'mdatp.networkProtection.disableIcmpInspection':
    'not offered by Intune’s Linux antivirus profile nor by the macOS com.microsoft.wdav manifest (mdatp-xplat schema.json); set it in an Attaché policy',
  'firewallRules.pfRules': 'Intune has no macOS firewall-rule list: its application firewall payload allows or blocks applications, not ports',
  'linuxFirewall.defaultInboundAction': ATTACHE_ONLY,
  'linuxFirewall.defaultOutboundAction': ATTACHE_ONLY,
  'linuxFirewall.allowEstablished': ATTACHE_ONLY,
  'linuxFirewall.allowLoopback': ATTACHE_ONLY,
  'linuxFirewall.rules': ATTACHE_ONLY,
  'mdatp.exclusionSettings.mergePolicy': 'a documented mdatp_managed.json key the Intune global-exclusions profile does not offer; set it in an Attaché policy',
  'mdatp.features.remediateInfectedFile': NOT_IN_LINUX_PROFILE,
  'mdatp.features.enableAntivirusEngineCache': NOT_IN_LINUX_PROFILE,
  'indicators.items':
    'custom indicators are managed in the Microsoft Defender portal (Settings › Endpoints › Indicators) or its API, not through Intune profiles',
};
