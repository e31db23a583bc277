// Linux host firewall (nftables): Attaché's own model, since MDE has no Linux firewall profile (mde-domain.md §5.4).
// Default chain policies, the two rules every sane host keeps (established, loopback), and named rules.
import { whenPresent } from './builders.js';
import { PORT_RANGES, REMOTE_CIDRS } from './item-patterns.js';
import type { SettingDefinition } from './setting-definition.js';

const SOURCE = 'nftables table inet attache';

function setting(name: string, rest: Omit<SettingDefinition, 'id' | 'kind' | 'platforms' | 'source' | 'description'>, description: string): SettingDefinition {
  return { id: `linuxFirewall.${name}`, kind: 'linuxFirewall', description, platforms: ['linux'], source: `${SOURCE}: ${name}`, ...rest };
}

const POLICY = [
  { value: 'accept', label: 'Accept' },
  { value: 'drop', label: 'Drop' },
];

const LINUX_RULE = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9 _.-]*$' },
    direction: { type: 'string', enum: ['in', 'out'] },
    action: { type: 'string', enum: ['accept', 'drop', 'reject'] },
    protocol: { type: 'string', enum: ['tcp', 'udp', 'icmp', 'any'] },
    localPorts: { type: 'string', maxLength: 4096, pattern: PORT_RANGES, description: 'ports 0–65535 and ranges, e.g. 22,8000-8080' },
    remotePorts: { type: 'string', maxLength: 4096, pattern: PORT_RANGES, description: 'ports 0–65535 and ranges' },
    remoteAddresses: REMOTE_CIDRS,
  },
  required: ['name', 'direction', 'action', 'protocol'],
  additionalProperties: false,
  allOf: [whenPresent(['localPorts', 'remotePorts'], { protocol: { enum: ['tcp', 'udp', 'any'], description: 'ports need tcp, udp or any' } })],
};

export const LINUX_FIREWALL_SETTINGS: readonly SettingDefinition[] = [
  setting('defaultInboundAction', { title: 'Default inbound action', type: 'string', values: POLICY, default: 'accept' }, 'Policy of the input chain.'),
  setting('defaultOutboundAction', { title: 'Default outbound action', type: 'string', values: POLICY, default: 'accept' }, 'Policy of the output chain.'),
  setting('allowEstablished', { title: 'Allow established and related traffic', type: 'boolean', default: true }, 'ct state {established, related} accept.'),
  setting('allowLoopback', { title: 'Allow loopback traffic', type: 'boolean', default: true }, 'iif lo / oif lo accept.'),
  setting(
    'rules',
    {
      title: 'Firewall rules',
      type: 'objectList',
      itemSchema: LINUX_RULE,
      itemKey: ['name'],
      itemExamples: [
        { name: 'ssh', direction: 'in', action: 'accept', protocol: 'tcp', localPorts: '22', remoteAddresses: ['10.0.0.0/8'] },
        { name: 'block telnet', direction: 'out', action: 'reject', protocol: 'tcp', remotePorts: '23' },
        { name: 'icmp', direction: 'in', action: 'accept', protocol: 'icmp' },
      ],
      maxItems: 1000,
      default: [],
    },
    'Named rules, evaluated after the loopback/established rules and before the chain policy; ports apply to tcp/udp.',
  ),
];
