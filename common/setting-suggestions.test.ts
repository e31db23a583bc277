// Hints for unknown settings: the nearest id of the kind, an id of another kind, and nothing for a name far from all.
import { describe, expect, it } from 'vitest';
import { editDistance, unknownSettingHint } from './setting-suggestions.js';
import { validatePolicySettings } from './validation.js';

describe('unknownSettingHint', () => {
  it('measures edits case-insensitively', () => {
    expect([editDistance('kitten', 'sitting'), editDistance('ABC', 'abc'), editDistance('', 'ab')]).toEqual([3, 0, 2]);
  });

  it('offers the nearest id of the kind for a typo or a wrong case', () => {
    expect(unknownSettingHint('antivirus', 'defender.AllowRealtimeMonitorin')).toBe('did you mean "defender.AllowRealtimeMonitoring"?');
    expect(unknownSettingHint('antivirus', 'defender.allowrealtimemonitoring')).toBe('did you mean "defender.AllowRealtimeMonitoring"?');
  });

  it("names the kind a setting of another kind's catalog belongs to", () => {
    expect(unknownSettingHint('antivirus', 'firewall.global.DisableStatefulFtp')).toBe('this setting belongs to kind firewall');
    expect(unknownSettingHint('firewall', 'edr.SampleSharin')).toBe('did you mean "edr.SampleSharing" (a setting of kind edr)?');
  });

  it('says nothing for a name far from every id', () => {
    expect(unknownSettingHint('antivirus', 'completely.Different')).toBeUndefined();
  });

  it('is part of the validation message the endpoint and the CLI print', () => {
    expect(() => validatePolicySettings({ kind: 'antivirus', settings: { 'defender.AllowRealtimeMonitorin': 1 } }, 'av.json')).toThrow(
      'av.json is invalid: /settings unknown antivirus setting "defender.AllowRealtimeMonitorin": did you mean "defender.AllowRealtimeMonitoring"?',
    );
  });
});
