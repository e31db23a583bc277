// The Windows Firewall catalog corrections against the Firewall CSP (issue 16): the real node name
// LocalUserAuthorizedList, InterfaceTypes with MBB and All, ICMP entries without "*:*", LogMaxFileSize's CSP range, a
// rule without `enabled` documented as disabled, and the profile's audit / TLS settings. Values the endpoint accepts or refuses.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { settingById, valueSchemaOf } from './index.js';

const ajv = new Ajv2020({ strict: true, allErrors: true });
const validator = (id: string) => {
  const s = settingById(id);
  if (!s) throw new Error(`no setting ${id}`);
  return ajv.compile(valueSchemaOf(s));
};
const rules = validator('firewallRules.rules');
const rule = (item: Record<string, unknown>) => rules([{ name: 'r', ...item }]);

describe('Windows Firewall catalog (Firewall CSP)', () => {
  it('names the SDDL field LocalUserAuthorizedList as the CSP does; the old name is refused', () => {
    expect(rule({ localUserAuthorizedList: 'O:LSD:(A;;CC;;;S-1-5-18)' })).toBe(true);
    expect(rule({ localUserAuthorizationList: 'O:LSD:(A;;CC;;;S-1-5-18)' })).toBe(false);
  });

  it('accepts the CSP interface types, MBB included, and "All" only alone', () => {
    expect(rule({ interfaceTypes: ['RemoteAccess', 'Wireless', 'Lan', 'MBB'] })).toBe(true);
    expect(rule({ interfaceTypes: ['All'] })).toBe(true);
    expect(rule({ interfaceTypes: ['All', 'Lan'] })).toBe(false);
    expect(rule({ interfaceTypes: ['Wired'] })).toBe(false);
    expect(rule({ interfaceTypes: [] })).toBe(false);
  });

  it('accepts ICMP type:code lists and a lone "*", refuses "*:*" and "*:<code>", and needs protocol 1 or 58', () => {
    for (const ok of ['*', '8', '8:*', '3:4,11:0', '0:0']) expect(rule({ protocol: 1, icmpTypesAndCodes: ok }), ok).toBe(true);
    expect(rule({ protocol: 58, icmpTypesAndCodes: '128:*' })).toBe(true);
    for (const bad of ['*:*', '*:4', '8,*:*', '256', '8:', '*,3:4', '3:4,*']) expect(rule({ protocol: 1, icmpTypesAndCodes: bad }), bad).toBe(false);
    expect(rule({ protocol: 6, icmpTypesAndCodes: '8' })).toBe(false);
    expect(rule({ icmpTypesAndCodes: '8' })).toBe(false);
  });

  it('takes the remote address keywords of the current CSP page and the older spellings', () => {
    for (const k of ['RemoteCorpNetwork', 'RmtIntranet', 'PlayToRenderers', 'Ply2Renders', 'LocalSubnet'])
      expect(rule({ remoteAddressRanges: [k] }), k).toBe(true);
    expect(rule({ remoteAddressRanges: ['CorpNetwork'] })).toBe(false);
  });

  it('takes one App Control AppId tag (policyAppId), never together with serviceName', () => {
    expect(rule({ policyAppId: 'Contoso.Browsers:v2/edge_1' })).toBe(true);
    expect(rule({ policyAppId: 'Contoso Browsers' })).toBe(false);
    expect(rule({ policyAppId: 'Contoso.Browsers', serviceName: 'wuauserv' })).toBe(false);
    expect(rule({ policyAppId: 'Contoso.Browsers', filePath: 'C:\\a.exe' })).toBe(true);
  });

  it('documents that a rule without enabled is disabled (the CSP default)', () => {
    const schema = settingById('firewallRules.rules')?.itemSchema as { properties: { enabled: { description: string } } };
    expect(schema.properties.enabled.description).toMatch(/default false/);
    expect(settingById('firewallRules.rules')?.description).toMatch(/without enabled is disabled/);
  });

  it('models the Auditing and TLS network-detection settings of Intune’s Windows Firewall profile', () => {
    const connection = validator('firewall.audit.ObjectAccess_AuditFilteringPlatformConnection');
    for (const v of [0, 1, 2, 3]) expect(connection(v)).toBe(true);
    expect(connection(4)).toBe(false);
    const endpoints = validator('firewall.networkListManager.AllowedTlsAuthenticationEndpoints');
    expect(endpoints(['https://nls.corp.contoso.example', 'https://nls2.corp.contoso.example/probe'])).toBe(true);
    for (const bad of ['http://nls.corp.contoso.example', 'https://a b', 'https://a\uF000https://b', 'nls.corp']) expect(endpoints([bad]), bad).toBe(false);
    const name = validator('firewall.networkListManager.ConfiguredTLSAuthenticationNetworkName');
    expect(name('corp.contoso.example')).toBe(true);
    expect(name('a\nb')).toBe(false);
  });

  it('takes LogMaxFileSize over the CSP range 0–4294967295, default 1024', () => {
    const size = validator('firewall.publicProfile.LogMaxFileSize');
    for (const ok of [0, 1024, 32768, 4294967295]) expect(size(ok), String(ok)).toBe(true);
    for (const bad of [-1, 4294967296, 1.5]) expect(size(bad), String(bad)).toBe(false);
    expect(settingById('firewall.publicProfile.LogMaxFileSize')?.default).toBe(1024);
  });
});
