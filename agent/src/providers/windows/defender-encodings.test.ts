// The raw encodings the Defender plan writes, one setting per codec, pinned against literals written by hand from
// Microsoft's documentation (review 16b F6) — not computed by the production encoders, so an inverted or MAPS mapping
// that is wrong in the table and in its decoder alike still fails here.
// Source: WindowsDefender.admx (microsoft/defender-updatecontrols): DisableRealtimeMonitoring (enabled = 1 turns real-time
// protection off), SpynetReporting (0 off, 1 basic, 2 advanced MAPS), DefinitionUpdateFileSharesSources ("{\\unc1 |
// \\unc2}"), Exclusions_Paths + Exclusions\Paths (value name = path, data 0), Threats_ThreatSeverityDefaultAction +
// Threats\ThreatSeverityDefaultAction (name = level, data = action), ExploitGuard_ASR_Rules + ASR\Rules (name = GUID,
// data = mode). Source: https://learn.microsoft.com/windows/client-management/mdm/policy-csp-defender (lists '|'-joined;
// AttackSurfaceReductionRules "GUID=action|GUID=action"; ThreatSeverityDefaultAction "level=action|…").
import { describe, expect, it } from 'vitest';
import type { SettingChange } from '../../core/plan.js';
import { planDefenderChanges } from './defender-plan.js';

const WD = 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Defender';
const EMAIL = 'be9ba2d9-53ea-4cdc-84e5-9b1eeee46550';
const OFFICE = 'd4f940ab-401b-4efc-aadc-ad5f3c50688a';
const change = (settingId: string, kind: SettingChange['kind'], to: SettingChange['to']): SettingChange => ({ settingId, kind, from: undefined, to });
const only = (c: SettingChange) => planDefenderChanges([c]).plan.bridge;

describe('Defender plan encodings, written from the documentation', () => {
  it('AllowRealtimeMonitoring 1 → bridge 1, Policies DisableRealtimeMonitoring = 0 (inverted DWORD)', () => {
    expect(only(change('defender.AllowRealtimeMonitoring', 'antivirus', 1))).toEqual([
      {
        cls: 'Defender',
        property: 'AllowRealtimeMonitoring',
        value: 1,
        step: 'defender.AllowRealtimeMonitoring',
        fallback: [{ op: 'set', key: `${WD}\\Real-Time Protection`, name: 'DisableRealtimeMonitoring', type: 'DWord', value: 0 }],
      },
    ]);
    expect(only(change('defender.AllowRealtimeMonitoring', 'antivirus', 0))[0]?.fallback).toEqual([
      { op: 'set', key: `${WD}\\Real-Time Protection`, name: 'DisableRealtimeMonitoring', type: 'DWord', value: 1 },
    ]);
  });

  it('AllowCloudProtection 1 → SpynetReporting = 2 (advanced MAPS), 0 → 0', () => {
    expect(only(change('defender.AllowCloudProtection', 'antivirus', 1))[0]?.fallback).toEqual([
      { op: 'set', key: `${WD}\\Spynet`, name: 'SpynetReporting', type: 'DWord', value: 2 },
    ]);
    expect(only(change('defender.AllowCloudProtection', 'antivirus', 0))[0]?.fallback).toEqual([
      { op: 'set', key: `${WD}\\Spynet`, name: 'SpynetReporting', type: 'DWord', value: 0 },
    ]);
  });

  it('SignatureUpdateFileSharesSources → bridge and Policies REG_SZ both "\\\\a|\\\\b"', () => {
    const [write] = only(change('defender.SignatureUpdateFileSharesSources', 'antivirus', ['\\\\fs1\\defs', '\\\\fs2\\defs']));
    expect(write?.value).toBe('\\\\fs1\\defs|\\\\fs2\\defs');
    expect(write?.fallback).toEqual([
      { op: 'set', key: `${WD}\\Signature Updates`, name: 'DefinitionUpdateFileSharesSources', type: 'String', value: '\\\\fs1\\defs|\\\\fs2\\defs' },
    ]);
  });

  it('ExcludedPaths → bridge "a|b", Policies value names under Exclusions\\Paths with data "0" and flag Exclusions_Paths', () => {
    const [write] = only(change('defender.ExcludedPaths', 'antivirusExclusions', ['C:\\Build', 'D:\\Cache']));
    expect(write?.value).toBe('C:\\Build|D:\\Cache');
    expect(write?.fallback).toEqual([
      {
        op: 'values',
        key: `${WD}\\Exclusions\\Paths`,
        set: [
          { name: 'C:\\Build', data: '0' },
          { name: 'D:\\Cache', data: '0' },
        ],
        exact: true,
        flagKey: `${WD}\\Exclusions`,
        flag: 'Exclusions_Paths',
      },
    ]);
  });

  it('ThreatSeverityDefaultAction "4=3|5=3" → bridge string as is, Policies level → action values', () => {
    const [write] = only(change('defender.ThreatSeverityDefaultAction', 'antivirus', '4=3|5=3'));
    expect(write?.value).toBe('4=3|5=3');
    expect(write?.fallback).toEqual([
      {
        op: 'values',
        key: `${WD}\\Threats\\ThreatSeverityDefaultAction`,
        set: [
          { name: '4', data: '3' },
          { name: '5', data: '3' },
        ],
        exact: true,
        flagKey: `${WD}\\Threats`,
        flag: 'Threats_ThreatSeverityDefaultAction',
      },
    ]);
  });

  it('ASR block / audit → merge pairs GUID=1 / GUID=2, Policies ASR\\Rules GUID = "1" / "2" with ExploitGuard_ASR_Rules', () => {
    const { plan } = planDefenderChanges([change(`asr.${EMAIL}`, 'asr', 'block'), change(`asr.${OFFICE}`, 'asr', 'audit')]);
    expect(plan.bridge).toEqual([
      {
        cls: 'Defender',
        property: 'AttackSurfaceReductionRules',
        merge: [
          { guid: EMAIL, action: 1 },
          { guid: OFFICE, action: 2 },
        ],
        step: 'asrRules',
        fallback: [
          {
            op: 'values',
            key: `${WD}\\Windows Defender Exploit Guard\\ASR\\Rules`,
            set: [
              { name: EMAIL, data: '1' },
              { name: OFFICE, data: '2' },
            ],
            exact: false,
            flagKey: `${WD}\\Windows Defender Exploit Guard\\ASR`,
            flag: 'ExploitGuard_ASR_Rules',
          },
        ],
      },
    ]);
  });
});
