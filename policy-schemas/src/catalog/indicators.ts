// Custom indicators of compromise: files (hash, path, name), IP addresses, networks and domains to alert on or block.
// Attaché's own device-side list (MDE keeps indicators in the cloud); the value format depends on the type.
import { CIDR_WITH_PREFIX, IP_ADDRESS } from './item-patterns.js';
import type { SettingDefinition } from './setting-definition.js';
import { describedPattern, TEXT_FORBIDDEN, textSchema } from './text.js';

const VALUE_PATTERNS: readonly (readonly [type: string, pattern: string])[] = [
  ['fileSha256', '^[0-9a-fA-F]{64}$'],
  ['fileSha1', '^[0-9a-fA-F]{40}$'],
  ['processPath', describedPattern(`^(/|[A-Za-z]:\\\\)[^${TEXT_FORBIDDEN}]*$`, 'must be an absolute path (/… or C:\\…) without control characters')],
  ['processName', describedPattern(`^[^/\\\\${TEXT_FORBIDDEN}]+$`, 'must be a file name: no "/", "\\" or control characters')],
  ['ipAddress', IP_ADDRESS],
  ['cidr', CIDR_WITH_PREFIX],
  ['domain', '^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}$'],
];

function branch([type, pattern]: readonly [string, string]) {
  return {
    type: 'object',
    properties: {
      type: { type: 'string', const: type },
      value: { type: 'string', minLength: 1, maxLength: type === 'domain' ? 253 : 1024, pattern, description: `a ${type}` },
      action: { type: 'string', enum: ['alert', 'block'] },
      severity: { type: 'string', enum: ['informational', 'low', 'medium', 'high'] },
      title: textSchema(200),
    },
    required: ['type', 'value', 'action'],
    additionalProperties: false,
  };
}

export const INDICATOR_SETTINGS: readonly SettingDefinition[] = [
  {
    id: 'indicators.items',
    kind: 'indicators',
    title: 'Custom indicators',
    description: 'Indicators identified by type and value; the value must match the format of its type.',
    platforms: ['windows', 'macos', 'linux'],
    type: 'objectList',
    itemSchema: { oneOf: VALUE_PATTERNS.map(branch) },
    itemKey: ['type', 'value'],
    itemExamples: [
      { type: 'fileSha256', value: '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f', action: 'block', severity: 'high', title: 'EICAR' },
      { type: 'fileSha1', value: '3395856ce81f2b7382dee72602f798b642f14140', action: 'alert' },
      { type: 'processPath', value: 'C:\\Tools\\nc.exe', action: 'block', severity: 'medium' },
      { type: 'processName', value: 'xmrig', action: 'block', severity: 'high', title: 'Coin miner' },
      { type: 'ipAddress', value: '203.0.113.7', action: 'block' },
      { type: 'cidr', value: '2001:db8::/32', action: 'alert', severity: 'low' },
      { type: 'domain', value: 'malware.example.com', action: 'block', severity: 'informational' },
    ],
    maxItems: 5000,
    default: [],
    source: 'attache indicators list',
  },
];
