// Import tests for each export family of the MDE security settings management profiles, with exports built from the
// published Graph schema (settings-catalog instance types, Intune setting ids): Linux mdatp_managed, macOS
// com.microsoft.wdav preferences (exclusions, tags, option orders), the macOS application firewall and Windows firewall rules.
import { describe, expect, it } from 'vitest';
import { importIntunePolicy } from './import-policy.js';
import { choice, choices, FIREWALL_RULE, group, LINUX_MDATP, list, MAC_PREFS, policyFor, simple } from './testing/graph-fixtures.js';

const L = LINUX_MDATP;
const M = MAC_PREFS;
const R = FIREWALL_RULE;
const linux = (...i: unknown[]) => importIntunePolicy(policyFor('linux', 'microsoftSense', ...i));
const mac = (...i: unknown[]) => importIntunePolicy(policyFor('macOS', 'mdm,appleRemoteManagement', ...i));

describe('Linux antivirus and EDR (linux_mdatp_managed_*)', () => {
  it('maps engine, cloud and network protection keys with the Linux option order', () => {
    const r = linux(
      choice(`${L}antivirusengine_enforcementlevel`, '0'),
      choice(`${L}networkprotection_enforcementlevel`, '2'),
      choice(`${L}antivirusengine_nonexecmountpolicy`, '1'),
      choice(`${L}cloudservice_enabled`, 'true'),
      choice(`${L}cloudservice_diagnosticlevel`, '0'),
      choice(`${L}cloudservice_cloudblocklevel`, 'high_plus'),
      choice(`${L}cloudservice_automaticsamplesubmissionconsent`, 'safe'),
      choice(`${L}antivirusengine_exclusionsmergepolicy`, '1'),
      simple(`${L}antivirusengine_scanhistorymaximumitems`, 12000),
      list(`${L}antivirusengine_disallowedthreatactions`, ['allow', 'restore']),
      list(`${L}antivirusengine_unmonitoredfilesystems`, ['nfs', 'fuse']),
    );
    expect(r.unmapped).toEqual([]);
    const av = r.documents.find((d) => d.kind === 'antivirus')?.settings;
    expect(av).toMatchObject({
      'mdatp.antivirusEngine.enforcementLevel': 'real_time',
      'mdatp.networkProtection.enforcementLevel': 'block',
      'mdatp.antivirusEngine.nonExecMountPolicy': 'mute',
      'mdatp.cloudService.enabled': true,
      'mdatp.cloudService.diagnosticLevel': 'optional',
      'mdatp.cloudService.cloudBlockLevel': 'high_plus',
      'mdatp.cloudService.automaticSampleSubmissionConsent': 'safe',
      'mdatp.antivirusEngine.scanHistoryMaximumItems': 12000,
      'mdatp.antivirusEngine.disallowedThreatActions': ['allow', 'restore'],
      'mdatp.antivirusEngine.unmonitoredFilesystems': ['nfs', 'fuse'],
    });
    expect(r.documents.find((d) => d.kind === 'antivirusExclusions')?.settings).toEqual({ 'mdatp.antivirusEngine.exclusionsMergePolicy': 'admin_only' });
  });

  it('builds exclusion and threat-type items from group collections, and reports the deprecated switches', () => {
    const ex = `${L}antivirusengine_exclusions`;
    const tt = `${L}antivirusengine_threattypesettings`;
    const r = linux(
      group(ex, [
        [choice(`${ex}_item_$type`, '0', [simple(`${ex}_item_path`, '/var/lib/build'), choice(`${ex}_item_isdirectory`, 'true')])],
        [choice(`${ex}_item_$type`, '1', [simple(`${ex}_item_extension`, '.log')])],
        [choice(`${ex}_item_$type`, '2', [simple(`${ex}_item_name`, 'java')])],
      ]),
      group(tt, [[choice(`${tt}_item_key`, '0'), choice(`${tt}_item_value`, '1')]]),
      choice(`${L}antivirusengine_enablerealtimeprotection`, 'true'),
      choice(`${L}antivirusengine_passivemode`, 'false'),
    );
    expect(r.documents.find((d) => d.kind === 'antivirusExclusions')?.settings['mdatp.antivirusEngine.exclusions']).toEqual([
      { $type: 'excludedPath', path: '/var/lib/build', isDirectory: true },
      { $type: 'excludedFileExtension', extension: '.log' },
      { $type: 'excludedFileName', name: 'java' },
    ]);
    expect(r.documents.find((d) => d.kind === 'antivirus')?.settings['mdatp.antivirusEngine.threatTypeSettings']).toEqual([
      { key: 'potentially_unwanted_application', value: 'block' },
    ]);
    expect(r.unmapped.map((u) => u.reason)).toEqual(['deprecated', 'deprecated']);
  });

  it('maps the EDR GROUP tag and group ids', () => {
    const tags = `${L}edr_tags`;
    const r = linux(group(tags, [[choice(`${tags}_item_key`, '0'), simple(`${tags}_item_value`, 'Finance')]]), simple(`${L}edr_groupids`, 'grp-1'));
    expect(r.unmapped).toEqual([]);
    expect(r.documents).toEqual([expect.objectContaining({ kind: 'edr', settings: { 'mdatp.edr.tags': ['Finance'], 'mdatp.edr.groupIds': 'grp-1' } })]);
  });
});

