// Antivirus settings for Linux and macOS: mdatp managed configuration keys (mdatp_managed.json, com.microsoft.wdav),
// mde-domain.md §3.1 with the macOS differences of §3.3 (macOS-only keys have platforms ['macos']).
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
  av('antivirusEngine.enforcementLevel', {
    title: 'Enforcement level',
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
  av(
    'antivirusEngine.unmonitoredFilesystems',
    { title: 'Unmonitored file systems (NFS and Fuse are unmonitored by default)', type: 'stringList', maxItems: 100, default: [] },
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
  av('cloudService.diagnosticLevel', { title: 'Diagnostic data level', type: 'string', values: labels('optional', 'required'), default: 'required' }),
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
  feature('sendLowfiEvents', 'Low-fidelity events'),
  av('networkProtection.enforcementLevel', { title: 'Network protection', type: 'string', values: labels('disabled', 'audit', 'block'), default: 'disabled' }),
  av('networkProtection.disableIcmpInspection', { title: 'ICMP inspection disabled', type: 'boolean', default: true }),
  av('userInterface.hideStatusMenuIcon', { title: 'Hide the status menu icon', type: 'boolean', default: false }, ['macos']),
  av('userInterface.userInitiatedFeedback', { title: 'User-initiated feedback', type: 'string', values: ENABLED, default: 'enabled' }, ['macos']),
  av('userInterface.consumerExperience', { title: 'Consumer experience', type: 'string', values: ENABLED, default: 'enabled' }, ['macos']),
];
