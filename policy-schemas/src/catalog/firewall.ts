// Firewall settings: Windows Firewall CSP (./Vendor/MSFT/Firewall/MdmStore, mde-domain.md §2.3) and the macOS
// application firewall (socketfilterfw, macos-firewall.ts). Ids are stable: add settings, never rename one.
import { MACOS_FIREWALL_SETTINGS } from './macos-firewall.js';
import type { SettingDefinition } from './setting-definition.js';
import { NON_EMPTY_TEXT_PATTERN } from './text.js';

const STORE = './Vendor/MSFT/Firewall/MdmStore/';
const PROFILES = ['DomainProfile', 'PrivateProfile', 'PublicProfile'] as const;

function profileSettings(profile: (typeof PROFILES)[number]): SettingDefinition[] {
  const base = (name: string) => ({
    id: `firewall.${profile.charAt(0).toLowerCase()}${profile.slice(1)}.${name}`,
    kind: 'firewall' as const,
    description: `Firewall CSP ${profile}/${name}.`,
    platforms: ['windows' as const],
    source: `${STORE}${profile}/${name}`,
  });
  const bool = (name: string, title: string, def: boolean): SettingDefinition => ({
    ...base(name),
    title: `${title} (${profile})`,
    type: 'boolean',
    default: def,
  });
  const action = (name: string, title: string, def: 0 | 1): SettingDefinition => ({
    ...base(name),
    title: `${title} (${profile})`,
    type: 'integer',
    values: [
      { value: 0, label: 'Allow' },
      { value: 1, label: 'Block' },
    ],
    default: def,
  });
  return [
    bool('EnableFirewall', 'Firewall enabled', true),
    action('DefaultInboundAction', 'Default inbound action', 1),
    action('DefaultOutboundAction', 'Default outbound action', 0),
    bool('DisableStealthMode', 'Stealth mode disabled', false),
    bool('Shielded', 'Shielded (block all inbound)', false),
    bool('DisableUnicastResponsesToMulticastBroadcast', 'Unicast responses to multicast/broadcast disabled', false),
    bool('DisableInboundNotifications', 'Inbound notifications disabled', false),
    bool('AuthAppsAllowUserPrefMerge', 'Merge local authorized-application rules', true),
    bool('GlobalPortsAllowUserPrefMerge', 'Merge local global-port rules', true),
    {
      ...bool('AllowLocalPolicyMerge', 'Merge local firewall rules', true),
      description: `Firewall CSP ${profile}/AllowLocalPolicyMerge. Not supported through the MDE channel (2025 doc).`,
    },
    bool('AllowLocalIpsecPolicyMerge', 'Merge local IPsec rules', true),
    bool('DisableStealthModeIpsecSecuredPacketExemption', 'No stealth-mode exemption for IPsec-secured packets', true),
    bool('EnableLogDroppedPackets', 'Log dropped packets', false),
    bool('EnableLogSuccessConnections', 'Log successful connections', false),
    bool('EnableLogIgnoredRules', 'Log ignored rules', false),
    {
      ...base('LogFilePath'),
      title: `Log file path (${profile})`,
      type: 'string',
      pattern: NON_EMPTY_TEXT_PATTERN,
      default: '%systemroot%\\system32\\LogFiles\\Firewall\\pfirewall.log',
    },
    { ...base('LogMaxFileSize'), title: `Log file maximum size, KB (${profile})`, type: 'integer', minimum: 1, maximum: 32767, default: 1024 },
  ];
}

function global(name: string, title: string, rest: Partial<SettingDefinition> & Pick<SettingDefinition, 'type'>): SettingDefinition {
  return {
    id: `firewall.global.${name}`,
    kind: 'firewall',
    title,
    description: `Firewall CSP Global/${name}.`,
    platforms: ['windows'],
    source: `${STORE}Global/${name}`,
    ...rest,
  };
}

export const FIREWALL_SETTINGS: readonly SettingDefinition[] = [
  global('DisableStatefulFtp', 'Stateful FTP disabled', { type: 'boolean', default: false }),
  global('SaIdleTime', 'Security association idle time (seconds)', { type: 'integer', minimum: 300, maximum: 3600, default: 300 }),
  global('PresharedKeyEncoding', 'Preshared key encoding', {
    type: 'integer',
    values: [
      { value: 0, label: 'None' },
      { value: 1, label: 'UTF-8' },
    ],
    default: 1,
  }),
  global('CRLcheck', 'Certificate revocation list check', {
    type: 'integer',
    values: [
      { value: 0, label: 'None' },
      { value: 1, label: 'Attempt' },
      { value: 2, label: 'Require' },
    ],
    default: 0,
  }),
  global('IPsecExempt', 'IPsec exemptions (flags: 1 neighbor discovery, 2 ICMP, 4 router discovery, 8 DHCP)', {
    type: 'integer',
    minimum: 0,
    maximum: 15,
    default: 0,
  }),
  global('OpportunisticallyMatchAuthSetPerKM', 'Opportunistically match auth set per keying module', { type: 'boolean', default: false }),
  global('EnablePacketQueue', 'Packet queuing (flags: 1 inbound encrypted, 2 forward after decryption)', {
    type: 'integer',
    minimum: 0,
    maximum: 3,
    default: 0,
  }),
  ...PROFILES.flatMap(profileSettings),
  ...MACOS_FIREWALL_SETTINGS,
];
