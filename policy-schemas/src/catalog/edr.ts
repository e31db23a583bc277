// Endpoint detection and response (Intune "Endpoint detection and response", mde-domain.md §2.6 and §3.1):
// Windows sample sharing and device tag, Linux/macOS device tags (key GROUP) and group ids.
import { csp, mdatp, switch01 } from './builders.js';
import type { SettingDefinition } from './setting-definition.js';
import { describedPattern, TEXT_FORBIDDEN } from './text.js';

export const EDR_SETTINGS: readonly SettingDefinition[] = [
  csp('edr', 'edr', './Device/Vendor/MSFT/WindowsAdvancedThreatProtection/Configuration/', 'SampleSharing', {
    title: 'Sample sharing',
    description: 'WindowsAdvancedThreatProtection CSP Configuration/SampleSharing.',
    type: 'integer',
    values: switch01('None', 'All'),
    default: 1,
  }),
  // The Windows device tag is a registry value, not a CSP node: "HKLM\SOFTWARE\Policies\Microsoft\Windows Advanced
  // Threat Protection\DeviceTagging", value Group (REG_SZ); "the device tag can be up to 200 characters".
  // Source: https://learn.microsoft.com/defender-endpoint/machine-tags#add-device-tags-by-setting-a-registry-key-value
  {
    id: 'edr.DeviceTagGroup',
    kind: 'edr',
    title: 'Device tag (Windows)',
    description:
      'Defender for Endpoint device tag: registry value DeviceTagging\\Group under the Windows Advanced Threat Protection policy key (REG_SZ, at most 200 characters).',
    platforms: ['windows'],
    type: 'string',
    pattern: describedPattern(`^[^${TEXT_FORBIDDEN}]{0,200}$`, 'must be at most 200 characters without control characters or line breaks'),
    default: '',
    source: 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Advanced Threat Protection\\DeviceTagging\\Group',
  },
  mdatp('edr', 'edr.tags', {
    title: 'Device tags (GROUP)',
    description: 'mdatp managed configuration key edr.tags: the values of {key: "GROUP", value} entries (GROUP is the only supported key).',
    type: 'stringList',
    maxItems: 100,
    default: [],
  }),
  mdatp('edr', 'edr.groupIds', { title: 'EDR group ids', type: 'string', default: '' }),
];
