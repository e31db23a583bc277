// How a reported setting's evidence reads wherever it is shown (admin CLI, web console): our code, Intune's code beside
// it where Microsoft documents one (the endpoint adds it: intune-codes.ts), and the device's message. No imports: the
// console bundles this file into the browser code.

/** The fields of a reported setting the evidence is made of (all optional: a succeeded setting has none). */
export interface SettingEvidenceFields {
  readonly code?: string | undefined;
  readonly intuneCode?: number | undefined;
  readonly intuneHex?: string | undefined;
  readonly message?: string | undefined;
}

/** `SETTING_NOT_ENFORCED (Intune 0x87D1FDE8 = -2016281112): message`; '' when the status carries neither code nor message. */
export function settingEvidence(s: SettingEvidenceFields): string {
  const intune = s.intuneHex === undefined ? '' : ` (Intune ${s.intuneHex} = ${s.intuneCode})`;
  const code = s.code === undefined ? undefined : `${s.code}${intune}`;
  return [code, s.message].filter(Boolean).join(': ');
}
