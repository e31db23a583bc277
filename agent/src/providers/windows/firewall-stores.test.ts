// The Windows Firewall profile provider against the emulated three stores (Group Policy > MDM > local, the Firewall
// CSP merge law): a GPO value that wins is a conflict naming Group Policy, stealth mode and auditing are enforced
// through the bridge, TLS endpoints cross as the CSP's one string, and stop managing lets the local store apply again.
import { describe, expect, it } from 'vitest';
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import { settingStatuses } from '../../core/outcome.js';
import type { SettingChange } from '../../core/plan.js';
import { applyEffective } from '../../sync/apply.js';
import { WindowsFirewallProvider } from './firewall.js';
import { EmulatedWindowsFirewall } from './testing/firewall-emulator.js';

const change = (settingId: string, to: SettingValue | undefined): SettingChange => ({ settingId, kind: 'firewall', from: undefined, to });

describe('Windows firewall stores (emulated): Group Policy > MDM > local', () => {
  const status = (id: string, desired: SettingValue, observed: SettingValue | undefined, provider: WindowsFirewallProvider) =>
    settingStatuses([{ settingId: id, kind: 'firewall', policyIds: ['p'], outcome: 'enforce', value: desired }], {
      unsupported: new Map(),
      failed: new Map(),
      observedAfter: new Map([[id, observed]]),
      overridden: provider.overrides(),
    })[0];

  it('a GPO DefaultInboundAction that differs from ours is a conflict naming Group Policy, not a success or a bare error', async () => {
    const fw = new EmulatedWindowsFirewall();
    const provider = new WindowsFirewallProvider({ runner: fw.runner });
    const id = 'firewall.publicProfile.DefaultInboundAction';
    if (fw.gpo.profiles.Public) fw.gpo.profiles.Public.DefaultInboundAction = 'Allow';
    expect(await provider.apply([change(id, 1)])).toEqual([{ settingId: id, ok: true }]);
    expect(fw.mdm.get('PublicProfile')).toEqual({ DefaultInboundAction: 1 }); // ours is in the MDM store…
    const seen = (await provider.observe([id])).get(id);
    expect(seen).toBe(0); // …but the GPO's value is in force
    expect(status(id, 1, seen, provider)).toMatchObject({
      state: 'conflict',
      code: 'SETTING_OVERRIDDEN',
      message: 'Group Policy sets this setting and wins over this policy (in effect: 0)',
    });
    // The same value from the GPO is no conflict.
    expect(status(id, 0, seen, provider)).toMatchObject({ state: 'succeeded' });
  });

  it('through a whole sync (prepare, observe, apply, read back, overrides): GPO wins → conflict, stealth mode → succeeded', async () => {
    const fw = new EmulatedWindowsFirewall();
    if (fw.gpo.profiles.Domain) fw.gpo.profiles.Domain.DefaultInboundAction = 'Allow';
    fw.missing.set('PublicProfile', ['LogMaxFileSize']); // a build before Windows 11 22H2
    const wanted: [string, SettingValue][] = [
      ['firewall.domainProfile.DefaultInboundAction', 1],
      ['firewall.domainProfile.DisableStealthMode', true],
      ['firewall.publicProfile.LogMaxFileSize', 65536],
    ];
    const effective = wanted.map(([settingId, value]) => ({ settingId, kind: 'firewall' as const, policyIds: ['p'], outcome: 'enforce' as const, value }));
    const report = await applyEffective(effective, [new WindowsFirewallProvider({ runner: fw.runner })]);
    expect(settingStatuses(effective, report).map((s) => [s.settingId, s.state, s.code])).toEqual([
      ['firewall.domainProfile.DefaultInboundAction', 'conflict', 'SETTING_OVERRIDDEN'],
      ['firewall.domainProfile.DisableStealthMode', 'succeeded', undefined],
      ['firewall.publicProfile.LogMaxFileSize', 'notApplicable', 'SETTING_NOT_APPLICABLE'],
    ]);
  });

  it('stealth mode is enforced through the bridge and read back from the MDM store', async () => {
    const fw = new EmulatedWindowsFirewall();
    const provider = new WindowsFirewallProvider({ runner: fw.runner });
    await provider.prepare();
    const id = 'firewall.domainProfile.DisableStealthMode';
    expect(provider.unsupportedReason(id)).toBeUndefined();
    expect((await provider.observe([id])).get(id)).toBeUndefined(); // no MDM value: the local store decides, unread
    expect(await provider.apply([change(id, true)])).toEqual([{ settingId: id, ok: true }]);
    expect(fw.mdm.get('DomainProfile')?.DisableStealthMode).toBe(true);
    expect((await provider.observe([id])).get(id)).toBe(true);
    expect(provider.overrides().size).toBe(0);
    await provider.apply([change(id, undefined)]);
    expect((await provider.observe([id])).get(id)).toBeUndefined();
  });

  it('stealth mode wanted on (the CSP default) with no MDM value is written, never assumed (A5)', async () => {
    // A local admin may have set DisableStealthMode=1 in the local store; only the MDM value makes ours win.
    const fw = new EmulatedWindowsFirewall();
    const id = 'firewall.privateProfile.DisableStealthMode';
    const effective = [{ settingId: id, kind: 'firewall' as const, policyIds: ['p'], outcome: 'enforce' as const, value: false }];
    const report = await applyEffective(effective, [new WindowsFirewallProvider({ runner: fw.runner })]);
    expect(report.changes.map((c) => [c.settingId, c.from, c.to])).toEqual([[id, undefined, false]]);
    expect(fw.mdm.get('PrivateProfile')?.DisableStealthMode).toBe(false);
    expect(settingStatuses(effective, report).map((s) => s.state)).toEqual(['succeeded']);
  });

  it('firewall auditing goes to the Policy CSP Audit bridge instance and reads back as the effective audit policy', async () => {
    const fw = new EmulatedWindowsFirewall();
    fw.localAudit.ObjectAccess_AuditFilteringPlatformPacketDrop = 1;
    const provider = new WindowsFirewallProvider({ runner: fw.runner });
    const ids = ['firewall.audit.ObjectAccess_AuditFilteringPlatformConnection', 'firewall.audit.ObjectAccess_AuditFilteringPlatformPacketDrop'];
    expect(Object.fromEntries(await provider.observe(ids))).toEqual({ [ids[0] as string]: 0, [ids[1] as string]: 1 });
    await provider.apply(ids.map((id) => change(id, 2)));
    expect(fw.mdm.get('Audit')).toEqual({ ObjectAccess_AuditFilteringPlatformConnection: 2, ObjectAccess_AuditFilteringPlatformPacketDrop: 2 });
    expect([...(await provider.observe(ids)).values()]).toEqual([2, 2]);
    await provider.apply(ids.map((id) => change(id, undefined)));
    expect([...(await provider.observe(ids)).values()]).toEqual([0, 1]);
  });

  it('TLS network detection endpoints travel as one U+F000-joined string (Policy CSP NetworkListManager) and read back as the list', async () => {
    const fw = new EmulatedWindowsFirewall();
    const provider = new WindowsFirewallProvider({ runner: fw.runner });
    const list = 'firewall.networkListManager.AllowedTlsAuthenticationEndpoints';
    const name = 'firewall.networkListManager.ConfiguredTLSAuthenticationNetworkName';
    const endpoints = ['https://nls.corp.contoso.example', 'https://nls2.corp.contoso.example/probe'];
    expect(await provider.apply([change(list, endpoints), change(name, 'corp.contoso.example')])).toEqual([
      { settingId: list, ok: true },
      { settingId: name, ok: true },
    ]);
    expect(fw.mdm.get('NetworkListManager')).toEqual({
      AllowedTlsAuthenticationEndpoints: 'https://nls.corp.contoso.example\uF000https://nls2.corp.contoso.example/probe',
      ConfiguredTLSAuthenticationNetworkName: 'corp.contoso.example',
    });
    expect(Object.fromEntries(await provider.observe([list, name]))).toEqual({ [list]: endpoints, [name]: 'corp.contoso.example' });
    // Empty = not configured: the node is cleared, and an unset node reads as empty.
    await provider.apply([change(list, []), change(name, undefined)]);
    expect(fw.mdm.get('NetworkListManager')).toEqual({ AllowedTlsAuthenticationEndpoints: null, ConfiguredTLSAuthenticationNetworkName: null });
    expect(Object.fromEntries(await provider.observe([list, name]))).toEqual({ [list]: [], [name]: '' });
    const [bad] = await provider.apply([change(list, ['https://a\uF000https://b'])]);
    expect(bad).toMatchObject({ ok: false, code: 'SETTING_APPLY_FAILED' });
  });

  it('a local-store value is overridden by ours (MDM beats local), and stop managing brings it back', async () => {
    const fw = new EmulatedWindowsFirewall();
    const provider = new WindowsFirewallProvider({ runner: fw.runner });
    if (fw.local.profiles.Domain) fw.local.profiles.Domain.LogMaxSizeKilobytes = '8192';
    const id = 'firewall.domainProfile.LogMaxFileSize';
    await provider.apply([change(id, 65536)]);
    expect((await provider.observe([id])).get(id)).toBe(65536);
    await provider.apply([change(id, undefined)]);
    expect((await provider.observe([id])).get(id)).toBe(8192);
  });
});
