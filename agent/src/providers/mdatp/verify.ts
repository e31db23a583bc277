// What `mdatp health` must show once mdatp has taken a managed value, for the settings health reports. Used after
// apply: a disagreement is SETTING_NOT_ENFORCED with both values. Pure.
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import type { MdatpHealth } from './health.js';

/** One health field that reflects a setting: the value health should show for a setting value, and what it shows. */
interface HealthCheck {
  /** Health field name as documented (snake_case), for messages. */
  readonly field: string;
  expected(value: SettingValue): unknown;
  actual(health: MdatpHealth): unknown;
}

function direct(field: string, pick: (h: MdatpHealth) => unknown): HealthCheck {
  return { field, expected: (v) => v, actual: pick };
}

// enforcementLevel shows in two fields: real_time ⇔ real-time protection on; passive ⇔ passive mode. on_demand turns
// real-time protection off; what passive_mode_enabled shows then is not documented, so it is not checked.
const CHECKS: Readonly<Record<string, readonly HealthCheck[]>> = {
  'mdatp.antivirusEngine.enforcementLevel': [
    { field: 'real_time_protection_enabled', expected: (v) => v === 'real_time', actual: (h) => h.realTimeProtectionEnabled },
    { field: 'passive_mode_enabled', expected: (v) => (v === 'on_demand' ? undefined : v === 'passive'), actual: (h) => h.passiveModeEnabled },
  ],
  'mdatp.antivirusEngine.behaviorMonitoring': [direct('behavior_monitoring', (h) => h.behaviorMonitoring)],
  'mdatp.cloudService.enabled': [direct('cloud_enabled', (h) => h.cloudEnabled)],
  'mdatp.cloudService.automaticSampleSubmissionConsent': [direct('cloud_automatic_sample_submission_consent', (h) => h.cloudAutomaticSampleSubmissionConsent)],
  'mdatp.cloudService.automaticDefinitionUpdateEnabled': [direct('automatic_definition_update_enabled', (h) => h.automaticDefinitionUpdateEnabled)],
  'mdatp.networkProtection.enforcementLevel': [direct('network_protection_enforcement_level', (h) => h.networkProtectionEnforcementLevel)],
  'mdatp.edr.groupIds': [direct('edr_group_ids', (h) => h.edrGroupIds)],
  'mdatp.edr.earlyPreview': [direct('edr_early_preview_enabled', (h) => h.edrEarlyPreviewEnabled)],
  // With system extensions the subsystem is endpoint_security_extension, without kernel_extension (mac-sysext-preview);
  // any other reading (unavailable while real-time protection is off) cannot contradict the setting.
  'mdatp.features.systemExtensions': [
    {
      field: 'real_time_protection_subsystem',
      expected: (v) => (v === 'enabled' ? 'endpoint_security_extension' : 'kernel_extension'),
      actual: (h) =>
        h.realTimeProtectionSubsystem === 'endpoint_security_extension' || h.realTimeProtectionSubsystem === 'kernel_extension'
          ? h.realTimeProtectionSubsystem
          : undefined,
    },
  ],
  'mdatp.edr.tags': [
    {
      field: 'edr_device_tags',
      expected: (v) => [...(v as string[])].sort(),
      actual: (h) =>
        h.edrDeviceTags
          ?.filter((t) => t.key === 'GROUP')
          .map((t) => t.value)
          .sort(),
    },
  ],
  'mdatp.tamperProtection.enforcementLevel': [direct('tamper_protection', (h) => h.tamperProtection)],
};

/** True when health can confirm this setting. */
export function isVerifiable(settingId: string): boolean {
  return CHECKS[settingId] !== undefined;
}

/**
 * Why health contradicts the setting value, or undefined when it agrees. A field health does not report (older
 * mdatp versions lack some) cannot contradict anything.
 */
export function healthDisagreement(settingId: string, value: SettingValue, health: MdatpHealth): string | undefined {
  for (const check of CHECKS[settingId] ?? []) {
    const expected = check.expected(value);
    const actual = check.actual(health);
    if (expected === undefined || actual === undefined) continue;
    if (JSON.stringify(expected) !== JSON.stringify(actual)) {
      return `mdatp health reports ${check.field}=${JSON.stringify(actual)}, expected ${JSON.stringify(expected)} for ${JSON.stringify(value)}`;
    }
  }
  return undefined;
}
