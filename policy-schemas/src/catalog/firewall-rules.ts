// Firewall rules: on Windows one object-list setting, each item one ./Vendor/MSFT/Firewall/MdmStore/FirewallRules/<name>
// node with the fields of mde-domain.md §2.4; on macOS Attaché's own pf rules in an anchor the agent owns (MDE has no
// macOS firewall-rule profile). Rules from several policies merge by name; the same name with different content is a
// conflict.
import { whenPresent } from './builders.js';
import { ICMP_TYPES_AND_CODES, LOCAL_ADDRESS_RANGE, PORT_RANGES, REMOTE_ADDRESS_RANGE, REMOTE_CIDRS } from './item-patterns.js';
import type { SettingDefinition } from './setting-definition.js';
import { describedPattern, TEXT_FORBIDDEN, textSchema } from './text.js';

const addressList = (pattern: string, description: string) => ({
  type: 'array',
  items: { type: 'string', pattern, description },
  minItems: 1,
  maxItems: 1000,
  uniqueItems: true,
});

/** FW_PROFILE_TYPE bitmask: 1 Domain, 2 Private, 4 Public, 0x7FFFFFFF all. */
const PROFILES = [1, 2, 3, 4, 5, 6, 7, 0x7fffffff];

const FIREWALL_RULE = {
  type: 'object',
  properties: {
    name: {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      pattern: describedPattern(`^[^/${TEXT_FORBIDDEN}]+$`, 'must not contain "/" or control characters'),
      description: 'the rule\'s name (CSP Name; the rule node name is derived from it); no "/"',
    },
    description: textSchema(1024),
    // Source: https://learn.microsoft.com/windows/client-management/mdm/firewall-csp#mdmstorefirewallrulesfirewallrulenameenabled
    // ("If not specified - a new rule is disabled by default.")
    enabled: { type: 'boolean', description: 'default false: a rule without enabled is created disabled (Firewall CSP default)' },
    direction: { type: 'string', enum: ['IN', 'OUT'], description: 'default OUT' },
    action: { type: 'integer', enum: [0, 1], description: '0 block, 1 allow (default)' },
    protocol: { type: 'integer', minimum: 0, maximum: 255, description: 'IANA number (TCP 6, UDP 17, ICMPv4 1, ICMPv6 58); default all' },
    localPortRanges: { type: 'string', maxLength: 4096, pattern: PORT_RANGES, description: 'ports 0–65535 and ranges, e.g. 100-120,200' },
    remotePortRanges: { type: 'string', maxLength: 4096, pattern: PORT_RANGES, description: 'ports 0–65535 and ranges, e.g. 100-120,200' },
    // Source: https://learn.microsoft.com/windows/client-management/mdm/firewall-csp#mdmstorefirewallrulesfirewallrulenameicmptypesandcodes
    // ("*:4" and "*:*" are invalid; the protocol must be 1 or 58 — the allOf below).
    icmpTypesAndCodes: {
      type: 'string',
      maxLength: 4096,
      pattern: ICMP_TYPES_AND_CODES,
      description: 'type:code list, * alone = all, e.g. 3:4,8:*; *:4 and *:* are invalid; needs protocol 1 or 58',
    },
    localAddressRanges: addressList(LOCAL_ADDRESS_RANGE, '*, IPv4/IPv6 address, subnet (prefix or mask), start-end'),
    remoteAddressRanges: addressList(
      REMOTE_ADDRESS_RANGE,
      'as local, or Defaultgateway, DHCP, DNS, WINS, Intranet, RemoteCorpNetwork (RmtIntranet), Internet, PlayToRenderers (Ply2Renders), LocalSubnet',
    ),
    profiles: { type: 'integer', enum: PROFILES, description: 'bitmask 1 Domain, 2 Private, 4 Public; 2147483647 all (default)' },
    // Source: https://learn.microsoft.com/windows/client-management/mdm/firewall-csp#mdmstorefirewallrulesfirewallrulenameinterfacetypes
    // ("Acceptable values are "RemoteAccess", "Wireless", "Lan", "MBB", and "All""; default All). "All" stands alone.
    interfaceTypes: {
      type: 'array',
      items: { type: 'string', enum: ['RemoteAccess', 'Wireless', 'Lan', 'MBB', 'All'] },
      minItems: 1,
      uniqueItems: true,
      description: 'MBB = mobile broadband; "All" only alone; default all',
      oneOf: [
        { const: ['All'] },
        { type: 'array', items: { type: 'string', enum: ['RemoteAccess', 'Wireless', 'Lan', 'MBB'] }, minItems: 1, uniqueItems: true },
      ],
    },
    edgeTraversal: { type: 'boolean' },
    // Source: https://learn.microsoft.com/windows/client-management/mdm/firewall-csp#mdmstorefirewallrulesfirewallrulenamelocaluserauthorizedlist
    // (node LocalUserAuthorizedList, an SDDL string; the bridge class MDM_Firewall_FirewallRules02_01 has the same name).
    localUserAuthorizedList: { ...textSchema(4096), description: 'SDDL; was localUserAuthorizationList (the old name is refused with this name)' },
    // Source: https://learn.microsoft.com/windows/client-management/mdm/firewall-csp#mdmstorefirewallrulesfirewallrulenameapp
    // (App: "Specified based on the intersection of" PackageFamilyName, FilePath, FQBN and ServiceName — all may combine).
    filePath: textSchema(1024),
    packageFamilyName: textSchema(256),
    fqbn: textSchema(1024),
    serviceName: textSchema(256),
    // Source: https://learn.microsoft.com/windows/client-management/mdm/firewall-csp#mdmstorefirewallrulesfirewallrulenamepolicyappid
    // ("Specifies one WDAC tag", regular expression ^[A-Za-z0-9_.:/]+$, "A PolicyAppId and ServiceName can't be specified
    // in the same rule"; Windows 10 22H2 KB5025297 / Windows 11 and later). Intune's Firewall Rules profile: "Policy App Id".
    policyAppId: {
      type: 'string',
      minLength: 1,
      maxLength: 256,
      pattern: describedPattern('^[A-Za-z0-9_.:/]+$', 'must be one App Control (WDAC) AppId tag: letters, digits, _ . : /'),
      description: 'one App Control (WDAC) AppId tag; not together with serviceName',
    },
  },
  required: ['name'],
  additionalProperties: false,
  // Filters the Firewall CSP refuses to combine: refused at submission, with the field that is wrong.
  allOf: [
    whenPresent(['localPortRanges', 'remotePortRanges'], { protocol: { enum: [6, 17], description: 'ports need TCP (6) or UDP (17)' } }),
    whenPresent(['icmpTypesAndCodes'], { protocol: { enum: [1, 58], description: 'ICMP types need ICMPv4 (1) or ICMPv6 (58)' } }),
    {
      // The CSP refuses PolicyAppId and ServiceName in one rule: with policyAppId, serviceName must be left out.
      if: { properties: { policyAppId: true }, required: ['policyAppId'] },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword
      then: {
        properties: {
          serviceName: { type: 'string', pattern: describedPattern('^$', 'must be left out when policyAppId is set (the CSP refuses both in one rule)') },
        },
      },
    },
    {
      if: { properties: { edgeTraversal: { const: true } }, required: ['edgeTraversal'] },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword
      then: { properties: { direction: { const: 'IN', description: 'edge traversal applies to inbound rules only' } }, required: ['direction'] },
    },
  ],
};

