// Unit tests of the Intune import: each converter through importIntunePolicy, the skip reasons, BOM handling and
// malformed exports (INTUNE_EXPORT_INVALID).
import { describe, expect, it } from 'vitest';
import { AttacheError } from '../../../common/errors.js';
import { choiceSuffix, choiceToBoolean, choiceToInteger } from './converters.js';
import type { LeafInstance } from './graph-export.js';
import { importIntunePolicy } from './import-policy.js';
import { ASR_COLLECTION, choice, DEFENDER_CSP, GRAPH_SETTING, group, list, policy, simple } from './testing/graph-fixtures.js';

const G = GRAPH_SETTING;
const DEF = DEFENDER_CSP;
const ASR = ASR_COLLECTION;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof AttacheError ? err.code : 'not an AttacheError';
  }
  return undefined;
}

describe('converters', () => {
  const leaf = (raw: string): LeafInstance => ({ settingDefinitionId: 'x_y', shape: 'choice', raw, odataType: '', groupItem: '' });
  it('reads the option suffix only when the value belongs to the setting', () => {
    expect(choiceSuffix(leaf('x_y_1'))).toBe('1');
    expect(choiceSuffix(leaf('other_1'))).toBeUndefined();
  });
  it('turns _<n> into integers and _true/_false/_1/_0 into booleans', () => {
    expect(choiceToInteger(leaf('x_y_6'))).toEqual({ ok: true, value: 6 });
    expect(choiceToInteger(leaf('x_y_on')).ok).toBe(false);
    expect(choiceToBoolean(leaf('x_y_true'))).toEqual({ ok: true, value: true });
    expect(choiceToBoolean(leaf('x_y_0'))).toEqual({ ok: true, value: false });
    expect(choiceToBoolean(leaf('x_y_2')).ok).toBe(false);
  });
});

