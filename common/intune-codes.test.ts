// Every per-setting code of the error catalogue (SETTING_*, what the agent reports per setting) has its place in the
// Intune code table: Intune's code, or an explicit "none documented" with the reason.
import { describe, expect, it } from 'vitest';
import { INTUNE_SETTING_CODES } from '../policy-schemas/src/index.js';
import { ERROR_CODES } from './errors.js';

describe('Intune code table', () => {
  it('covers every per-setting code we report, and names only codes of the catalogue', () => {
    const settingCodes = Object.keys(ERROR_CODES).filter((c) => c.startsWith('SETTING_'));
    expect(settingCodes.length).toBeGreaterThanOrEqual(5);
    expect(Object.keys(INTUNE_SETTING_CODES).sort()).toEqual(settingCodes.sort());
  });
});
