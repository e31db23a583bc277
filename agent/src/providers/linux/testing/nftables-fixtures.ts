// Test support: the Linux firewall configurations behind the golden files in testdata/ (rendered nft text, and the
// JSON the real nft printed after loading it). nftables.contract.test.ts re-records and compares them with real nft.
import { DEFAULT_CONFIG, type FirewallConfig } from '../nftables-model.js';

/** Every field in use: both chain policies, mixed-family addresses, each protocol, ports both ways, reject. */
export const FULL_CONFIG: FirewallConfig = {
  defaultInboundAction: 'drop',
  defaultOutboundAction: 'accept',
  allowEstablished: true,
  allowLoopback: true,
  rules: [
    {
      name: 'ssh',
      direction: 'in',
      action: 'accept',
      protocol: 'tcp',
      localPorts: '8080,22,8000-8010',
      remoteAddresses: ['10.0.0.0/8', '2001:DB8::/32', '192.168.1.7/32'],
    },
    { name: 'block telnet', direction: 'out', action: 'reject', protocol: 'tcp', remotePorts: '23' },
    { name: 'icmp', direction: 'in', action: 'accept', protocol: 'icmp' },
    { name: 'dns.v6', direction: 'out', action: 'accept', protocol: 'any', remotePorts: '53', remoteAddresses: ['fd00::/8'] },
    { name: 'udp_any', direction: 'in', action: 'drop', protocol: 'udp' },
    { name: 'syslog out', direction: 'out', action: 'drop', protocol: 'udp', localPorts: '1024-65535', remotePorts: '514', remoteAddresses: ['192.0.2.1'] },
    { name: 'refuse-any', direction: 'in', action: 'reject', protocol: 'any', remoteAddresses: ['198.51.100.0/24'] },
  ],
};

/** The built-in rules switched off, outbound drop, no named rules. */
export const MINIMAL_CONFIG: FirewallConfig = { ...DEFAULT_CONFIG, defaultOutboundAction: 'drop', allowEstablished: false, allowLoopback: false };

/** Golden files: `<name>.nft` is the renderer's output (or hand-written for `tampered`), `<name>.json` real nft's listing. */
export const GOLDEN = {
  full: { config: FULL_CONFIG },
  minimal: { config: MINIMAL_CONFIG },
  /** Hand-written: what someone else's edits of our table can look like (nothing the renderer writes). */
  tampered: { config: undefined },
} as const;

/** Rule names and values a hostile or broken policy might carry; none may ever become nft syntax. */
export const HOSTILE = [
  'a"b',
  'a`b`',
  'a;b',
  'a & b',
  'a|b',
  '$(reboot)',
  '%PATH%',
  'a\nflush ruleset',
  'a\0b',
  '../x',
  '..',
  '"; flush ruleset; "',
  "a'b",
  'a\\b',
  'a}b',
];
