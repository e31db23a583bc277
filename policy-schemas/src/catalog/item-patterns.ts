// Regular expressions (as JSON Schema `pattern` strings; only the port ranges need look-aheads and references) for network values inside object-list items:
// ports and port ranges, ICMP type:code, IPv4/IPv6 addresses, prefixes, masks and ranges, firewall address keywords.
// Firewall CSP formats from mde-domain.md §2.4; Linux firewall and indicator formats are Attaché's own.

import { describedPattern } from './text.js';

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const H = '[0-9a-fA-F]{1,4}';
const PORT = '(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}|0)';
const ICMP_NUMBER = OCTET; // 0–255, same digits as an octet

/** Dotted-quad IPv4 address. */
export const IPV4 = `${OCTET}(\\.${OCTET}){3}`;
/** IPv6 address in full or `::`-compressed form (no embedded IPv4). */
export const IPV6 = [
  `(${H}:){7}${H}`,
  `(${H}:){1,7}:`,
  `(${H}:){1,6}:${H}`,
  `(${H}:){1,5}(:${H}){1,2}`,
  `(${H}:){1,4}(:${H}){1,3}`,
  `(${H}:){1,3}(:${H}){1,4}`,
  `(${H}:){1,2}(:${H}){1,5}`,
  `${H}:(:${H}){1,6}`,
  `:((:${H}){1,7}|:)`,
]
  .map((alt) => `(${alt})`)
  .join('|');
const V4_PREFIX = '/(3[0-2]|[12]?[0-9])';
const V6_PREFIX = '/(12[0-8]|1[01][0-9]|[1-9]?[0-9])';

/** A single IPv4 or IPv6 address. */
export const IP_ADDRESS = describedPattern(`^((${IPV4})|(${IPV6}))$`, 'must be an IPv4 or IPv6 address');
/** An IPv4 or IPv6 network in CIDR notation; a bare address is a /32 or /128. */
export const CIDR = describedPattern(
  `^((${IPV4})(${V4_PREFIX})?|(${IPV6})(${V6_PREFIX})?)$`,
  'must be an IPv4 or IPv6 address or CIDR network (e.g. 10.0.0.0/8, fd00::/8)',
);
/** A CIDR network that must carry its prefix (indicators of type cidr). */
export const CIDR_WITH_PREFIX = describedPattern(
  `^((${IPV4})${V4_PREFIX}|(${IPV6})${V6_PREFIX})$`,
  'must be an IPv4 or IPv6 network with its prefix (e.g. 10.0.0.0/8)',
);

const LOCAL_ADDRESS = ['\\*', `(${IPV4})(${V4_PREFIX}|/(${IPV4}))?`, `(${IPV4})-(${IPV4})`, `(${IPV6})(${V6_PREFIX})?`, `(${IPV6})-(${IPV6})`];
// Source: https://learn.microsoft.com/windows/client-management/mdm/firewall-csp#mdmstorefirewallrulesfirewallrulenameremoteaddressranges
// (current page: "RemoteCorpNetwork", "PlayToRenderers"; the 2017–2022 page and MS-GPFAS's rule grammar: "RmtIntranet",
// "Ply2Renders" — both spellings accepted).
const REMOTE_KEYWORDS = [
  'Defaultgateway',
  'DHCP',
  'DNS',
  'WINS',
  'Intranet',
  'RmtIntranet',
  'RemoteCorpNetwork',
  'Internet',
  'Ply2Renders',
  'PlayToRenderers',
  'LocalSubnet',
];

/** One LocalAddressRanges entry: `*`, an address, a subnet (prefix or mask) or a `start-end` range. */
export const LOCAL_ADDRESS_RANGE = describedPattern(
  `^(${LOCAL_ADDRESS.map((a) => `(${a})`).join('|')})$`,
  'must be *, an IPv4/IPv6 address, a subnet (prefix or mask) or a start-end range',
);
/** One RemoteAddressRanges entry: as local, plus the Firewall CSP keywords. */
export const REMOTE_ADDRESS_RANGE = describedPattern(
  `^(${[...LOCAL_ADDRESS, ...REMOTE_KEYWORDS].map((a) => `(${a})`).join('|')})$`,
  `must be *, an IPv4/IPv6 address, a subnet (prefix or mask), a start-end range or one of ${REMOTE_KEYWORDS.join(', ')}`,
);

const DIGITS = '[0-9]';
const END = '(?=,|$)';
const SAME_LENGTH = `(?=(?:${[1, 2, 3, 4, 5].map((n) => `${DIGITS}{${n}}-${DIGITS}{${n}}`).join('|')})${END})`;
const SHORTER_FIRST = `(?:${[1, 2, 3, 4].map((n) => `${DIGITS}{${n}}-${DIGITS}{${n + 1},5}`).join('|')})`;

/**
 * One port or `start-end` range whose start is not after its end; uses capture groups `g` and `g + 1` (backreferences:
 * same-length numbers compare as text, so equal prefixes are matched by reference and the first differing digit is
 * compared). The look-ahead keeps both numbers within 0–65535 without leading zeros.
 */
function portRange(g: number): string {
  const equal = `(${DIGITS}+)-\\${g}`;
  const firstDigitLess = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((d) => `${d}${DIGITS}*-\\${g + 1}[${d + 1}-9]`).join('|');
  const less = `${SAME_LENGTH}(${DIGITS}*)(?:${firstDigitLess})${DIGITS}*`;
  return `(?=${PORT}(?:-${PORT})?${END})(?:${DIGITS}+|${SHORTER_FIRST}|${equal}|${less})${END}`;
}

/** Comma list of ports and `start-end` ranges, each 0–65535, start ≤ end (e.g. `100-120,200,300-320`). */
export const PORT_RANGES = describedPattern(
  `^${portRange(1)}(?:,${portRange(3)})*$`,
  'must be comma-separated ports 0–65535 or start-end ranges with start ≤ end, no leading zeros (e.g. 22,8000-8080)',
);

// Source: https://learn.microsoft.com/windows/client-management/mdm/firewall-csp#mdmstorefirewallrulesfirewallrulenameicmptypesandcodes
// ("To specify all ICMP types and codes, use the "*" character"; "examples such as "*:4" or "*:*" are invalid").
const ICMP_ENTRY = `${ICMP_NUMBER}(:(${ICMP_NUMBER}|\\*))?`;
/** `*` alone (all types and codes), or a comma list of ICMP `type:code` entries; `*:4`, `*:*` and `*` in a list are invalid. */
export const ICMP_TYPES_AND_CODES = describedPattern(
  `^(\\*|${ICMP_ENTRY}(,${ICMP_ENTRY})*)$`,
  'must be comma-separated ICMP type:code entries 0–255, * alone for all (e.g. 3:4,8:*; *:4 and *:* are invalid)',
);

/** Item-schema property of the packet-filter rules (pf, nftables): remote IPv4/IPv6 addresses or networks. */
export const REMOTE_CIDRS = {
  type: 'array',
  items: { type: 'string', pattern: CIDR, description: 'IPv4/IPv6 address or CIDR network' },
  minItems: 1,
  maxItems: 1000,
  uniqueItems: true,
};
