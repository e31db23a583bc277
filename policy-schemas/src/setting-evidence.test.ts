// Unit tests of a reported setting's evidence (CLI and console): Intune's code shown beside ours only when the endpoint gave one.
import { describe, expect, it } from 'vitest';
import type { DeviceStatus } from './admin-api.js';
import { settingEvidence } from './setting-evidence.js';

type Reported = DeviceStatus['settings'][number];
const base: Pick<Reported, 'settingId' | 'kind' | 'policyIds' | 'reportedAt'> = {
  settingId: 'defender.AllowRealtimeMonitoring',
  kind: 'antivirus',
  policyIds: [],
  reportedAt: '2025-01-10T12:00:00.000Z',
};

describe('settingEvidence', () => {
  it("shows Intune's code in hex and decimal beside ours", () => {
    const s: Reported = { ...base, state: 'error', code: 'SETTING_NOT_ENFORCED', intuneCode: -2016281112, intuneHex: '0x87D1FDE8', message: 'read back 0' };
    expect(settingEvidence(s)).toBe('SETTING_NOT_ENFORCED (Intune 0x87D1FDE8 = -2016281112): read back 0');
  });

  it('shows our code alone where Intune documents none, and nothing when there is nothing', () => {
    const conflict: Reported = { ...base, state: 'conflict', code: 'SETTING_CONFLICT', message: 'two policies' };
    expect(settingEvidence(conflict)).toBe('SETTING_CONFLICT: two policies');
    const succeeded: Reported = { ...base, state: 'succeeded' };
    expect(settingEvidence(succeeded)).toBe('');
    // A drill-down row of the policy status page carries the same fields.
    expect(settingEvidence({ code: 'SETTING_OVERRIDDEN', intuneCode: -2016281106, intuneHex: '0x87D1FDEE' })).toBe(
      'SETTING_OVERRIDDEN (Intune 0x87D1FDEE = -2016281106)',
    );
  });
});
