// Boundary tests of the Windows Firewall profile provider: the exact PowerShell invocation (constant script + stdin
// JSON of MDM bridge values) for a full policy, "stop managing" clearing MDM values, the read-back of golden output
// (effective ActiveStore value, Group Policy overrides) and the allow-lists; the store merge is in firewall-stores.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS, type SettingValue } from '../../../../policy-schemas/src/index.js';
import type { SettingChange } from '../../core/plan.js';
import { ScriptedCommandRunner } from '../../system/command-runner.js';
import { createWindowsFirewallProviders, WindowsFirewallProvider } from './firewall.js';
import { firewallMapping } from './firewall-profile-map.js';
import {
  AUDIT_SUBCATEGORIES,
  FIREWALL_APPLY,
  FIREWALL_BRIDGE,
  FIREWALL_OBSERVE,
  GLOBAL_PROPERTIES,
  MDM_NAMESPACE,
  MDM_STORE,
  NET_PROFILE_PROPERTIES,
  NET_SETTING_PROPERTIES,
  NLM_PROPERTIES,
  PROFILE_PROPERTIES,
} from './firewall-scripts.js';
import { powerShellCommand } from './powershell.js';
import { EmulatedWindowsFirewall } from './testing/firewall-emulator.js';

const golden = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
const change = (settingId: string, to: SettingValue | undefined): SettingChange => ({ settingId, kind: 'firewall', from: undefined, to });

/** A policy setting every Windows firewall profile setting: the same values on all three profiles. */
const PROFILE_POLICY: Record<string, SettingValue> = {
  EnableFirewall: true,
  DefaultInboundAction: 1,
  DefaultOutboundAction: 0,
  DisableStealthMode: true,
  Shielded: true,
  DisableUnicastResponsesToMulticastBroadcast: true,
  DisableInboundNotifications: true,
  AuthAppsAllowUserPrefMerge: false,
  GlobalPortsAllowUserPrefMerge: false,
  AllowLocalPolicyMerge: false,
  AllowLocalIpsecPolicyMerge: true,
  DisableStealthModeIpsecSecuredPacketExemption: true,
  EnableLogDroppedPackets: true,
  EnableLogSuccessConnections: false,
  EnableLogIgnoredRules: true,
  LogFilePath: '%systemroot%\\system32\\LogFiles\\Firewall\\domain.log',
  LogMaxFileSize: 65536,
};
const GLOBAL_POLICY: Record<string, SettingValue> = {
  DisableStatefulFtp: true,
  SaIdleTime: 600,
  PresharedKeyEncoding: 1,
  CRLcheck: 2,
  IPsecExempt: 9,
  OpportunisticallyMatchAuthSetPerKM: true,
  EnablePacketQueue: 3,
};
const AUDIT_POLICY: Record<string, SettingValue> = { ObjectAccess_AuditFilteringPlatformConnection: 2, ObjectAccess_AuditFilteringPlatformPacketDrop: 3 };
const PROFILE_SCOPES = ['domainProfile', 'privateProfile', 'publicProfile'];
const FULL_POLICY: SettingChange[] = [
  ...PROFILE_SCOPES.flatMap((scope) => Object.entries(PROFILE_POLICY).map(([n, v]) => change(`firewall.${scope}.${n}`, v))),
  ...Object.entries(GLOBAL_POLICY).map(([n, v]) => change(`firewall.global.${n}`, v)),
  ...Object.entries(AUDIT_POLICY).map(([n, v]) => change(`firewall.audit.${n}`, v)),
];

function ok(result: unknown = { results: [] }) {
  return new ScriptedCommandRunner(() => ({ stdout: JSON.stringify({ ok: true, result }) }));
}

