// Boundary tests of the Windows Firewall profile provider: the exact PowerShell invocation (constant script + stdin
// JSON) for a full policy, what "stop managing" writes, per-profile failures, and the observe parser on golden output.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS, type SettingValue } from '../../../../policy-schemas/src/index.js';
import type { SettingChange } from '../../core/plan.js';
import { ScriptedCommandRunner } from '../../system/command-runner.js';
import { createWindowsFirewallProviders, WindowsFirewallProvider } from './firewall.js';
import { firewallMapping } from './firewall-profile-map.js';
import { FIREWALL_APPLY, FIREWALL_OBSERVE, FIREWALL_RULES_APPLY, PROFILE_PARAMETERS, RULE_PARAMETERS, SETTING_PARAMETERS } from './firewall-scripts.js';
import { powerShellCommand } from './powershell.js';
import { EmulatedWindowsFirewall } from './testing/firewall-emulator.js';

const golden = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
const change = (settingId: string, to: SettingValue | undefined): SettingChange => ({ settingId, kind: 'firewall', from: undefined, to });

/** A policy setting every Windows firewall setting: the same values on all three profiles. */
const PROFILE_POLICY: Record<string, SettingValue> = {
  EnableFirewall: true,
  DefaultInboundAction: 1,
  DefaultOutboundAction: 0,
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
  LogMaxFileSize: 16384,
};
const GLOBAL_POLICY: Record<string, SettingValue> = {
  DisableStatefulFtp: true,
  SaIdleTime: 600,
  PresharedKeyEncoding: 1,
  CRLcheck: 2,
  IPsecExempt: 9,
  EnablePacketQueue: 3,
};
const PROFILE_SCOPES = ['domainProfile', 'privateProfile', 'publicProfile'];
const FULL_POLICY: SettingChange[] = [
  ...PROFILE_SCOPES.flatMap((scope) => Object.entries(PROFILE_POLICY).map(([n, v]) => change(`firewall.${scope}.${n}`, v))),
  ...Object.entries(GLOBAL_POLICY).map(([n, v]) => change(`firewall.global.${n}`, v)),
];
/** What Set-NetFirewallProfile receives for PROFILE_POLICY, written out by hand from mde-domain.md §2.3/§5.2. */
const PROFILE_PARAMETERS_EXPECTED = {
  Enabled: 'True',
  DefaultInboundAction: 'Block',
  DefaultOutboundAction: 'Allow',
  AllowInboundRules: 'False',
  AllowUnicastResponseToMulticast: 'False',
  NotifyOnListen: 'False',
  AllowUserApps: 'False',
  AllowUserPorts: 'False',
  AllowLocalFirewallRules: 'False',
  AllowLocalIPsecRules: 'True',
  EnableStealthModeForIPsec: 'True',
  LogBlocked: 'True',
  LogAllowed: 'False',
  LogIgnored: 'True',
  LogFileName: '%systemroot%\\system32\\LogFiles\\Firewall\\domain.log',
  LogMaxSizeKilobytes: '16384',
};

function ok(result: unknown = { results: [] }) {
  return new ScriptedCommandRunner(() => ({ stdout: JSON.stringify({ ok: true, result }) }));
}

