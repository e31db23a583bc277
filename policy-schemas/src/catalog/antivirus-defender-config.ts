// Antivirus nodes of the Defender CSP (./Vendor/MSFT/Defender/Configuration/…) that Intune's Antivirus profile offers
// and the first catalog lacked (issue 16, decision D5): catch-up scans, exclusion visibility, OOBE protection, the
// security-intelligence update schedule, asynchronous inspection and the brute-force / remote-encryption blocks.
import { choices, defenderConfig, type EntryRest, switch01, weekdays } from './builders.js';
import type { SettingDefinition } from './setting-definition.js';
import { describedPattern, PIPE_LIST_ITEM_PATTERN } from './text.js';

// Every value, range and default below is the Defender CSP's (auto-generated from the DDF, ms.date 11/27/2024).
// Source: https://learn.microsoft.com/windows/client-management/mdm/defender-csp
const BEHAVIORAL_NETWORK_BLOCKS = './Device/Vendor/MSFT/Defender/Configuration/BehavioralNetworkBlocks/';

function config(name: string, rest: EntryRest): SettingDefinition {
  return defenderConfig('antivirus', name, rest);
}

/** A node under BehavioralNetworkBlocks/<feature>/: the id stays flat (defenderConfig.<Name>), the source is the real path. */
function block(feature: 'BruteForceProtection' | 'RemoteEncryptionProtection', name: string, rest: EntryRest): SettingDefinition {
  const entry = config(name, rest);
  const source = `${BEHAVIORAL_NETWORK_BLOCKS}${feature}/${name}`;
  return { ...entry, description: rest.description ?? `Defender CSP Configuration/BehavioralNetworkBlocks/${feature}/${name}.`, source };
}

const CONFIGURED_STATE = choices([
  [0, 'Not configured (engine default)'],
  [1, 'Block'],
  [2, 'Audit'],
  [4, 'Off'],
]);
const AGGRESSIVENESS = choices([
  [0, 'Low: block only at 100% confidence'],
  [1, 'Medium: cloud aggregation, above 99%'],
  [2, 'High: client intelligence and context, above 90%'],
]);

/** The DDF's own pattern for one ExcludedIpAddresses item (an IPv4 or IPv6 address, no prefix). */
const IP_ADDRESS = describedPattern(
  '^(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\.(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\.(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\.(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)$' +
    '|^(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}$|^(?:[0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}$|^(?:[0-9a-fA-F]{1,4}:){1,5}(?::[0-9a-fA-F]{1,4}){1,2}$' +
    '|^(?:[0-9a-fA-F]{1,4}:){1,4}(?::[0-9a-fA-F]{1,4}){1,3}$|^(?:[0-9a-fA-F]{1,4}:){1,3}(?::[0-9a-fA-F]{1,4}){1,4}$' +
    '|^(?:[0-9a-fA-F]{1,4}:){1,2}(?::[0-9a-fA-F]{1,4}){1,5}$|^[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){1,6}$|^::1$|^::$',
  'must be an IPv4 or IPv6 address (the Defender CSP ExcludedIpAddresses pattern)',
);

function blockFeature(feature: 'BruteForceProtection' | 'RemoteEncryptionProtection', label: string): SettingDefinition[] {
  return [
    block(feature, `${feature}ConfiguredState`, { title: `${label}`, type: 'integer', values: CONFIGURED_STATE, default: 0 }),
    block(feature, `${feature}Aggressiveness`, { title: `${label}: aggressiveness`, type: 'integer', values: AGGRESSIVENESS, default: 0 }),
    block(feature, `${feature}MaxBlockTime`, {
      title: `${label}: maximum block time (0 = Defender decides)`,
      type: 'integer',
      minimum: 0,
      maximum: 4294967295,
      default: 0,
    }),
    block(feature, `${feature}Exclusions`, {
      title: `${label}: excluded IP addresses, subnets or workstation names`,
      description: `Defender CSP Configuration/BehavioralNetworkBlocks/${feature}/${feature}Exclusions ('|'-delimited on the device). Merges as a union.`,
      type: 'stringList',
      pattern: PIPE_LIST_ITEM_PATTERN,
      maxItems: 1000,
      default: [],
    }),
  ];
}