describe('Windows firewall provider: apply through the MDM bridge', () => {
  it('runs one constant script with the whole policy as stdin JSON: the CSP values, one bridge instance each', async () => {
    const runner = ok({ results: ['Global', 'DomainProfile', 'PrivateProfile', 'PublicProfile', 'Audit'].map((instance) => ({ instance, error: null })) });
    const results = await new WindowsFirewallProvider({ runner }).apply(FULL_POLICY);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.map((r) => r.settingId)).toEqual(FULL_POLICY.map((c) => c.settingId));
    // Written by hand: the bridge property is the CSP node and takes the CSP value unchanged (stealth mode included).
    const expectedInput = {
      instances: [
        { instance: 'Global', values: GLOBAL_POLICY },
        { instance: 'DomainProfile', values: PROFILE_POLICY },
        { instance: 'PrivateProfile', values: PROFILE_POLICY },
        { instance: 'PublicProfile', values: PROFILE_POLICY },
        { instance: 'Audit', values: AUDIT_POLICY },
      ],
    };
    expect(runner.calls).toEqual([powerShellCommand(FIREWALL_APPLY, expectedInput)]);
  });

  it('clears the MDM value (null) when a setting is no longer managed, so the local store applies again', async () => {
    const runner = ok({ results: [{ instance: 'PublicProfile', error: null }] });
    await new WindowsFirewallProvider({ runner }).apply([
      change('firewall.publicProfile.EnableFirewall', undefined),
      change('firewall.publicProfile.LogMaxFileSize', undefined),
    ]);
    expect(JSON.parse(runner.calls[0]?.stdin ?? '')).toEqual({
      instances: [{ instance: 'PublicProfile', values: { EnableFirewall: null, LogMaxFileSize: null } }],
    });
  });

  it('rejects an invalid value without running anything', async () => {
    const runner = ok();
    const results = await new WindowsFirewallProvider({ runner }).apply([
      change('firewall.domainProfile.DefaultInboundAction', 7),
      change('firewall.global.SaIdleTime', 10),
    ]);
    expect(results).toEqual([
      expect.objectContaining({ ok: false, code: 'SETTING_APPLY_FAILED', message: '7 is not a valid value' }),
      expect.objectContaining({ ok: false, code: 'SETTING_APPLY_FAILED' }),
    ]);
    expect(runner.calls).toHaveLength(0);
  });

  it('after prepare, names the bridge properties this build lacks (LogMaxFileSize before Windows 11 22H2) as not applicable', async () => {
    const runner = new ScriptedCommandRunner(() => ({ stdout: golden('firewall-bridge-output-win10.json') }));
    const provider = new WindowsFirewallProvider({ runner });
    expect(provider.unsupportedReason('firewall.domainProfile.LogMaxFileSize')).toBeUndefined();
    await provider.prepare();
    await provider.prepare(); // learned once
    expect(runner.calls).toEqual([powerShellCommand(FIREWALL_BRIDGE, null)]);
    expect(provider.unsupportedReason('firewall.domainProfile.LogMaxFileSize')).toMatch(/MDM_Firewall_DomainProfile02 has no LogMaxFileSize property/);
    expect(provider.unsupportedReason('firewall.domainProfile.DisableStealthMode')).toBeUndefined();
    expect(provider.unsupportedReason('firewall.networkListManager.AllowedTlsAuthenticationEndpoints')).toMatch(
      /no MDM bridge class MDM_Policy_Config01_NetworkListManager02/,
    );
    const [r] = await provider.apply([change('firewall.publicProfile.LogMaxFileSize', 2048)]);
    expect(r).toMatchObject({ ok: false, code: 'SETTING_NOT_APPLICABLE' });
    expect(runner.calls).toHaveLength(1);
  });

  it('fails only the settings of the instance that failed; a run failure fails them all', async () => {
    const fw = new EmulatedWindowsFirewall();
    fw.missing.set('PrivateProfile', ['LogMaxFileSize']); // a build without the node: the whole instance write is refused
    const provider = new WindowsFirewallProvider({ runner: fw.runner });
    const results = await provider.apply([change('firewall.domainProfile.EnableFirewall', false), change('firewall.privateProfile.LogMaxFileSize', 2048)]);
    expect(results.map((r) => r.ok)).toEqual([true, false]);
    expect(results[1]).toMatchObject({
      message: expect.stringMatching(/^MDM_Firewall_PrivateProfile02 \(PrivateProfile\): this Windows build has no LogMaxFileSize/),
    });
    expect(fw.mdm.get('DomainProfile')).toEqual({ EnableFirewall: false });
    fw.failNext.set(FIREWALL_APPLY.name, 'Access denied');
    const denied = await provider.apply([change('firewall.publicProfile.EnableFirewall', false)]);
    expect(denied[0]).toMatchObject({ ok: false, code: 'SETTING_APPLY_FAILED', message: 'firewall-apply: Access denied' });
    expect(fw.mdm.has('PublicProfile')).toBe(false);
  });

  it('reports the bridge error of golden apply output on the settings of that instance only', async () => {
    const runner = new ScriptedCommandRunner(() => ({ stdout: golden('firewall-apply-output.json') }));
    const results = await new WindowsFirewallProvider({ runner }).apply([
      change('firewall.global.SaIdleTime', 600),
      change('firewall.domainProfile.Shielded', true),
    ]);
    expect(results).toEqual([
      { settingId: 'firewall.global.SaIdleTime', ok: true },
      {
        settingId: 'firewall.domainProfile.Shielded',
        ok: false,
        code: 'SETTING_APPLY_FAILED',
        message: 'MDM_Firewall_DomainProfile02 (DomainProfile): A general error occurred that is not covered by a more specific error code.',
      },
    ]);
  });

  it('refuses a log size above 2147483647 where this build types the property as signed 32-bit', async () => {
    const runner = ok({ DomainProfile: { LogMaxFileSize: 'SInt32' } });
    const provider = new WindowsFirewallProvider({ runner });
    await provider.prepare();
    const [r] = await provider.apply([change('firewall.domainProfile.LogMaxFileSize', 4294967295)]);
    expect(r).toMatchObject({ ok: false, code: 'SETTING_APPLY_FAILED', message: expect.stringMatching(/signed 32-bit integer: 4294967295 cannot be written/) });
    expect(runner.calls).toHaveLength(1);
  });
});

