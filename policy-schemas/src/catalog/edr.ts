// Endpoint detection and response (Intune "Endpoint detection and response", mde-domain.md §2.6 and §3.1):
// Windows sample sharing and device tag, Linux/macOS device tag (key GROUP), group ids, macOS early preview, Linux
// global exclusions.
import { csp, mdatp, switch01 } from './builders.js';
import { MDATP_GLOBAL_EXCLUSION_SETTINGS } from './mdatp-global-exclusions.js';
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
  // One GROUP tag: "Only one value per tag type can be set" and GROUP is the only supported key; Intune's Linux and
  // macOS EDR profiles offer a single tag (tags_item_key 0 = GROUP, tags_item_value). singleItem, not maxItems 1: the
  // value schema keeps the shape policies were signed with (up to 100), so a stored or cached one still verifies.
  // Source: https://learn.microsoft.com/defender-endpoint/mac-preferences#device-tags
  // Source: https://learn.microsoft.com/defender-endpoint/linux-preferences#add-tag-or-group-id-to-the-configuration-profile
  // Source: https://microsoft.github.io/Microsoft365DSC/resources/intune/IntuneEndpointDetectionAndResponsePolicyLinux
  mdatp('edr', 'edr.tags', {
    title: 'Device tag (GROUP)',
    description:
      'mdatp managed configuration key edr.tags: the value of the one {key: "GROUP", value} entry (GROUP is the only supported key, one value per key); entries other services add under other keys are kept.',
    type: 'stringList',
    maxItems: 100,
    singleItem: true,
    default: [],
  }),
  mdatp('edr', 'edr.groupIds', { title: 'EDR group ids', type: 'string', default: '' }),
  // macOS settings catalog com.apple.managedclient.preferences_earlypreview (category EDR, _true/_false; seen in the
  // OpenIntuneBaseline macOS export). The same switch as `mdatp edr early-preview enabled|disabled`, which mdatp health
  // shows as edr_early_preview_enabled (off unless turned on). No preferences page documents a managed key for
  // Linux, so it is macOS-only here.
  // Source: https://learn.microsoft.com/defender-endpoint/linux-resources#configure-from-the-command-line
  // Source: https://learn.microsoft.com/defender-endpoint/health-status
  mdatp('edr', 'edr.earlyPreview', { title: 'EDR early preview features', type: 'boolean', default: false }, ['macos']),
  ...MDATP_GLOBAL_EXCLUSION_SETTINGS,
];