/** The pf anchor the macOS rules live in (evaluated through `anchor "com.apple/*"` of the stock /etc/pf.conf). */
export const PF_ANCHOR = 'com.apple/250.AttacheFirewall';

/**
 * One macOS pf rule. The name is rendered only inside the quoted label "attache:<name>": pf labels hold 63 bytes, and
 * the pattern keeps out quotes, backslashes, `$` (pf expands macros in labels) and line breaks.
 */
const PF_RULE = {
  type: 'object',
  properties: {
    name: {
      type: 'string',
      minLength: 1,
      maxLength: 55,
      pattern: '^[A-Za-z0-9][A-Za-z0-9 _.-]*$',
      description: 'letters, digits, space, _ . -; at most 55 characters (the pf label is "attache:<name>")',
    },
    direction: { type: 'string', enum: ['in', 'out'] },
    action: { type: 'string', enum: ['pass', 'block', 'blockReturn'], description: 'blockReturn answers TCP with RST and UDP with ICMP unreachable' },
    protocol: { type: 'string', enum: ['tcp', 'udp', 'icmp', 'any'], description: 'icmp covers ICMP and ICMPv6' },
    localPorts: {
      type: 'string',
      maxLength: 4096,
      pattern: PORT_RANGES,
      description: 'ports 0–65535 and ranges, e.g. 22,8000-8080; only with tcp, udp or any (any then means tcp and udp)',
    },
    remotePorts: { type: 'string', maxLength: 4096, pattern: PORT_RANGES, description: 'as localPorts' },
    remoteAddresses: REMOTE_CIDRS,
  },
  required: ['name', 'direction', 'action', 'protocol'],
  additionalProperties: false,
  allOf: [whenPresent(['localPorts', 'remotePorts'], { protocol: { enum: ['tcp', 'udp', 'any'], description: 'ports need tcp, udp or any' } })],
};