describe('Windows firewall provider: read-back', () => {
  it('reads the effective ActiveStore values of golden output and reports what Group Policy overrides', async () => {
    const runner = new ScriptedCommandRunner(() => ({ stdout: golden('firewall-observe-output.json') }));
    const provider = new WindowsFirewallProvider({ runner });
    const ids = [
      'firewall.domainProfile.Shielded',
      'firewall.domainProfile.LogFilePath',
      'firewall.domainProfile.LogMaxFileSize',
      'firewall.domainProfile.DisableStealthMode',
      'firewall.privateProfile.DisableStealthMode',
      'firewall.privateProfile.DefaultInboundAction',
      'firewall.publicProfile.DefaultInboundAction',
      'firewall.publicProfile.DisableStealthMode',
      'firewall.global.IPsecExempt',
      'firewall.global.OpportunisticallyMatchAuthSetPerKM',
      'firewall.audit.ObjectAccess_AuditFilteringPlatformConnection',
      'firewall.audit.ObjectAccess_AuditFilteringPlatformPacketDrop',
      'firewall.networkListManager.AllowedTlsAuthenticationEndpoints',
      'firewall.networkListManager.ConfiguredTLSAuthenticationNetworkName',
      'macosFirewall.EnableFirewall',
    ];
    expect(Object.fromEntries(await provider.observe(ids))).toEqual({
      'firewall.domainProfile.Shielded': true,
      'firewall.domainProfile.LogFilePath': 'D:\\logs\\fw-domain.log',
      'firewall.domainProfile.LogMaxFileSize': 16384,
      'firewall.domainProfile.DisableStealthMode': true, // MDM value: NetSecurity has no stealth-mode property
      'firewall.privateProfile.DisableStealthMode': true, // the GPO registry value 1 wins over MDM (unset)
      'firewall.privateProfile.DefaultInboundAction': 1, // NotConfigured: Windows blocks inbound
      'firewall.publicProfile.DefaultInboundAction': 0, // the GPO's Allow, in effect
      'firewall.publicProfile.DisableStealthMode': undefined, // no MDM or GPO value: the unread local store decides // nothing configured: the CSP default
      'firewall.global.IPsecExempt': 9,
      'firewall.global.OpportunisticallyMatchAuthSetPerKM': true,
      'firewall.audit.ObjectAccess_AuditFilteringPlatformConnection': 2, // effective (auditpol), as the MDM store says
      'firewall.audit.ObjectAccess_AuditFilteringPlatformPacketDrop': 1, // effective: set by another manager, not MDM
      'firewall.networkListManager.AllowedTlsAuthenticationEndpoints': ['https://nls.corp.contoso.example', 'https://nls2.corp.contoso.example'],
      'firewall.networkListManager.ConfiguredTLSAuthenticationNetworkName': '', // unset: not configured
      'macosFirewall.EnableFirewall': undefined,
    });
    expect(Object.fromEntries(provider.overrides())).toEqual({
      'firewall.publicProfile.DefaultInboundAction': { source: 'Group Policy', effective: 0 },
      'firewall.privateProfile.DisableStealthMode': { source: 'Group Policy', effective: true },
    });
    expect(runner.calls).toEqual([powerShellCommand(FIREWALL_OBSERVE, null)]);
  });

  it('a failed auditpol leaves only the audit settings unknown', async () => {
    const doc = JSON.parse(golden('firewall-observe-output.json'));
    doc.result.audit = { ObjectAccess_AuditFilteringPlatformConnection: null, ObjectAccess_AuditFilteringPlatformPacketDrop: null };
    doc.result.auditError = 'auditpol /backup failed with exit code 87';
    const runner = new ScriptedCommandRunner(() => ({ stdout: JSON.stringify(doc) }));
    const ids = ['firewall.audit.ObjectAccess_AuditFilteringPlatformConnection', 'firewall.domainProfile.Shielded'];
    expect([...(await new WindowsFirewallProvider({ runner }).observe(ids)).values()]).toEqual([undefined, true]);
  });

  it('runs nothing when asked only for settings it cannot read', async () => {
    const runner = ok();
    expect([...(await new WindowsFirewallProvider({ runner }).observe(['macosFirewall.EnableFirewall']))]).toEqual([
      ['macosFirewall.EnableFirewall', undefined],
    ]);
    expect(runner.calls).toHaveLength(0);
  });
});