/** Defender CSP 0/1 switches whose 1 turns a feature off (DDF: "1 … is disabled", "0 (Default) … is enabled"). */
const OFF_SWITCHES: readonly (readonly [name: string, title: string])[] = [
  ['DisableDnsParsing', 'Network protection: DNS parsing'],
  ['DisableFtpParsing', 'Network protection: FTP parsing'],
  ['DisableSmtpParsing', 'Network protection: SMTP parsing'],
  ['DisableRdpParsing', 'Network protection: RDP parsing'],
  ['DisableQuicParsing', 'Network protection: QUIC parsing'],
  ['DisableInboundConnectionFiltering', 'Network protection: inbound connection filtering'],
  ['DisableDatagramProcessing', 'Network protection: UDP (datagram) inspection'],
  ['DisableNetworkProtectionPerfTelemetry', 'Network protection: performance telemetry'],
  ['DisableCacheMaintenance', 'Cache maintenance (idle task)'],
  ['DisableCoreServiceECSIntegration', 'Defender core service: Experimentation and Configuration Service (ECS)'],
  ['DisableCoreServiceTelemetry', 'Defender core service: OneDsCollector telemetry'],
];

export const DEFENDER_CONFIG_ANTIVIRUS_SETTINGS: readonly SettingDefinition[] = [
  ...OFF_SWITCHES.map(([name, title]) => config(name, { title, type: 'integer', values: switch01('Enabled', 'Disabled'), default: 0 })),
  // DDF range [7-60], default 30 (Intune's text also offers 0 = off: the import maps 0 to "not configured", which the
  // DDF describes as "aggressive quick scans will be disabled").
  config('DaysUntilAggressiveCatchupQuickScan', {
    title: 'Days before an aggressive catch-up quick scan',
    type: 'integer',
    minimum: 7,
    maximum: 60,
    default: 30,
  }),
  config('QuickScanIncludeExclusions', {
    title: 'Scan excluded files during quick scans',
    type: 'integer',
    values: switch01('Exclusions not scanned', 'Contextual exclusions scanned in quick scans'),
    default: 0,
  }),
  config('HideExclusionsFromLocalUsers', { title: 'Hide exclusions from local users', type: 'integer', values: switch01('Visible', 'Hidden'), default: 0 }),
  config('OobeEnableRtpAndSigUpdate', {
    title: 'Real-time protection and signature updates during the out-of-box experience',
    type: 'integer',
    values: switch01('Disabled', 'Enabled'),
    default: 0,
  }),
  config('ScheduleSecurityIntelligenceUpdateDay', {
    title: 'Scheduled security intelligence update day',
    type: 'integer',
    values: weekdays('Daily', 'Never'),
    default: 8,
  }),
  config('ScheduleSecurityIntelligenceUpdateTime', {
    title: 'Scheduled security intelligence update time (minutes after midnight)',
    type: 'integer',
    minimum: 0,
    maximum: 1439,
    default: 105,
  }),
  config('AllowSwitchToAsyncInspection', {
    title: 'Network protection: allow asynchronous inspection',
    type: 'integer',
    values: switch01('Not allowed', 'Allowed'),
    default: 0,
  }),
  ...blockFeature('BruteForceProtection', 'Brute-force protection'),
  block('BruteForceProtection', 'BruteForceProtectionLocalNetworkBlocking', {
    title: 'Brute-force protection: block local network addresses',
    description:
      'Defender CSP Configuration/BehavioralNetworkBlocks/BruteForceProtection/BruteForceProtectionPlugins/BruteForceProtectionLocalNetworkBlocking.',
    type: 'integer',
    values: switch01('Not blocked', 'Blocked'),
    default: 0,
  }),
  block('BruteForceProtection', 'BruteForceProtectionSkipLearningPeriod', {
    title: 'Brute-force protection: skip the 2-week learning period',
    description: 'Defender CSP Configuration/BehavioralNetworkBlocks/BruteForceProtection/BruteForceProtectionPlugins/BruteForceProtectionSkipLearningPeriod.',
    type: 'integer',
    values: switch01('Learn for 2 weeks first', 'Block immediately'),
    default: 0,
  }),
  ...blockFeature('RemoteEncryptionProtection', 'Remote encryption protection'),
  config('NetworkProtectionReputationMode', {
    title: 'Network protection reputation engine',
    type: 'integer',
    values: choices([
      [0, 'Standard reputation engine'],
      [1, 'ESP reputation engine'],
    ]),
    default: 0,
  }),
  config('ExcludedIpAddresses', {
    title: 'IP addresses excluded from network inspection',
    description:
      "Defender CSP Configuration/ExcludedIpAddresses ('|'-delimited on the device): no wdnisdrv packet inspection for these addresses. Merges as a union.",
    type: 'stringList',
    pattern: IP_ADDRESS,
    maxItems: 1000,
    default: [],
  }),
];