describe('macOS com.microsoft.wdav preferences', () => {
  it('reads option indexes in the manifest order (enforcement level, diagnostic level, network protection)', () => {
    const r = mac(
      choice(`${M}enforcementlevel_antivirusengine`, '2'),
      choice(`${M}diagnosticlevel`, '0'),
      choice(`${M}enforcementlevel`, '1'),
      choice(`${M}enforcementlevel_tamperprotection`, '2'),
    );
    expect(r.unmapped).toEqual([]);
    expect(r.documents.find((d) => d.kind === 'antivirus')?.settings).toEqual({
      'mdatp.antivirusEngine.enforcementLevel': 'real_time',
      'mdatp.cloudService.diagnosticLevel': 'optional',
      'mdatp.networkProtection.enforcementLevel': 'audit',
    });
    expect(r.documents.find((d) => d.kind === 'securityExperience')?.settings).toEqual({ 'mdatp.tamperProtection.enforcementLevel': 'block' });
  });

  it('maps scan exclusions and device tags', () => {
    const ex = `${M}exclusions`;
    const tags = `${M}tags`;
    const r = mac(
      group(ex, [[choice(`${ex}_item_$type`, '0', [simple(`${ex}_item_path`, '/Applications/Build.app'), choice(`${ex}_item_isdirectory`, 'false')])]]),
      group(tags, [[choice(`${tags}_item_key`, '0'), simple(`${tags}_item_value`, 'Design')]]),
    );
    expect(r.unmapped).toEqual([]);
    expect(r.documents.find((d) => d.kind === 'antivirusExclusions')?.settings['mdatp.antivirusEngine.exclusions']).toEqual([
      { $type: 'excludedPath', path: '/Applications/Build.app', isDirectory: false },
    ]);
    expect(r.documents.find((d) => d.kind === 'edr')?.settings['mdatp.edr.tags']).toEqual(['Design']);
  });

  it('maps the application firewall payload and says which keys the catalog lacks', () => {
    const fw = 'com.apple.security.firewall_';
    const r = mac(
      group(`${fw}com.apple.security.firewall`, [
        [choice(`${fw}enablefirewall`, 'true'), choice(`${fw}blockallincoming`, 'false'), choice(`${fw}enablestealthmode`, 'true')],
      ]),
      choice(`${fw}loggingoption`, 'detail'),
      group(`${fw}applications`, [[simple(`${fw}applications_item_bundleid`, 'com.example.app')]]),
    );
    expect(r.documents.find((d) => d.kind === 'firewall')?.settings).toEqual({
      'macosFirewall.EnableFirewall': true,
      'macosFirewall.BlockAllIncoming': false,
      'macosFirewall.EnableStealthMode': true,
      'macosFirewall.LoggingOption': 'detail',
    });
    expect(r.unmapped).toEqual([expect.objectContaining({ reason: 'notInCatalog', settingDefinitionId: `${fw}applications_item_bundleid` })]);
  });

  it('reports the deprecated real-time and passive switches as deprecated', () => {
    const r = mac(choice(`${M}enablerealtimeprotection`, 'true'), choice(`${M}passivemode`, 'false'));
    expect(r.unmapped.map((u) => u.reason)).toEqual(['deprecated', 'deprecated']);
  });

  it('reports device-preparation payloads as out of scope', () => {
    const r = mac(choice('com.apple.tcc.configuration-profile-policy_services_systempolicyallfiles', '0'), choice('com.apple.system-extension-policy_x', '0'));
    expect(r.unmapped.map((u) => u.reason)).toEqual(['outOfScope', 'outOfScope']);
  });
});