describe('Windows firewall mapping', () => {
  it('maps every Windows firewall catalog setting to a bridge property', () => {
    const windows = SETTINGS.filter((s) => s.kind === 'firewall' && s.platforms.includes('windows'));
    expect(windows.filter((s) => 'reason' in firewallMapping(s.id))).toEqual([]);
    expect(windows.length).toBe(3 * 17 + 7 + 2 + 2);
  });

  it('keeps the scripts’ allow-lists identical to the property tables', () => {
    const allowList = (text: string, variable: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`$${variable} = @(`)) ?? '';
      return [...line.matchAll(/'([A-Za-z_]+)'/g)].map((m) => m[1]);
    };
    for (const script of [FIREWALL_BRIDGE, FIREWALL_OBSERVE, FIREWALL_APPLY]) {
      expect(allowList(script.text, 'fwGlobalProps')).toEqual([...GLOBAL_PROPERTIES]);
      expect(allowList(script.text, 'fwProfileProps')).toEqual([...PROFILE_PROPERTIES]);
      expect(allowList(script.text, 'fwAuditProps')).toEqual(Object.keys(AUDIT_SUBCATEGORIES));
      expect(allowList(script.text, 'fwNlmProps')).toEqual([...NLM_PROPERTIES]);
    }
    for (const [property, guid] of Object.entries(AUDIT_SUBCATEGORIES)) expect(FIREWALL_OBSERVE.text).toContain(`${property} = '${guid}'`);
    expect(allowList(FIREWALL_OBSERVE.text, 'netProfileProps')).toEqual([...NET_PROFILE_PROPERTIES]);
    expect(allowList(FIREWALL_OBSERVE.text, 'netSettingProps')).toEqual([...NET_SETTING_PROPERTIES]);
    for (const script of [FIREWALL_BRIDGE, FIREWALL_OBSERVE, FIREWALL_APPLY])
      expect(script.text).toContain(`$fwNs = '${MDM_NAMESPACE}'\n$fwStore = '${MDM_STORE}'`);
    // The apply script writes only through the bridge: no NetSecurity setter, no local store.
    expect(FIREWALL_APPLY.text).not.toMatch(/Set-NetFirewall|PersistentStore/);
  });

  it('the factory returns one provider per kind', () => {
    expect(createWindowsFirewallProviders({ runner: ok() }).map((p) => p.kind)).toEqual(['firewall', 'firewallRules']);
  });
});
