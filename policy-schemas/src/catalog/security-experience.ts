// Windows Security experience (Intune "Windows Security Experience"): tamper protection (Defender CSP), the
// WindowsDefenderSecurityCenter UI policies and contact strings (mde-domain.md §2.2), and macOS tamper protection (§3.3).
import { csp, defenderConfig, labels, mdatp, switch01 } from './builders.js';
import type { SettingDefinition } from './setting-definition.js';
import { ABSOLUTE_PATH, describedPattern, TEXT_FORBIDDEN, textSchema } from './text.js';

const SECURITY_CENTER = './Device/Vendor/MSFT/Policy/Config/WindowsDefenderSecurityCenter/';

function ui(name: string, title: string): SettingDefinition {
  return csp('securityExperience', 'securityCenter', SECURITY_CENTER, name, {
    title,
    description: `Policy CSP WindowsDefenderSecurityCenter/${name}.`,
    type: 'integer',
    values: switch01('No (default)', 'Yes'),
    default: 0,
  });
}

function contact(name: string, title: string, maxLength: number): SettingDefinition {
  return csp('securityExperience', 'securityCenter', SECURITY_CENTER, name, {
    title,
    description: `Policy CSP WindowsDefenderSecurityCenter/${name}: shown on customized notifications and the Windows Security app.`,
    type: 'string',
    pattern: describedPattern(`^[^${TEXT_FORBIDDEN}]{0,${maxLength}}$`, `must be at most ${maxLength} characters without control characters or line breaks`),
    default: '',
  });
}

const TP_EXCLUSION = {
  type: 'object',
  properties: {
    path: { type: 'string', minLength: 2, maxLength: 1024, pattern: ABSOLUTE_PATH },
    teamId: textSchema(64),
    signingId: textSchema(256),
    args: { type: 'array', items: textSchema(1024, 0), maxItems: 100 },
  },
  required: ['path'],
  additionalProperties: false,
};

export const SECURITY_EXPERIENCE_SETTINGS: readonly SettingDefinition[] = [
  // Intune's Windows Security Experience profile offers On/Off (Graph windowsDefenderTamperProtectionOptions). On the
  // device the CSP value is a signed blob ("Format chr … The data type is a Signed blob", DDF default 0) that only
  // Microsoft's services produce, so the Windows provider reports it and never writes it.
  // Source: https://learn.microsoft.com/windows/client-management/mdm/defender-csp#configurationtamperprotection
  // Source: https://learn.microsoft.com/graph/api/resources/intune-deviceconfig-windowsdefendertamperprotectionoptions
  defenderConfig('securityExperience', 'TamperProtection', {
    title: 'Tamper protection',
    description:
      'Defender CSP Configuration/TamperProtection: Intune turns On/Off into a signed blob only Microsoft can produce; the agent reports the state (Get-MpComputerStatus IsTamperProtected) and cannot set it.',
    type: 'integer',
    values: switch01('Off', 'On'),
    default: 0,
  }),
  ui('DisableAccountProtectionUI', 'Hide the Account protection area'),
  ui('DisableAppBrowserUI', 'Hide the App and browser control area'),
  ui('DisableClearTpmButton', 'Disable the Clear TPM button'),
  ui('DisableDeviceSecurityUI', 'Hide the Device security area'),
  ui('DisableFamilyUI', 'Hide the Family options area'),
  ui('DisableHealthUI', 'Hide the Device performance and health area'),
  ui('DisableNetworkUI', 'Hide the Firewall and network protection area'),
  ui('DisableEnhancedNotifications', 'Suppress non-critical notifications'),
  ui('DisableTpmFirmwareUpdateWarning', 'Hide the TPM firmware update recommendation'),
  ui('DisableVirusUI', 'Hide the Virus and threat protection area'),
  ui('HideRansomwareDataRecovery', 'Hide ransomware data recovery'),
  ui('HideWindowsSecurityNotificationAreaControl', 'Hide the notification area icon'),
  // Nodes Intune's Windows Security Experience profile offers that the first catalog lacked (issue 16, D5).
  // Source: https://learn.microsoft.com/windows/client-management/mdm/policy-csp-windowsdefendersecuritycenter
  ui('DisableNotifications', 'Suppress all Windows Security notifications'),
  ui('DisallowExploitProtectionOverride', 'Prevent users from changing exploit protection settings'),
  ui('HideSecureBoot', 'Hide the Secure boot area'),
  ui('HideTPMTroubleshooting', 'Hide TPM troubleshooting'),
  ui('EnableCustomizedToasts', 'Show the contact information on notifications'),
  ui('EnableInAppCustomization', 'Show the contact information in the app'),
  contact('CompanyName', 'IT contact: company name', 200),
  contact('Email', 'IT contact: e-mail', 254),
  contact('Phone', 'IT contact: phone', 64),
  contact('URL', 'IT contact: help portal URL', 2048),
  mdatp(
    'securityExperience',
    'tamperProtection.enforcementLevel',
    { title: 'Tamper protection', type: 'string', values: labels('disabled', 'audit', 'block'), default: 'disabled' },
    ['macos'],
  ),
  mdatp(
    'securityExperience',
    'tamperProtection.exclusions',
    {
      title: 'Tamper protection exclusions',
      description: 'mdatp managed configuration key tamperProtection.exclusions: processes allowed to touch Defender (Microsoft teamId UBF8T346G9).',
      type: 'objectList',
      itemSchema: TP_EXCLUSION,
      itemKey: ['path', 'teamId', 'signingId', 'args'],
      itemExamples: [
        { path: '/usr/bin/install', teamId: 'UBF8T346G9', signingId: 'com.microsoft.wdav', args: ['--force'] },
        { path: '/usr/local/bin/mdm-agent' },
      ],
      maxItems: 100,
      default: [],
    },
    ['macos'],
  ),
];
