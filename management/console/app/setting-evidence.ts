// The evidence cell of a reported setting on the device page: our code, Intune's code beside it where Microsoft
// documents one (the endpoint computes it: policy-schemas/src/intune-codes.ts), and the device's message.
import type { DeviceStatus } from './types.js';

/** `SETTING_NOT_ENFORCED (Intune 0x87D1FDE8 = -2016281112): message`, or `—` when the status carries neither. */
export function settingEvidence(s: Pick<DeviceStatus['settings'][number], 'code' | 'intuneCode' | 'intuneHex' | 'message'>): string {
  const intune = s.intuneHex === undefined ? '' : ` (Intune ${s.intuneHex} = ${s.intuneCode})`;
  const code = s.code === undefined ? undefined : `${s.code}${intune}`;
  return [code, s.message].filter(Boolean).join(': ') || '—';
}
