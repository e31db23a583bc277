// Antivirus settings for Linux and macOS: mdatp managed configuration keys (mdatp_managed.json, com.microsoft.wdav),
// mde-domain.md §3.1 with the macOS differences of §3.3 (macOS-only keys have platforms ['macos']).
// Source: https://learn.microsoft.com/defender-endpoint/linux-preferences
// Source: https://learn.microsoft.com/defender-endpoint/mac-preferences
import { type EntryRest, labels, mdatp } from './builders.js';
import type { SettingDefinition } from './setting-definition.js';
import { describedPattern, TEXT_FORBIDDEN } from './text.js';

const ENABLED = labels('disabled', 'enabled');

function av(key: string, rest: EntryRest, platforms?: SettingDefinition['platforms']): SettingDefinition {
  return mdatp('antivirus', key, rest, platforms);
}

/** A Linux-only `disabled`/`enabled` feature switch (Linux sensor features, off by default). */
function feature(key: string, title: string): SettingDefinition {
  return av(`features.${key}`, { title, type: 'string', values: ENABLED, default: 'disabled' }, ['linux']);
}

const THREAT_TYPE_SETTING = {
  type: 'object',
  properties: {
    key: { type: 'string', enum: ['potentially_unwanted_application', 'archive_bomb'] },
    value: { type: 'string', enum: ['audit', 'block', 'off'] },
  },
  required: ['key', 'value'],
  additionalProperties: false,
};