/**
 * Item properties renamed since earlier catalog versions (old → new): a stored policy that still uses the old name is
 * refused, and the refusal names the new one (common/validation-errors.ts). localUserAuthorizationList became the
 * Firewall CSP's node name LocalUserAuthorizedList.
 */
export const RENAMED_PROPERTIES: Readonly<Record<string, string>> = { localUserAuthorizationList: 'localUserAuthorizedList' };

export const FIREWALL_RULES_SETTINGS: readonly SettingDefinition[] = [
  {
    id: 'firewallRules.rules',
    kind: 'firewallRules',
    title: 'Windows Firewall rules',
    description:
      'Firewall CSP FirewallRules/<name>: one item per rule, identified by name. Filters within a rule are AND-ed; ports apply to TCP/UDP, ICMP codes to ICMP (protocol 1 or 58). A rule without enabled is disabled (the CSP default); the rules live in the MDM store, so a Group Policy AllowLocalPolicyMerge=false does not switch them off.',
    platforms: ['windows'],
    type: 'objectList',
    itemSchema: FIREWALL_RULE,
    itemKey: ['name'],
    itemExamples: [
      {
        name: 'Allow RDP from intranet',
        direction: 'IN',
        action: 1,
        protocol: 6,
        localPortRanges: '3389',
        remoteAddressRanges: ['Intranet'],
        profiles: 1,
        enabled: true,
      },
      { name: 'Block SMB out', direction: 'OUT', action: 0, protocol: 6, remotePortRanges: '139,445', profiles: 0x7fffffff, enabled: true },
      { name: 'Allow ping', direction: 'IN', action: 1, protocol: 1, icmpTypesAndCodes: '8:*', localAddressRanges: ['10.0.0.0/8', 'fe80::/64'], enabled: true },
      {
        name: 'Agent updates',
        direction: 'OUT',
        action: 1,
        filePath: 'C:\\Program Files\\Attache\\agent.exe',
        interfaceTypes: ['Lan', 'Wireless', 'MBB'],
        enabled: true,
      },
    ],
    maxItems: 1000,
    default: [],
    source: './Vendor/MSFT/Firewall/MdmStore/FirewallRules/',
  },
  {
    id: 'firewallRules.pfRules',
    kind: 'firewallRules',
    title: 'macOS pf firewall rules',
    description: `pf rules in the anchor ${PF_ANCHOR}, one item per rule, identified by name. Block rules are evaluated before pass rules and the first match wins (quick); ports apply to tcp/udp. The agent keeps pf enabled through its own pf reference while rules are loaded.`,
    platforms: ['macos'],
    type: 'objectList',
    itemSchema: PF_RULE,
    itemKey: ['name'],
    itemExamples: [
      { name: 'ssh from intranet', direction: 'in', action: 'pass', protocol: 'tcp', localPorts: '22', remoteAddresses: ['10.0.0.0/8', 'fd00::/8'] },
      { name: 'block telnet', direction: 'out', action: 'blockReturn', protocol: 'tcp', remotePorts: '23' },
      { name: 'block smb and netbios', direction: 'in', action: 'block', protocol: 'any', localPorts: '137-139,445' },
      { name: 'ping', direction: 'in', action: 'pass', protocol: 'icmp' },
    ],
    maxItems: 1000,
    default: [],
    source: `pfctl -a ${PF_ANCHOR}`,
  },
];