describe('importIntunePolicy', () => {
  it('maps choice settings to CSP integers and simple integers as is', () => {
    const r = importIntunePolicy(
      policy(choice(`${DEF}allowrealtimemonitoring`, '1'), choice(`${DEF}cloudblocklevel`, '6'), simple(`${DEF}avgcpuloadfactor`, 30)),
    );
    expect(r.documents).toEqual([
      expect.objectContaining({
        name: 'Test export',
        kind: 'antivirus',
        settings: { 'defender.AllowRealtimeMonitoring': 1, 'defender.CloudBlockLevel': 6, 'defender.AvgCPULoadFactor': 30 },
      }),
    ]);
    expect(r.mapped).toContainEqual({ settingDefinitionId: `${DEF}allowrealtimemonitoring`, settingId: 'defender.AllowRealtimeMonitoring', value: 1 });
  });

  it('maps firewall profile settings (boolean _true/_false, nested under EnableFirewall) to firewall.<profile>.<Name>', () => {
    const fw = 'vendor_msft_firewall_mdmstore_domainprofile_';
    const r = importIntunePolicy(
      policy(
        choice(`${fw}enablefirewall`, 'true', [
          choice(`${fw}defaultinboundaction`, '1'),
          choice(`${fw}disablestealthmode`, 'false'),
          simple(`${fw}logfilepath`, 'C:\\fw.log'),
        ]),
      ),
    );
    expect(r.documents[0]?.settings).toEqual({
      'firewall.domainProfile.EnableFirewall': true,
      'firewall.domainProfile.DefaultInboundAction': 1,
      'firewall.domainProfile.DisableStealthMode': false,
      'firewall.domainProfile.LogFilePath': 'C:\\fw.log',
    });
    expect(r.unmapped).toEqual([]);
  });

  it('maps the ASR grouped collection to asr.<guid> with off|block|audit|warn, and per-rule exclusions', () => {
    const adobe = `${ASR}_blockadobereaderfromcreatingchildprocesses`;
    const r = importIntunePolicy(
      policy(
        group(ASR, [[choice(adobe, 'block', [list(`${adobe}_perruleexclusions`, ['C:\\a.exe'])]), choice(`${ASR}_blockwebshellcreationforservers`, 'off')]]),
      ),
    );
    expect(r.documents).toEqual([
      expect.objectContaining({
        kind: 'asr',
        settings: {
          'asr.7674ba52-37eb-4a4f-a9a1-f0f9a1619a2c': 'block',
          'asrExclusions.7674ba52-37eb-4a4f-a9a1-f0f9a1619a2c': ['C:\\a.exe'],
          'asr.a8f5898e-1dc8-49a9-9878-85004b8a61e6': 'off',
        },
      }),
    ]);
  });

  it('maps simple setting collections to string lists (exclusions split into their own kind)', () => {
    const r = importIntunePolicy(policy(list(`${DEF}excludedpaths`, ['C:\\Temp', 'D:\\Build']), choice(`${DEF}puaprotection`, '2')));
    expect(r.documents.map((d) => [d.kind, d.name])).toEqual([
      ['antivirus', 'Test export (antivirus)'],
      ['antivirusExclusions', 'Test export (antivirusExclusions)'],
    ]);
    expect(r.documents[1]?.settings).toEqual({ 'defender.ExcludedPaths': ['C:\\Temp', 'D:\\Build'] });
  });

  it('combines threat severity children into one level=action string with Intune’s action numbers', () => {
    const t = `${DEF}threatseveritydefaultaction`;
    const r = importIntunePolicy(
      policy(
        group(t, [[choice(`${t}_severethreats`, 'remove'), choice(`${t}_lowseveritythreats`, 'block'), choice(`${t}_highseveritythreats`, 'quarantine')]]),
      ),
    );
    expect(r.documents[0]?.settings).toEqual({ 'defender.ThreatSeverityDefaultAction': '1=10|4=2|5=3' });
    expect(r.unmapped).toEqual([]);
  });

  it('takes the same value given twice as one value, and reports two different values (the first is kept)', () => {
    const same = importIntunePolicy(policy(choice(`${DEF}allowrealtimemonitoring`, '1'), choice(`${DEF}allowrealtimemonitoring`, '1')));
    expect(same.unmapped).toEqual([]);
    expect(same.mapped).toHaveLength(2);
    expect(same.documents[0]?.settings).toEqual({ 'defender.AllowRealtimeMonitoring': 1 });
    const clash = importIntunePolicy(policy(choice(`${DEF}allowrealtimemonitoring`, '1'), choice(`${DEF}allowrealtimemonitoring`, '0')));
    expect(clash.documents[0]?.settings).toEqual({ 'defender.AllowRealtimeMonitoring': 1 });
    expect(clash.unmapped).toEqual([
      expect.objectContaining({ reason: 'unknown', detail: expect.stringMatching(/set twice with different values \(1 and 0\)/) }),
    ]);
  });

  it('marks channel-unsupported settings deprecated/outOfScope and unknown ids unknown, with the reason', () => {
    const r = importIntunePolicy(
      policy(
        choice(`${DEF}allowintrusionpreventionsystem`, '1'),
        choice('vendor_msft_firewall_mdmstore_publicprofile_allowlocalpolicymerge', 'false'),
        choice('device_vendor_msft_policy_config_somethingelse_x', '1'),
        choice(`${DEF}notarealsetting`, '1'),
      ),
    );
    expect(r.documents).toEqual([]);
    expect(r.unmapped.map((u) => u.reason)).toEqual(['deprecated', 'outOfScope', 'unknown', 'notInCatalog']);
    expect(r.unmapped[0]?.detail).toMatch(/not supported/);
  });

  it('reports a value the catalog rejects as notInCatalog instead of producing an invalid document', () => {
    const r = importIntunePolicy(policy(simple(`${DEF}avgcpuloadfactor`, 500), choice(`${DEF}cloudblocklevel`, '3')));
    expect(r.documents).toEqual([]);
    expect(r.unmapped.map((u) => [u.reason, u.settingId])).toEqual([
      ['notInCatalog', 'defender.AvgCPULoadFactor'],
      ['notInCatalog', 'defender.CloudBlockLevel'],
    ]);
  });

  it('maps macOS preference keys to mdatp.* (booleans, options, object-list items)', () => {
    const mac = 'com.apple.managedclient.preferences_';
    const r = importIntunePolicy(
      policy(
        choice(`${mac}scanarchives`, 'false'),
        choice(`${mac}enforcementlevel_tamperprotection`, '1'),
        group(`${mac}exclusions_tamperprotection`, [
          [simple(`${mac}exclusions_item_path_tamperprotection`, '/usr/bin/x'), simple(`${mac}exclusions_item_teamid_tamperprotection`, 'ABC')],
        ]),
      ),
    );
    const byKind = Object.fromEntries(r.documents.map((d) => [d.kind, d.settings]));
    expect(byKind.antivirus).toEqual({ 'mdatp.antivirusEngine.scanArchives': false });
    expect(byKind.securityExperience).toEqual({
      'mdatp.tamperProtection.enforcementLevel': 'audit',
      'mdatp.tamperProtection.exclusions': [{ path: '/usr/bin/x', teamId: 'ABC' }],
    });
  });

  it('accepts text with a UTF-8 BOM', () => {
    const text = `\uFEFF${JSON.stringify(policy(choice(`${DEF}allowrealtimemonitoring`, '0')))}`;
    expect(importIntunePolicy(text).documents[0]?.settings).toEqual({ 'defender.AllowRealtimeMonitoring': 0 });
  });

  it('rejects malformed exports with INTUNE_EXPORT_INVALID', () => {
    expect(codeOf(() => importIntunePolicy('{not json'))).toBe('INTUNE_EXPORT_INVALID');
    expect(codeOf(() => importIntunePolicy('[1,2]'))).toBe('INTUNE_EXPORT_INVALID');
    expect(codeOf(() => importIntunePolicy({ name: 'x' }))).toBe('INTUNE_EXPORT_INVALID');
    expect(codeOf(() => importIntunePolicy({ '@odata.type': '#microsoft.graph.deviceManagementConfigurationPolicy' }))).toBe('INTUNE_EXPORT_INVALID');
    expect(codeOf(() => importIntunePolicy(policy({ '@odata.type': `${G}ChoiceSettingInstance`, settingDefinitionId: 'a' })))).toBe('INTUNE_EXPORT_INVALID');
    expect(importIntunePolicy(policy({ '@odata.type': `${G}FutureInstance`, settingDefinitionId: 'a' })).unmapped[0]?.reason).toBe('unknown');
    expect(codeOf(() => importIntunePolicy({ settings: [{ settingInstance: { '@odata.type': `${G}ChoiceSettingInstance` } }] }))).toBe('INTUNE_EXPORT_INVALID');
  });
});
