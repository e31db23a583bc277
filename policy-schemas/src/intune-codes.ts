// Intune's numeric per-setting codes next to ours, so an Intune runbook can be followed: the one table that says which
// code Intune's per-setting report shows for each outcome we report, and only codes Microsoft documents (none otherwise).
import { Type } from '@sinclair/typebox';
/** A documented Intune (ConfigMgr CI) status code: signed decimal as the Intune reports show it, and Microsoft's text. */
export interface IntuneCode {
  readonly code: number;
  readonly message: string;
  /** Where the mapping is our reading of Microsoft's text rather than its words: the reasoning (docs/errors.md shows it). */
  readonly note?: string;
}

// Source (every code below): "Company resource access (common errors)",
// https://learn.microsoft.com/troubleshoot/mem/intune/general/troubleshoot-company-resource-access-problems
// and, for -2016281112, https://learn.microsoft.com/defender-endpoint/troubleshoot-onboarding
// ("Microsoft Intune error codes and OMA-URIs": 0x87D1FDE8, -2016281112, "Remediation failed").
const REMEDIATION_FAILED: IntuneCode = { code: -2016281112, message: 'Remediation failed' };
const NOT_APPLICABLE: IntuneCode = { code: -2016281111, message: 'Not applicable for this device' };
const LOST_CONFLICT: IntuneCode = { code: -2016281106, message: 'Not applicable because it lost in conflict resolution' };

/** The per-setting codes the agent reports (SettingStatus.code); each is in docs/errors.md. */
export type SettingCode = 'SETTING_APPLY_FAILED' | 'SETTING_NOT_ENFORCED' | 'SETTING_NOT_APPLICABLE' | 'SETTING_CONFLICT' | 'SETTING_OVERRIDDEN';

/**
 * Our per-setting code → Intune's, or null with why there is none. Complete by type: a new SettingCode does not compile
 * until it is placed here.
 */
export const INTUNE_SETTING_CODES: Readonly<Record<SettingCode, IntuneCode | { readonly code: null; readonly why: string }>> = {
  // Intune remediates by writing the value then reading it back; either step failing is "Remediation failed".
  SETTING_APPLY_FAILED: REMEDIATION_FAILED,
  SETTING_NOT_ENFORCED: REMEDIATION_FAILED,
  SETTING_NOT_APPLICABLE: NOT_APPLICABLE,
  // Another manager (Group Policy) wins: our value lost the conflict on the device.
  SETTING_OVERRIDDEN: {
    ...LOST_CONFLICT,
    note: "our reading: Intune uses it for a setting that lost conflict resolution to another assignment; a GPO override is our value losing to a higher-precedence manager on the device (Intune itself cannot see a GPO and would show Remediation failed). Two of our policies disagreeing get no code: neither wins, as in Intune's Conflict state",
  },
  // Two assigned policies disagree: Intune shows the state "Conflict" and applies neither; no numeric code is documented.
  SETTING_CONFLICT: { code: null, why: 'Intune reports the state Conflict for it; Microsoft documents no numeric code' },
};

/** `0x87D1FDE8` for -2016281112: the unsigned 32-bit hex form Intune's reports and runbooks also use. */
export function intuneHex(code: number): string {
  return `0x${(code >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

/**
 * Intune's code for one of our per-setting codes, or undefined (no code, another code, or one Intune documents none
 * for). succeeded and pending statuses carry no code, and Intune shows none for them either.
 */
export function intuneCodeOf(code: string | undefined): { readonly intuneCode: number; readonly intuneHex: string } | undefined {
  if (code === undefined || !Object.hasOwn(INTUNE_SETTING_CODES, code)) return undefined;
  const entry = INTUNE_SETTING_CODES[code as SettingCode];
  if (entry.code === null) return undefined;
  return { intuneCode: entry.code, intuneHex: intuneHex(entry.code) };
}

/** The fields an API answer carries beside a per-setting `code`: Intune's code where Microsoft documents one. */
export const IntuneCodeFields = {
  intuneCode: Type.Optional(Type.Integer({ description: "Intune's per-setting code (signed decimal, as Intune's reports show it)" })),
  intuneHex: Type.Optional(Type.String({ pattern: '^0x[0-9A-F]{8}$', description: 'The same code as unsigned 32-bit hex, e.g. 0x87D1FDE8' })),
};
