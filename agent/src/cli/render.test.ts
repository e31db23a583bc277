// The agent CLI's text renderings escape what comes from the endpoint and the host: names, values, messages.
import { describe, expect, it } from 'vitest';
import { hasUnsafeCharacters } from '../../../common/terminal-text.js';
import type { SyncPlan } from '../../../policy-schemas/src/index.js';
import { renderPlan } from './render.js';

const ATTACK = 'evil\x1b[2J\nFAKE-LINE\u202Etxt';
const ID = '00000000-0000-4000-8000-000000000001';

describe('renderPlan', () => {
  it('escapes names, values and messages visibly, with no forged line', () => {
    const plan: SyncPlan = {
      formatVersion: 1,
      generatedAt: '2026-01-01T00:00:00.000Z',
      computedBy: 'cli',
      policies: [{ policyId: ID, version: 1, name: ATTACK, kind: 'antivirus' }],
      settings: [{ settingId: 'defender.ExcludedPaths', kind: 'antivirusExclusions', policyIds: [ID], desired: [ATTACK], change: true }],
      conflicts: [{ settingId: 'defender.PUAProtection', kind: 'antivirus', policyIds: [ID], message: ATTACK }],
      restores: [{ settingId: 'defender.AllowRealtimeMonitoring', kind: 'antivirus', current: ATTACK, remove: true }],
      notApplicable: [{ settingId: ATTACK, kind: 'antivirus', policyIds: [ID], message: ATTACK }],
      error: { code: 'POLICY_SIGNATURE_INVALID', message: ATTACK },
    };
    const text = renderPlan(plan);
    expect(text).toContain('policy error: POLICY_SIGNATURE_INVALID: evil\\x1b[2J\\nFAKE-LINE\\u202etxt');
    expect(text).toContain('notApplicable evil\\x1b[2J\\nFAKE-LINE\\u202etxt:');
    expect(text).toContain('\\u202etxt'); // inside JSON values too (JSON.stringify leaves bidi characters)
    expect(hasUnsafeCharacters(text.replaceAll('\n', ''))).toBe(false);
    expect(text.split('\n').some((line) => line.startsWith('FAKE-LINE'))).toBe(false);
  });
});