export const MDATP_ANTIVIRUS_SETTINGS: readonly SettingDefinition[] = [
  // Intune names this key apart from networkProtection.enforcementLevel (the same plist key name in another
  // dictionary): macOS settings catalog com.apple.managedclient.preferences_enforcementlevel_antivirusengine
  // (_0 passive, _1 on_demand, _2 real_time); the Linux/macOS profiles' "antivirusengine_enforcementLevel".
  // Source: https://microsoft.github.io/Microsoft365DSC/resources/intune/IntuneAntivirusPolicyMacOS
  av('antivirusEngine.enforcementLevel', {
    title: 'Enforcement level',
    description:
      'mdatp managed configuration key antivirusEngine.enforcementLevel (Intune: "Enforcement level" under Antivirus engine; macOS settings catalog id com.apple.managedclient.preferences_enforcementlevel_antivirusengine).',
    type: 'string',
    values: labels('real_time', 'on_demand', 'passive'),
    default: 'passive',
    platformDefaults: { macos: 'real_time' },
  }),
  av('antivirusEngine.behaviorMonitoring', {
    title: 'Behavior monitoring',
    type: 'string',
    values: ENABLED,
    default: 'disabled',
    platformDefaults: { macos: 'enabled' },
  }),
  av('antivirusEngine.scanAfterDefinitionUpdate', { title: 'Scan after definition update', type: 'boolean', default: true }),
  av('antivirusEngine.scanArchives', { title: 'Scan archives (on-demand scans)', type: 'boolean', default: true }),
  av('antivirusEngine.maximumOnDemandScanThreads', { title: 'Maximum on-demand scan threads', type: 'integer', minimum: 1, maximum: 64, default: 2 }),
  av(
    'antivirusEngine.nonExecMountPolicy',
    { title: 'Real-time scanning of noexec mounts', type: 'string', values: labels('unmute', 'mute'), default: 'unmute' },
    ['linux'],
  ),
  // The documented default list: cifs, fuse, nfs, nfs4 and smb are unmonitored by real-time protection (monitoring of
  // cifs, nfs4 and smb is in preview); an empty list monitors them all. Older revisions named only NFS and Fuse.
  // Source: https://learn.microsoft.com/defender-endpoint/linux-preferences#unmonitor-filesystems
  av(
    'antivirusEngine.unmonitoredFilesystems',
    {
      title: 'File systems real-time protection does not monitor',
      description:
        "mdatp managed configuration key antivirusEngine.unmonitoredFilesystems. Default: cifs, fuse, nfs, nfs4, smb unmonitored; mdatp takes only file systems on Microsoft's permitted list.",
      type: 'stringList',
      maxItems: 100,
      default: ['cifs', 'fuse', 'nfs', 'nfs4', 'smb'],
    },
    ['linux'],
  ),
  av('antivirusEngine.enableFileHashComputation', { title: 'File hash computation', type: 'boolean', default: false }),
  av('antivirusEngine.allowedThreats', { title: 'Allowed threats (threat names)', type: 'stringList', default: [] }),
  av('antivirusEngine.disallowedThreatActions', {
    title: 'Threat actions users may not take',
    type: 'stringList',
    pattern: '^(allow|restore)$',
    maxItems: 2,
    default: [],
  }),
  av('antivirusEngine.threatTypeSettings', {
    title: 'Action per threat type',
    description: 'mdatp managed configuration key antivirusEngine.threatTypeSettings: one {key, value} per threat type.',
    type: 'objectList',
    itemSchema: THREAT_TYPE_SETTING,
    itemKey: ['key'],
    itemExamples: [
      { key: 'potentially_unwanted_application', value: 'block' },
      { key: 'archive_bomb', value: 'audit' },
    ],
    maxItems: 2,
    default: [],
  }),
  av('antivirusEngine.threatTypeSettingsMergePolicy', {
    title: 'Threat type settings merge policy',
    type: 'string',
    values: labels('merge', 'admin_only'),
    default: 'merge',
  }),
  av('antivirusEngine.scanResultsRetentionDays', { title: 'Scan results retention (days)', type: 'integer', minimum: 1, maximum: 180, default: 90 }),
  av('antivirusEngine.scanHistoryMaximumItems', { title: 'Scan history size (items)', type: 'integer', minimum: 5000, maximum: 15000, default: 10000 }),
  av('antivirusEngine.scanFileModifyPermissions', { title: 'Scan on file permission changes', type: 'boolean', default: false }, ['linux']),
  av('antivirusEngine.scanFileModifyOwnership', { title: 'Scan on file ownership changes', type: 'boolean', default: false }, ['linux']),
  av('antivirusEngine.scanNetworkSocketEvent', { title: 'Scan network socket events', type: 'boolean', default: false }, ['linux']),
  av('cloudService.enabled', { title: 'Cloud-delivered protection', type: 'boolean', default: true }),
  // Linux: the JSON column says required is the default (the portal column says optional); macOS: optional.
  // Source: https://learn.microsoft.com/defender-endpoint/linux-preferences#diagnostic-collection-level
  // Source: https://learn.microsoft.com/defender-endpoint/mac-preferences#diagnostic-collection-level
  av('cloudService.diagnosticLevel', {
    title: 'Diagnostic data level',
    type: 'string',
    values: labels('optional', 'required'),
    default: 'required',
    platformDefaults: { macos: 'optional' },
  }),
  av('cloudService.cloudBlockLevel', {
    title: 'Cloud block level',
    type: 'string',
    values: labels('normal', 'moderate', 'high', 'high_plus', 'zero_tolerance'),
    default: 'normal',
  }),
  av('cloudService.automaticSampleSubmissionConsent', {
    title: 'Automatic sample submission',
    type: 'string',
    values: labels('none', 'safe', 'all'),
    default: 'safe',
  }),
  av('cloudService.automaticDefinitionUpdateEnabled', { title: 'Automatic security intelligence updates', type: 'boolean', default: true }),
  av('cloudService.proxy', {
    title: 'Proxy for cloud traffic (http://host:port/, empty = none)',
    type: 'string',
    pattern: describedPattern(`^(https?://[^\\s/${TEXT_FORBIDDEN}]+(:[0-9]{1,5})?/?)?$`, 'must be empty or http(s)://host[:port][/]'),
    default: '',
  }),
  av('cloudService.definitionUpdateDue', { title: 'Days before definitions are out of date', type: 'integer', minimum: 1, maximum: 30, default: 7 }, ['macos']),
  av(
    'cloudService.definitionUpdatesInterval',
    { title: 'Definition update interval (seconds)', type: 'integer', minimum: 60, maximum: 86400, default: 28800 },
    ['macos'],
  ),
  av('cloudService.automaticSampleSubmission', { title: 'Automatic sample submission (legacy switch)', type: 'boolean', default: true }, ['macos']),
  feature('moduleLoad', 'Module load events'),
  feature('supplementarySensorConfigurations.enableFilePermissionEvents', 'File permission events'),
  feature('supplementarySensorConfigurations.enableFileOwnershipEvents', 'File ownership events'),
  feature('supplementarySensorConfigurations.enableRawSocketEvent', 'Raw socket events'),
  feature('supplementarySensorConfigurations.enableBootLoaderCalls', 'Boot loader calls'),
  feature('supplementarySensorConfigurations.enableProcessCalls', 'Process calls'),
  feature('supplementarySensorConfigurations.enablePseudofsCalls', 'Pseudo file system calls'),
  feature('supplementarySensorConfigurations.enableEbpfModuleLoadEvents', 'eBPF module load events'),
  // The id stays (ids are never renamed) but the key is features.supplementarySensorConfigurations.sendLowfiEvents:
  // so both of Microsoft's JSON examples place it (linux-preferences "Full configuration profile example", and the
  // Linux pen-testing/BAS guidance of 05/2026); only the 2024 page's heading levels suggested features.sendLowfiEvents.
  // Source: https://learn.microsoft.com/defender-endpoint/linux-preferences#full-configuration-profile-example
  {
    ...feature('sendLowfiEvents', 'Low-fidelity events (suspicious antivirus events reported to EDR)'),
    description: 'mdatp managed configuration key features.supplementarySensorConfigurations.sendLowfiEvents.',
    source: 'features.supplementarySensorConfigurations.sendLowfiEvents',
  },
  // Documented Linux features keys Intune's profiles do not offer; both sit directly under features in Microsoft's
  // Linux pen-testing/BAS guidance example (the preferences page's headings nest the cache under the sensor section).
  // Source: https://learn.microsoft.com/defender-endpoint/linux-preferences#remediate-infected-file-feature
  feature('remediateInfectedFile', 'Remediate processes that open or load an infected file (real-time protection)'),
  // Source: https://learn.microsoft.com/defender-endpoint/linux-preferences#enable-antivirus-engine-cache
  feature('enableAntivirusEngineCache', 'Antivirus engine cache of scanned events'),
  // Intune's bare "…_enforcementlevel" on macOS (com.apple.managedclient.preferences_enforcementlevel: _0 disabled,
  // _1 audit, _2 block) is this key; the Linux profile calls it "networkprotection_enforcementLevel".
  // Source: https://microsoft.github.io/Microsoft365DSC/resources/intune/IntuneAntivirusPolicyMacOS
  av('networkProtection.enforcementLevel', {
    title: 'Network protection',
    description:
      'mdatp managed configuration key networkProtection.enforcementLevel (macOS settings catalog id com.apple.managedclient.preferences_enforcementlevel, without a suffix).',
    type: 'string',
    values: labels('disabled', 'audit', 'block'),
    default: 'disabled',
  }),
  // Documented for Linux only (mac-preferences has no networkProtection inspection keys).
  // Source: https://learn.microsoft.com/defender-endpoint/linux-preferences#configure-icmp-inspection
  av('networkProtection.disableIcmpInspection', { title: 'ICMP inspection disabled', type: 'boolean', default: true }, ['linux']),
  // macOS settings catalog com.apple.managedclient.preferences_systemextensions (category Features; seen in the
  // OpenIntuneBaseline macOS export). Defender for Endpoint uses system extensions instead of kernel extensions from
  // macOS 10.15.4; mdatp health then reports real_time_protection_subsystem endpoint_security_extension. Current
  // macOS runs Defender on system extensions only, hence the default (the preferences page states none).
  // Source: https://learn.microsoft.com/defender-endpoint/mac-sysext-preview
  // Source: https://learn.microsoft.com/defender-endpoint/mac-sysext-policies
  av(
    'features.systemExtensions',
    {
      title: 'Use system extensions',
      description:
        'mdatp managed configuration key features.systemExtensions (macOS settings catalog com.apple.managedclient.preferences_systemextensions). The extensions themselves still need an MDM system-extension and full-disk-access profile.',
      type: 'string',
      values: ENABLED,
      default: 'enabled',
    },
    ['macos'],
  ),
  av('userInterface.hideStatusMenuIcon', { title: 'Hide the status menu icon', type: 'boolean', default: false }, ['macos']),
  av('userInterface.userInitiatedFeedback', { title: 'User-initiated feedback', type: 'string', values: ENABLED, default: 'enabled' }, ['macos']),
  av('userInterface.consumerExperience', { title: 'Consumer experience', type: 'string', values: ENABLED, default: 'enabled' }, ['macos']),
];
