// Unit tests of the Intune code table: the documented decimal and hex forms agree, and only our codes have an entry.
import { describe, expect, it } from 'vitest';
import { INTUNE_SETTING_CODES, intuneCodeOf, intuneHex } from './intune-codes.js';

describe('Intune per-setting codes', () => {
  it('renders the documented hex form of each documented decimal code', () => {
    // Pairs as Microsoft's tables print them (Company resource access, common errors).
    expect(intuneHex(-2016281112)).toBe('0x87D1FDE8');
    expect(intuneHex(-2016281111)).toBe('0x87D1FDE9');
    expect(intuneHex(-2016281106)).toBe('0x87D1FDEE');
    expect(intuneHex(65000)).toBe('0x0000FDE8');
  });

  it('maps our codes to Intune codes, and answers none for codes without a documented one', () => {
    expect(intuneCodeOf('SETTING_NOT_ENFORCED')).toEqual({ intuneCode: -2016281112, intuneHex: '0x87D1FDE8' });
    expect(intuneCodeOf('SETTING_APPLY_FAILED')).toEqual({ intuneCode: -2016281112, intuneHex: '0x87D1FDE8' });
    expect(intuneCodeOf('SETTING_NOT_APPLICABLE')).toEqual({ intuneCode: -2016281111, intuneHex: '0x87D1FDE9' });
    expect(intuneCodeOf('SETTING_OVERRIDDEN')).toEqual({ intuneCode: -2016281106, intuneHex: '0x87D1FDEE' });
    expect(intuneCodeOf('SETTING_CONFLICT')).toBeUndefined();
    expect(intuneCodeOf(undefined)).toBeUndefined();
    expect(intuneCodeOf('STORE_CORRUPT')).toBeUndefined();
    expect(intuneCodeOf('toString')).toBeUndefined();
  });

  it('says why a code has no Intune counterpart', () => {
    for (const entry of Object.values(INTUNE_SETTING_CODES)) {
      if (entry.code === null) expect(entry.why.length).toBeGreaterThan(20);
      else expect(entry.message.length).toBeGreaterThan(5);
    }
  });
});
