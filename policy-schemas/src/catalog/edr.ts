// Endpoint detection and response (Intune "Endpoint detection and response", mde-domain.md §2.6 and §3.1):
// Windows sample sharing, Linux/macOS device tags (key GROUP) and group ids.
import { csp, mdatp, switch01 } from './builders.js';
import type { SettingDefinition } from './setting-definition.js';

export const EDR_SETTINGS: readonly SettingDefinition[] = [
  csp('edr', 'edr', './Device/Vendor/MSFT/WindowsAdvancedThreatProtection/Configuration/', 'SampleSharing', {
    title: 'Sample sharing',
    description: 'WindowsAdvancedThreatProtection CSP Configuration/SampleSharing.',
    type: 'integer',
    values: switch01('None', 'All'),
    default: 1,
  }),
  mdatp('edr', 'edr.tags', {
    title: 'Device tags (GROUP)',
    description: 'mdatp managed configuration key edr.tags: the values of {key: "GROUP", value} entries (GROUP is the only supported key).',
    type: 'stringList',
    maxItems: 100,
    default: [],
  }),
  mdatp('edr', 'edr.groupIds', { title: 'EDR group ids', type: 'string', default: '' }),
];
