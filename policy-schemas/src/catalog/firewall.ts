// Firewall settings: Windows Firewall CSP (./Vendor/MSFT/Firewall/MdmStore, mde-domain.md §2.3; merge law per value:
// Group Policy wins if configured, else the MDM store, else the local store — firewall-csp LogMaxFileSize) and the macOS
// application firewall (socketfilterfw, macos-firewall.ts). Ids are stable: add settings, never rename one.
import { MACOS_FIREWALL_SETTINGS } from './macos-firewall.js';
import type { SettingDefinition } from './setting-definition.js';
import { describedPattern, NON_EMPTY_TEXT_PATTERN, TEXT_FORBIDDEN } from './text.js';

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
    // Source: https://learn.microsoft.com/windows/client-management/mdm/firewall-csp#mdmstoredomainprofiledisablestealthmode
    // Enforced through the MDM bridge (MDM_Firewall_<Profile>Profile02.DisableStealthMode): NetSecurity has no parameter for it.
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
    // Source: https://learn.microsoft.com/windows/client-management/mdm/firewall-csp#mdmstoredomainprofilelogmaxfilesize
    // (Range [0-4294967295], Default 1024, Windows 11 22H2 / 10.0.22621 and later; the same in Intune's setting definition
    // vendor_msft_firewall_mdmstore_domainprofile_logmaxfilesize, minimumSupportedVersion 10.0.22621).
    {
      ...base('LogMaxFileSize'),
      title: `Log file maximum size, KB (${profile})`,
      description: `Firewall CSP ${profile}/LogMaxFileSize, in KB. Windows 11 22H2 (10.0.22621) and later; older builds report it not applicable.`,
      type: 'integer',
      minimum: 0,
      maximum: 4294967295,
      default: 1024,
    },
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

// Source: https://learn.microsoft.com/windows/client-management/mdm/policy-csp-audit#objectaccess_auditfilteringplatformconnection
// (and #objectaccess_auditfilteringplatformpacketdrop): 0 Off/None (default), 1 Success, 2 Failure, 3 Success+Failure.
// Intune's Windows Firewall profile carries both under "Auditing" (settingDefinitionIds
// device_vendor_msft_policy_config_audit_objectaccess_auditfilteringplatform{connection,packetdrop}).
function audit(name: string, title: string, subcategory: string): SettingDefinition {
  return {
    id: `firewall.audit.${name}`,
    kind: 'firewall',
    title,
    description: `Policy CSP Audit/${name}: advanced audit policy subcategory ${subcategory} (firewall events in the Security log).`,
    platforms: ['windows'],
    type: 'integer',
    values: [
      { value: 0, label: 'Off/None' },
      { value: 1, label: 'Success' },
      { value: 2, label: 'Failure' },
      { value: 3, label: 'Success+Failure' },
    ],
    default: 0,
    source: `./Device/Vendor/MSFT/Policy/Config/Audit/${name}`,
  };
}

// Source: https://learn.microsoft.com/windows/client-management/mdm/policy-csp-networklistmanager ("the list of URLs
// (separated by Unicode character 0xF000)"; the network name is the one a VPN's trusted network detection expects).
// Intune's Windows Firewall profile offers both (domain network detection by TLS for the Domain profile).
const NLM = './Device/Vendor/MSFT/Policy/Config/NetworkListManager/';
const NLM_SETTINGS: readonly SettingDefinition[] = [
  {
    id: 'firewall.networkListManager.AllowedTlsAuthenticationEndpoints',
    kind: 'firewall',
    title: 'TLS endpoints that authenticate the domain network',
    description:
      'Policy CSP NetworkListManager/AllowedTlsAuthenticationEndpoints: HTTPS endpoints reachable only inside the enterprise network; when one answers over trusted TLS the network counts as authenticated (domain profile).',
    platforms: ['windows'],
    type: 'stringList',
    pattern: describedPattern(
      `^https://[^${TEXT_FORBIDDEN}\\s\\uF000]{1,2040}$`,
      'must be an https:// URL without spaces, control characters or U+F000 (it separates the endpoints on the device)',
    ),
    maxItems: 100,
    default: [],
    source: `${NLM}AllowedTlsAuthenticationEndpoints`,
  },
  {
    id: 'firewall.networkListManager.ConfiguredTLSAuthenticationNetworkName',
    kind: 'firewall',
    title: 'Name of the TLS-authenticated network',
    description:
      'Policy CSP NetworkListManager/ConfiguredTLSAuthenticationNetworkName: the name given to the network authenticated by one of the TLS endpoints (for an Always On VPN profile, its trusted-network DNS suffix). Empty: not configured.',
    platforms: ['windows'],
    type: 'string',
    pattern: describedPattern(`^[^${TEXT_FORBIDDEN}]{0,256}$`, 'must be at most 256 characters without control characters or line breaks'),
    default: '',
    source: `${NLM}ConfiguredTLSAuthenticationNetworkName`,
  },
];

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
  audit('ObjectAccess_AuditFilteringPlatformConnection', 'Audit Filtering Platform Connection', 'Filtering Platform Connection'),
  audit('ObjectAccess_AuditFilteringPlatformPacketDrop', 'Audit Filtering Platform Packet Drop', 'Filtering Platform Packet Drop'),
  ...NLM_SETTINGS,
  ...MACOS_FIREWALL_SETTINGS,
];
