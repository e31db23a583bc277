// Unit tests of the admin CLI's device status view: each reported setting's detail shows our code with Intune's beside it.
import { describe, expect, it } from 'vitest';
import { deviceStatusView } from './views.js';

describe('deviceStatusView', () => {
  it("prints Intune's hex code beside ours where the endpoint gave one, and our code alone elsewhere", () => {
    const setting = { kind: 'antivirus' as const, policyIds: [], reportedAt: '2025-01-10T12:00:00.000Z' };
    const text = deviceStatusView({
      deviceId: '11111111-1111-4111-8111-111111111111',
      lastReportAt: '2025-01-10T12:00:00.000Z',
      lastSyncError: null,
      policies: [],
      settings: [
        {
          ...setting,
          settingId: 'defender.AllowRealtimeMonitoring',
          state: 'error',
          code: 'SETTING_NOT_ENFORCED',
          intuneCode: -2016281112,
          intuneHex: '0x87D1FDE8',
          message: 'read back 0',
        },
        { ...setting, settingId: 'defender.PUAProtection', state: 'conflict', code: 'SETTING_CONFLICT', message: 'two policies' },
        { ...setting, settingId: 'defender.AllowBehaviorMonitoring', state: 'succeeded' },
      ],
    });
    expect(text).toContain('SETTING_NOT_ENFORCED (Intune 0x87D1FDE8 = -2016281112): read back 0');
    expect(text).toContain('SETTING_CONFLICT: two policies');
    expect(text).not.toContain('SETTING_CONFLICT (Intune');
  });
});