describe('ids other helpers add in issue 16 (D5: pass once the lead merges their catalog entries)', () => {
  it('maps macOS early preview and system extensions, Linux global exclusions and the Windows device tag', () => {
    const ex = `${L}exclusionsettings_exclusions`;
    const m = mac(choice(`${M}earlypreview`, 'false'), choice(`${M}systemextensions`, '0'));
    expect(m.unmapped).toEqual([]);
    expect(m.documents.find((d) => d.kind === 'edr')?.settings).toEqual({ 'mdatp.edr.earlyPreview': false });
    expect(m.documents.find((d) => d.kind === 'antivirus')?.settings).toEqual({ 'mdatp.features.systemExtensions': 'enabled' });
    const l = linux(group(ex, [[choice(`${ex}_item_$type`, '0', [simple(`${ex}_item_path`, '/opt/app'), choice(`${ex}_item_isdirectory`, 'true')])]]));
    expect(l.unmapped).toEqual([]);
    expect(l.documents[0]?.settings['mdatp.exclusionSettings.exclusions']).toEqual([{ $type: 'excludedPath', path: '/opt/app', isDirectory: true }]);
    const w = importIntunePolicy(
      policyFor('windows10', 'mdm,microsoftSense', simple('device_vendor_msft_windowsadvancedthreatprotection_devicetagging_group', 'Finance')),
    );
    expect(w.documents[0]?.settings).toEqual({ 'edr.DeviceTagGroup': 'Finance' });
  });

  it('maps the firewall template’s audit settings, the macOS signed-app switches and the rule’s LocalUserAuthorizedList', () => {
    const audit = 'device_vendor_msft_policy_config_audit_objectaccess_';
    const w = importIntunePolicy(
      policyFor(
        'windows10',
        'mdm,microsoftSense',
        choice(`${audit}auditfilteringplatformconnection`, '2'),
        choice(`${audit}auditfilteringplatformpacketdrop`, '3'),
        choice(`${audit}somethingelse`, '1'),
        group(R, [[simple(`${R}_name`, 'Admins only'), simple(`${R}_localuserauthorizedlist`, 'O:LSD:(A;;CC;;;BA)')]]),
      ),
    );
    expect(w.unmapped.map((u) => u.reason)).toEqual(['outOfScope']);
    expect(w.documents.find((d) => d.kind === 'firewall')?.settings).toEqual({
      'firewall.audit.ObjectAccess_AuditFilteringPlatformConnection': 2,
      'firewall.audit.ObjectAccess_AuditFilteringPlatformPacketDrop': 3,
    });
    expect(w.documents.find((d) => d.kind === 'firewallRules')?.settings['firewallRules.rules']).toEqual([
      { name: 'Admins only', localUserAuthorizedList: 'O:LSD:(A;;CC;;;BA)', enabled: false },
    ]);
    const m = mac(choice('com.apple.security.firewall_allowsigned', 'true'), choice('com.apple.security.firewall_allowsignedapp', 'false'));
    expect(m.documents[0]?.settings).toEqual({ 'macosFirewall.AllowSigned': true, 'macosFirewall.AllowSignedApp': false });
  });
});

describe('Windows firewall rules (MdmStore/FirewallRules/{name})', () => {
  it('builds one rule per group item, with profiles as a bitmask and a rule without enabled disabled', () => {
    const r = importIntunePolicy(
      policyFor(
        'windows10',
        'mdm,microsoftSense',
        group(R, [
          [
            simple(`${R}_name`, 'Allow RDP'),
            choice(`${R}_enabled`, '1'),
            choice(`${R}_direction`, 'in'),
            choice(`${R}_action_type`, '1'),
            simple(`${R}_protocol`, 6),
            list(`${R}_localportranges`, ['3389']),
            list(`${R}_remoteaddressranges`, ['10.0.0.0/8']),
            choices(`${R}_profiles`, ['1', '2']),
            choices(`${R}_interfacetypes`, ['lan', 'wireless']),
          ],
          [
            simple(`${R}_name`, 'Block telnet'),
            choice(`${R}_direction`, 'out'),
            choice(`${R}_action_type`, '0'),
            simple(`${R}_protocol`, 6),
            list(`${R}_remoteportranges`, ['23', '992']),
          ],
        ]),
      ),
    );
    expect(r.unmapped).toEqual([]);
    expect(r.documents).toEqual([
      expect.objectContaining({
        kind: 'firewallRules',
        settings: {
          'firewallRules.rules': [
            {
              name: 'Allow RDP',
              enabled: true,
              direction: 'IN',
              action: 1,
              protocol: 6,
              localPortRanges: '3389',
              remoteAddressRanges: ['10.0.0.0/8'],
              profiles: 3,
              interfaceTypes: ['Lan', 'Wireless'],
            },
            { name: 'Block telnet', direction: 'OUT', action: 0, protocol: 6, remotePortRanges: '23,992', enabled: false },
          ],
        },
      }),
    ]);
  });

  it('reports the rule nodes the catalog does not model, with the reason', () => {
    const r = importIntunePolicy(
      policyFor(
        'windows10',
        'mdm',
        group(R, [[simple(`${R}_name`, 'A'), list(`${R}_remoteaddressdynamickeywords`, ['kw-1']), simple(`${R}_policyappid`, 'tag')]]),
      ),
    );
    expect(r.unmapped.map((u) => [u.settingDefinitionId, u.reason])).toEqual([
      [`${R}_remoteaddressdynamickeywords`, 'notInCatalog'],
      [`${R}_policyappid`, 'notInCatalog'],
    ]);
    expect(r.documents[0]?.settings['firewallRules.rules']).toEqual([{ name: 'A', enabled: false }]);
  });

  it('keeps one value when the rule id and name agree, and reports a real clash', () => {
    const one = importIntunePolicy(policyFor('windows10', 'mdm', group(R, [[simple(`${R}_name`, 'A'), simple(`${R}_firewallrulename`, 'A')]])));
    expect(one.unmapped).toEqual([]);
    expect(one.mapped).toHaveLength(2);
    const two = importIntunePolicy(policyFor('windows10', 'mdm', group(R, [[simple(`${R}_name`, 'A'), simple(`${R}_firewallrulename`, 'B')]])));
    expect(two.unmapped).toEqual([expect.objectContaining({ reason: 'unknown', settingDefinitionId: `${R}_firewallrulename` })]);
  });
});
