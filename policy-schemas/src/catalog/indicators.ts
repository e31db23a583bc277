// Custom indicators of compromise as in Defender for Endpoint (ti-indicator): files (SHA-256, SHA-1, MD5, path, name),
// signer certificates, IP addresses, networks and domains, each with Defender's action, expiry and alert flag.
// Attaché's own device-side list (MDE keeps indicators in the cloud); the value format depends on the type.
import { CIDR_WITH_PREFIX, IP_ADDRESS } from './item-patterns.js';
import type { SettingDefinition } from './setting-definition.js';
import { describedPattern, TEXT_FORBIDDEN, textSchema } from './text.js';

/**
 * Defender's actions per indicator type (indicators-overview: files all five; IP/URL/domain Allow, Audit, Warn,
 * Block; certificates Allow and Block and remediate). Process path and name indicators are Attaché's own and act
 * on the executable like file indicators. `alert` is the deprecated spelling of `audit` (Defender renamed "Alert
 * only" to Audit in 2022): kept valid so stored policies still verify.
 */
const FILE_ACTIONS = ['allowed', 'audit', 'warn', 'block', 'blockAndRemediate', 'alert'];
const NETWORK_ACTIONS = ['allowed', 'audit', 'warn', 'block', 'alert'];
const CERTIFICATE_ACTIONS = ['allowed', 'blockAndRemediate'];

const UTC_TIME = describedPattern(
  '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?Z$',
  'must be an RFC 3339 UTC time such as 2027-01-31T00:00:00Z',
);

const TYPES: readonly (readonly [type: string, pattern: string, actions: readonly string[]])[] = [
  ['fileSha256', '^[0-9a-fA-F]{64}$', FILE_ACTIONS],
  ['fileSha1', '^[0-9a-fA-F]{40}$', FILE_ACTIONS],
  ['fileMd5', '^[0-9a-fA-F]{32}$', FILE_ACTIONS],
  ['certificateThumbprint', '^[0-9a-fA-F]{40}$', CERTIFICATE_ACTIONS],
  [
    'processPath',
    describedPattern(`^(/|[A-Za-z]:\\\\)[^${TEXT_FORBIDDEN}]*$`, 'must be an absolute path (/… or C:\\…) without control characters'),
    FILE_ACTIONS,
  ],
  ['processName', describedPattern(`^[^/\\\\${TEXT_FORBIDDEN}]+$`, 'must be a file name: no "/", "\\" or control characters'), FILE_ACTIONS],
  ['ipAddress', IP_ADDRESS, NETWORK_ACTIONS],
  ['cidr', CIDR_WITH_PREFIX, NETWORK_ACTIONS],
  ['domain', '^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}$', NETWORK_ACTIONS],
];

/** Defender: generateAlert "must be set to TRUE when creating an action with Audit"; an allow never alerts. */
/** One rule: with this action, generateAlert may only be `value` (absent is fine: it then defaults to that). */
function alertRule(actions: readonly string[], value: boolean, why: string): Record<string, unknown> {
  return {
    if: { properties: { action: { enum: [...actions] } }, required: ['action'] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword
    then: { properties: { generateAlert: { const: value, description: why } } },
  };
}

const ALERT_RULES = [
  alertRule(['audit', 'alert'], true, 'an audit indicator only alerts, so generateAlert must be true (Defender ti-indicator)'),
  alertRule(['allowed'], false, 'an allowed indicator never alerts'),
];

function branch([type, pattern, actions]: readonly [string, string, readonly string[]]) {
  return {
    type: 'object',
    properties: {
      type: { type: 'string', const: type },
      value: { type: 'string', minLength: 1, maxLength: type === 'domain' ? 253 : 1024, pattern, description: `a ${type}` },
      action: {
        type: 'string',
        enum: [...actions],
        ...(actions.includes('alert') ? { description: 'alert is the deprecated name of audit' } : {}),
      },
      severity: { type: 'string', enum: ['informational', 'low', 'medium', 'high'] },
      title: textSchema(200),
      expirationTime: { type: 'string', pattern: UTC_TIME, description: 'not enforced from this time on (UTC)' },
      generateAlert: { type: 'boolean', description: 'raise an alert on a match; default true, never for allowed, always for audit' },
    },
    required: ['type', 'value', 'action'],
    additionalProperties: false,
    allOf: ALERT_RULES,
  };
}

export const INDICATOR_SETTINGS: readonly SettingDefinition[] = [
  {
    id: 'indicators.items',
    kind: 'indicators',
    title: 'Custom indicators',
    description:
      'Indicators identified by type and value; the value must match the format of its type. Actions as Defender: allowed (never alerted on or ' +
      'blocked), audit (alert only; alert is its deprecated name), warn (audit: the agent shows no prompt on any OS), block (stop the process), ' +
      'blockAndRemediate (stop it and quarantine its executable). Items past expirationTime are not enforced. At most 15,000 active items per ' +
      'tenant across all indicator policies.',
    platforms: ['windows', 'macos', 'linux'],
    type: 'objectList',
    itemSchema: { oneOf: TYPES.map(branch) },
    itemKey: ['type', 'value'],
    itemExamples: [
      {
        type: 'fileSha256',
        value: '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
        action: 'blockAndRemediate',
        severity: 'high',
        title: 'EICAR',
      },
      { type: 'fileSha1', value: '3395856ce81f2b7382dee72602f798b642f14140', action: 'audit', generateAlert: true },
      { type: 'fileMd5', value: '44d88612fea8a8f36de82e1278abb02f', action: 'block', expirationTime: '2027-06-30T00:00:00Z' },
      { type: 'certificateThumbprint', value: '3B1EFD3A66EA28B16697394703A72CA340A05BD5', action: 'allowed' },
      { type: 'processPath', value: 'C:\\Tools\\nc.exe', action: 'block', severity: 'medium' },
      { type: 'processName', value: 'xmrig', action: 'block', severity: 'high', title: 'Coin miner' },
      { type: 'ipAddress', value: '203.0.113.7', action: 'block' },
      { type: 'cidr', value: '2001:db8::/32', action: 'warn', severity: 'low' },
      { type: 'domain', value: 'malware.example.com', action: 'block', severity: 'informational' },
    ],
    maxItems: 5000,
    default: [],
    source: 'attache indicators list (Defender ti-indicator)',
  },
];