describe('Windows firewall provider: apply', () => {
  it('runs one constant script with the whole policy as stdin JSON, one step per profile and one global', async () => {
    const runner = ok({
      results: ['Domain', 'Private', 'Public', 'Global'].map((target) => ({ target, error: null })),
    });
    const results = await new WindowsFirewallProvider({ runner }).apply(FULL_POLICY);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.map((r) => r.settingId)).toEqual(FULL_POLICY.map((c) => c.settingId));
    const expectedInput = {
      steps: [
        { target: 'Domain', parameters: PROFILE_PARAMETERS_EXPECTED },
        { target: 'Private', parameters: PROFILE_PARAMETERS_EXPECTED },
        { target: 'Public', parameters: PROFILE_PARAMETERS_EXPECTED },
        {
          target: 'Global',
          parameters: {
            EnableStatefulFtp: 'False',
            MaxSAIdleTimeSeconds: '600',
            KeyEncoding: 'UTF8',
            CertValidationLevel: 'RequireCrlCheck',
            Exemptions: 'NeighborDiscovery,Dhcp',
            EnablePacketQueuing: 'Inbound,Forward',
          },
        },
      ],
    };
    expect(runner.calls).toEqual([powerShellCommand(FIREWALL_APPLY, expectedInput)]);
  });

  it('writes NotConfigured, or the documented default where a parameter has none, when a setting is no longer managed', async () => {
    const runner = ok({
      results: [
        { target: 'Public', error: null },
        { target: 'Global', error: null },
      ],
    });
    const ids = [
      'firewall.publicProfile.EnableFirewall',
      'firewall.publicProfile.LogFilePath',
      'firewall.publicProfile.LogMaxFileSize',
      'firewall.global.SaIdleTime',
      'firewall.global.IPsecExempt',
    ];
    await new WindowsFirewallProvider({ runner }).apply(ids.map((id) => change(id, undefined)));
    expect(JSON.parse(runner.calls[0]?.stdin ?? '')).toEqual({
      steps: [
        {
          target: 'Public',
          parameters: { Enabled: 'NotConfigured', LogFileName: '%systemroot%\\system32\\LogFiles\\Firewall\\pfirewall.log', LogMaxSizeKilobytes: '4096' },
        },
        { target: 'Global', parameters: { MaxSAIdleTimeSeconds: '300', Exemptions: 'NotConfigured' } },
      ],
    });
  });

  it('rejects an invalid value without running anything, and says what it cannot enforce', async () => {
    const runner = ok();
    const provider = new WindowsFirewallProvider({ runner });
    const results = await provider.apply([
      change('firewall.domainProfile.DefaultInboundAction', 7),
      change('firewall.domainProfile.DisableStealthMode', true),
      change('firewall.global.SaIdleTime', 10),
    ]);
    expect(results).toEqual([
      expect.objectContaining({ ok: false, code: 'SETTING_APPLY_FAILED', message: '7 is not a valid value' }),
      expect.objectContaining({ ok: false, code: 'SETTING_NOT_APPLICABLE', message: expect.stringMatching(/no parameter for stealth mode/) }),
      expect.objectContaining({ ok: false, code: 'SETTING_APPLY_FAILED' }),
    ]);
    expect(runner.calls).toHaveLength(0);
  });

  it('fails only the settings of the cmdlet call that failed', async () => {
    const fw = new EmulatedWindowsFirewall();
    const provider = new WindowsFirewallProvider({ runner: fw.runner });
    const results = await provider.apply([
      change('firewall.domainProfile.EnableFirewall', false),
      change('firewall.privateProfile.LogFilePath', ''), // empty: rejected by the provider, not sent
      change('firewall.privateProfile.LogMaxFileSize', 2048),
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(fw.profiles.Domain?.Enabled).toBe('False');
    fw.failNext.set(FIREWALL_APPLY.name, 'Access is denied.');
    const denied = await provider.apply([change('firewall.publicProfile.EnableFirewall', false)]);
    expect(denied[0]).toMatchObject({ ok: false, code: 'SETTING_APPLY_FAILED', message: 'firewall-apply: Access is denied.' });
    expect(fw.profiles.Public?.Enabled).toBe('True');
  });

  it('reports the cmdlet error per profile step', async () => {
    const runner = ok({ results: [{ target: 'Domain', error: 'The parameter is incorrect.' }] });
    const [r] = await new WindowsFirewallProvider({ runner }).apply([change('firewall.domainProfile.LogMaxFileSize', 100)]);
    expect(r).toEqual({
      settingId: 'firewall.domainProfile.LogMaxFileSize',
      ok: false,
      code: 'SETTING_APPLY_FAILED',
      message: 'Set-NetFirewallProfile -Name Domain failed: The parameter is incorrect.',
    });
  });
});

describe('Windows firewall provider: observe', () => {
  it('maps recorded Get-NetFirewallProfile/-Setting output back to CSP values (NotConfigured → the Windows default)', async () => {
    const runner = new ScriptedCommandRunner(() => ({ stdout: golden('firewall-observe-output.json') }));
    const provider = new WindowsFirewallProvider({ runner });
    const ids = [
      'firewall.domainProfile.EnableFirewall',
      'firewall.domainProfile.DefaultInboundAction',
      'firewall.domainProfile.DefaultOutboundAction',
      'firewall.domainProfile.Shielded',
      'firewall.domainProfile.DisableInboundNotifications',
      'firewall.domainProfile.EnableLogDroppedPackets',
      'firewall.domainProfile.LogFilePath',
      'firewall.domainProfile.LogMaxFileSize',
      'firewall.domainProfile.DisableStealthModeIpsecSecuredPacketExemption',
      'firewall.privateProfile.DefaultInboundAction',
      'firewall.privateProfile.AllowLocalPolicyMerge',
      'firewall.publicProfile.EnableFirewall',
      'firewall.publicProfile.AllowLocalPolicyMerge',
      'firewall.global.DisableStatefulFtp',
      'firewall.global.SaIdleTime',
      'firewall.global.PresharedKeyEncoding',
      'firewall.global.CRLcheck',
      'firewall.global.IPsecExempt',
      'firewall.global.EnablePacketQueue',
      'firewall.domainProfile.DisableStealthMode',
      'macosFirewall.EnableFirewall',
    ];
    const seen = await provider.observe(ids);
    expect(Object.fromEntries(seen)).toEqual({
      'firewall.domainProfile.EnableFirewall': true,
      'firewall.domainProfile.DefaultInboundAction': 1,
      'firewall.domainProfile.DefaultOutboundAction': 0,
      'firewall.domainProfile.Shielded': true,
      'firewall.domainProfile.DisableInboundNotifications': true,
      'firewall.domainProfile.EnableLogDroppedPackets': true,
      'firewall.domainProfile.LogFilePath': 'D:\\logs\\fw-domain.log',
      'firewall.domainProfile.LogMaxFileSize': 16384,
      'firewall.domainProfile.DisableStealthModeIpsecSecuredPacketExemption': true,
      'firewall.privateProfile.DefaultInboundAction': 1, // NotConfigured: Windows blocks inbound
      'firewall.privateProfile.AllowLocalPolicyMerge': true, // NotConfigured: local rules merge
      'firewall.publicProfile.EnableFirewall': false,
      'firewall.publicProfile.AllowLocalPolicyMerge': false,
      'firewall.global.DisableStatefulFtp': true,
      'firewall.global.SaIdleTime': 300,
      'firewall.global.PresharedKeyEncoding': 1,
      'firewall.global.CRLcheck': 1,
      'firewall.global.IPsecExempt': 9,
      'firewall.global.EnablePacketQueue': 0,
      'firewall.domainProfile.DisableStealthMode': undefined,
      'macosFirewall.EnableFirewall': undefined,
    });
    expect(runner.calls).toEqual([powerShellCommand(FIREWALL_OBSERVE, null)]);
  });

  it('reads the integers PowerShell 5.1 prints for raw Get-NetFirewallProfile output (GpoBoolean, Action)', () => {
    const [domain] = JSON.parse(golden('firewall-get-netfirewallprofile-persistent.json')) as Record<string, unknown>[];
    const read = (id: string) => {
      const m = firewallMapping(id);
      if (!('mapping' in m)) throw new Error(m.reason);
      return m.mapping.fromParameter(domain?.[m.mapping.parameter]);
    };
    expect(read('firewall.domainProfile.EnableFirewall')).toBe(true); // 1
    expect(read('firewall.domainProfile.DefaultInboundAction')).toBe(1); // 0 NotConfigured: the default, block
    expect(read('firewall.domainProfile.Shielded')).toBe(false); // 2 NotConfigured: the default, rules apply
    expect(read('firewall.domainProfile.DefaultOutboundAction')).toBe(0); // 0 NotConfigured: the default, allow
    expect(read('firewall.domainProfile.EnableLogDroppedPackets')).toBe(false); // 0
    expect(read('firewall.domainProfile.LogMaxFileSize')).toBe(4096);
  });

  it('runs nothing when asked only for settings it cannot read', async () => {
    const runner = ok();
    const seen = await new WindowsFirewallProvider({ runner }).observe(['macosFirewall.EnableFirewall']);
    expect([...seen]).toEqual([['macosFirewall.EnableFirewall', undefined]]);
    expect(runner.calls).toHaveLength(0);
  });
});

describe('Windows firewall mapping', () => {
  it('maps every Windows firewall catalog setting or names why it cannot', () => {
    const windows = SETTINGS.filter((s) => s.kind === 'firewall' && s.platforms.includes('windows'));
    const unsupported = windows.filter((s) => 'reason' in firewallMapping(s.id)).map((s) => s.id.split('.').pop());
    expect(new Set(unsupported)).toEqual(new Set(['DisableStealthMode', 'OpportunisticallyMatchAuthSetPerKM']));
    expect(windows.length - unsupported.length).toBe(3 * 16 + 6);
  });

  it('reads NotConfigured as the Windows default, and a missing value as unknown', () => {
    const read = (id: string, raw: unknown) => {
      const m = firewallMapping(id);
      return 'mapping' in m ? m.mapping.fromParameter(raw) : m.reason;
    };
    expect(read('firewall.publicProfile.Shielded', 'NotConfigured')).toBe(false);
    expect(read('firewall.publicProfile.Shielded', 'False')).toBe(true);
    expect(read('firewall.publicProfile.Shielded', null)).toBeUndefined();
    expect(read('firewall.publicProfile.Shielded', 'Maybe')).toBeUndefined();
    expect(read('firewall.global.IPsecExempt', 'NeighborDiscovery, Icmp')).toBe(3);
    expect(read('firewall.global.IPsecExempt', 'None')).toBe(0);
    expect(read('firewall.global.IPsecExempt', null)).toBeUndefined();
    expect(read('firewall.global.PresharedKeyEncoding', 'UTF16')).toBe(0);
    expect(read('firewall.domainProfile.LogFilePath', 'NotConfigured')).toBe('%systemroot%\\system32\\LogFiles\\Firewall\\pfirewall.log');
    expect(read('firewall.domainProfile.LogFilePath', null)).toBeUndefined();
  });

  it('keeps the scripts’ allow-lists identical to the parameter tables', () => {
    const allowList = (text: string, variable: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`$${variable} = @(`)) ?? '';
      return [...line.matchAll(/'([A-Za-z]+)'/g)].map((m) => m[1]);
    };
    expect(allowList(FIREWALL_APPLY.text, 'profileAllowed')).toEqual([...PROFILE_PARAMETERS]);
    expect(allowList(FIREWALL_APPLY.text, 'settingAllowed')).toEqual([...SETTING_PARAMETERS]);
    expect(allowList(FIREWALL_OBSERVE.text, 'profileProps')).toEqual([...PROFILE_PARAMETERS]);
    expect(allowList(FIREWALL_RULES_APPLY.text, 'ruleAllowed')).toEqual([...RULE_PARAMETERS]);
  });

  it('the factory returns one provider per kind', () => {
    expect(createWindowsFirewallProviders({ runner: ok() }).map((p) => p.kind)).toEqual(['firewall', 'firewallRules']);
  });
});
