// Boundary tests of the macOS Defender for Endpoint providers: the exact com.microsoft.wdav property list a policy
// produces, root:wheel 0644, foreign keys kept exactly, files we cannot represent left alone, tamper protection
// verified through mdatp health, and hostile values staying inert XML text.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import type { SettingChange } from '../../core/plan.js';
import { MDATP_NOT_INSTALLED } from '../mdatp/cli.js';
import type { MdatpProvider } from '../mdatp/provider.js';
import { testHost } from '../mdatp/testing/test-host.js';
import { parsePlist } from './plist.js';
import { createMacosMdatpProviders, MACOS_WDAV_MANAGED_PATH, PLIST_CODEC } from './wdav-providers.js';

const PATH = MACOS_WDAV_MANAGED_PATH;

function setup(options: Parameters<typeof testHost>[3] & { owner?: { uid: number; gid: number } | null } = {}) {
  const { owner = { uid: 0, gid: 0 }, ...emulated } = options;
  const host = testHost('macos', PATH, PLIST_CODEC, emulated);
  const providers = createMacosMdatpProviders({ runner: host.runner, files: host.files, sleep: host.sleep }, { owner, verify: { attempts: 2, delayMs: 250 } });
  const by = (kind: string): MdatpProvider => {
    const p = providers.find((x) => x.kind === kind);
    if (!p) throw new Error(`no ${kind} provider`);
    return p;
  };
  return { host, providers, av: by('antivirus'), exclusions: by('antivirusExclusions'), edr: by('edr'), experience: by('securityExperience') };
}

function set(settingId: string, to: SettingValue | undefined, kind = 'antivirus'): SettingChange {
  return { settingId, kind: kind as SettingChange['kind'], from: undefined, to };
}

// As an MDM or admin left it: keys of others, a real that must stay a real, a nested dict, an empty array.
const FOREIGN = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>PayloadUUID</key>
	<string>5E6F2C1A-0B3D-4E5F-8A9B-C0D1E2F3A4B5</string>
	<key>antivirusEngine</key>
	<dict>
		<key>scanHistoryMaximumItems</key>
		<real>12000.0</real>
		<key>vendorFlag</key>
		<true/>
	</dict>
	<key>userInterface</key>
	<dict>
		<key>hideStatusMenuIcon</key>
		<false/>
	</dict>
	<key>otherVendor</key>
	<dict>
		<key>list</key>
		<array/>
		<key>escaped</key>
		<string>a &lt;b&gt; &amp; c</string>
	</dict>
</dict>
</plist>
`;

describe('createMacosMdatpProviders', () => {
  it('drops the key of a setting that no longer applies on macOS (written by an earlier agent) at the next write of its kind', async () => {
    const { host, av, edr } = setup();
    const earlier = FOREIGN.replace(
      '<key>userInterface</key>',
      '<key>networkProtection</key>\n\t<dict>\n\t\t<key>disableIcmpInspection</key>\n\t\t<true/>\n\t</dict>\n\t<key>userInterface</key>',
    );
    await host.files.writeAtomic(PATH, earlier);
    const keys = async () => Object.keys(PLIST_CODEC.parse((await host.files.read(PATH)) ?? '') as object);
    // Another kind's write leaves it (not that provider's setting).
    await edr.apply([set('mdatp.edr.groupIds', 'finance', 'edr')]);
    expect(await keys()).toContain('networkProtection');
    expect(await av.apply([set('mdatp.antivirusEngine.scanArchives', true)])).toEqual([{ settingId: 'mdatp.antivirusEngine.scanArchives', ok: true }]);
    expect(await keys()).toEqual(['PayloadUUID', 'antivirusEngine', 'userInterface', 'otherVendor', 'edr']);
  });

  it('returns one provider per kind with macOS mdatp settings', () => {
    expect(setup().providers.map((p) => p.kind)).toEqual(['antivirus', 'antivirusExclusions', 'edr', 'securityExperience']);
  });

  it('writes exactly the expected property list for a policy, root:wheel 0644, and reads it back', async () => {
    const { host, av, exclusions, edr, experience } = setup();
    const batches: [MdatpProvider, SettingChange[]][] = [
      [
        av,
        [
          set('mdatp.antivirusEngine.enforcementLevel', 'real_time'),
          set('mdatp.antivirusEngine.scanHistoryMaximumItems', 12000),
          set('mdatp.cloudService.definitionUpdatesInterval', 3600),
          set('mdatp.cloudService.automaticSampleSubmission', false),
          set('mdatp.userInterface.consumerExperience', 'disabled'),
          set('mdatp.features.systemExtensions', 'enabled'),
        ],
      ],
      [exclusions, [set('mdatp.antivirusEngine.exclusions', [{ $type: 'excludedFileName', name: 'java' }], 'antivirusExclusions')]],
      // earlyPreview is verified: the emulated health prints edr_early_preview_enabled from the file.
      [edr, [set('mdatp.edr.tags', ['paw'], 'edr'), set('mdatp.edr.earlyPreview', true, 'edr')]],
      [
        experience,
        [
          set('mdatp.tamperProtection.enforcementLevel', 'block', 'securityExperience'),
          set(
            'mdatp.tamperProtection.exclusions',
            [{ path: '/usr/local/bin/mdm-agent', teamId: 'ABCDE12345', signingId: 'com.example.agent', args: ['--sync'] }],
            'securityExperience',
          ),
        ],
      ],
    ];
    for (const [provider, changes] of batches) {
      expect(await provider.apply(changes)).toEqual(changes.map((c) => ({ settingId: c.settingId, ok: true })));
      const seen = await provider.observe(changes.map((c) => c.settingId));
      for (const c of changes) expect(seen.get(c.settingId)).toEqual(c.to);
    }
    expect(await host.files.read(PATH)).toBe(readFileSync(new URL('testdata/wdav-managed-expected.plist', import.meta.url), 'utf8'));
    expect(new Set(host.files.writes.map((w) => JSON.stringify(w.options)))).toEqual(new Set([JSON.stringify({ mode: 0o644, uid: 0, gid: 0 })]));
    expect(host.files.dirs.get('/Library/Managed Preferences')).toBe(0o755);
    expect(new Set(host.mdatpCalls().map((a) => a.join(' ')))).toEqual(new Set(['health --output json']));
    expect(host.runner.calls.every((c) => c.file === '/usr/local/bin/mdatp')).toBe(true);
  });

  it('keeps foreign keys exactly (a real stays a real) and restores the file when its values are removed', async () => {
    const { host, av } = setup();
    await host.files.writeAtomic(PATH, FOREIGN);
    expect((await av.observe(['mdatp.antivirusEngine.scanHistoryMaximumItems'])).get('mdatp.antivirusEngine.scanHistoryMaximumItems')).toBe(12000);
    await av.apply([set('mdatp.cloudService.enabled', false), set('mdatp.userInterface.hideStatusMenuIcon', true)]);
    const during = (await host.files.read(PATH)) ?? '';
    expect(during).toContain('<real>12000.0</real>');
    expect(during).toContain('<string>a &lt;b&gt; &amp; c</string>');
    await av.apply([set('mdatp.cloudService.enabled', undefined), set('mdatp.userInterface.hideStatusMenuIcon', false)]);
    // Byte for byte: the writer's layout is Apple's, so an Apple-written file round-trips unchanged.
    expect(await host.files.read(PATH)).toBe(FOREIGN);
  });

  it('leaves a file it cannot represent alone, with the reason', async () => {
    const { host, av } = setup();
    const withDate = FOREIGN.replace('<array/>', '<date>2024-01-01T00:00:00Z</date>');
    await host.files.writeAtomic(PATH, withDate);
    const [result] = await av.apply([set('mdatp.cloudService.enabled', false)]);
    expect(result).toMatchObject({ ok: false, code: 'SETTING_APPLY_FAILED' });
    expect(result?.ok === false && result.message).toMatch(
      /^\/Library\/Managed Preferences\/com\.microsoft\.wdav\.plist is not a valid XML property list document, left unchanged: .*unsupported plist element <date>/,
    );
    expect(await host.files.read(PATH)).toBe(withDate);
  });

  it('verifies tamper protection through mdatp health', async () => {
    const { host, experience } = setup({ ignored: new Set(['mdatp.tamperProtection.enforcementLevel']) });
    expect(await experience.apply([set('mdatp.tamperProtection.enforcementLevel', 'block', 'securityExperience')])).toEqual([
      {
        settingId: 'mdatp.tamperProtection.enforcementLevel',
        ok: false,
        code: 'SETTING_NOT_ENFORCED',
        message: 'mdatp health reports tamper_protection="disabled", expected "block" for "block"',
      },
    ]);
    expect(host.sleeps).toEqual([250]);
  });

  it('reports a system-extensions value not enforced while the real-time subsystem says otherwise', async () => {
    const { av } = setup({ ignored: new Set(['mdatp.features.systemExtensions']) });
    // The emulated mdatp keeps its default (enabled → endpoint_security_extension); the policy asks for disabled.
    expect(await av.apply([set('mdatp.features.systemExtensions', 'disabled')])).toEqual([
      {
        settingId: 'mdatp.features.systemExtensions',
        ok: false,
        code: 'SETTING_NOT_ENFORCED',
        message: 'mdatp health reports real_time_protection_subsystem="endpoint_security_extension", expected "kernel_extension" for "disabled"',
      },
    ]);
  });

  it('verifies EDR early preview through mdatp health, and refuses a second GROUP tag', async () => {
    const { host, edr } = setup({ ignored: new Set(['mdatp.edr.earlyPreview']) });
    expect(await edr.apply([set('mdatp.edr.earlyPreview', true, 'edr')])).toEqual([
      {
        settingId: 'mdatp.edr.earlyPreview',
        ok: false,
        code: 'SETTING_NOT_ENFORCED',
        message: 'mdatp health reports edr_early_preview_enabled=false, expected true for true',
      },
    ]);
    // "Only one value per tag type can be set" (mac-preferences): the catalog's limit, refused before any write.
    const [twoTags] = await edr.apply([set('mdatp.edr.tags', ['paw', 'finance'], 'edr')]);
    expect(twoTags).toMatchObject({ ok: false, code: 'POLICY_INVALID', message: expect.stringMatching(/accepts one value only/) });
    expect(parsePlist((await host.files.read(PATH)) ?? '')).toEqual({ edr: { earlyPreview: true } });
  });

  it('owns only the macOS keys: Linux-only ones are not applicable with the reason', () => {
    const { av, edr } = setup();
    expect(av.unsupportedReason('mdatp.networkProtection.disableIcmpInspection')).toBe(
      'mdatp.networkProtection.disableIcmpInspection does not apply to macOS (Linux only)',
    );
    expect(edr.unsupportedReason('mdatp.exclusionSettings.exclusions')).toBe('mdatp.exclusionSettings.exclusions does not apply to macOS (Linux only)');
    expect(av.unsupportedReason('mdatp.features.systemExtensions')).toBeUndefined();
    expect(edr.unsupportedReason('mdatp.edr.earlyPreview')).toBeUndefined();
  });

  it('says mdatp is not installed', async () => {
    const { experience } = setup({ installed: false });
    await experience.refreshInstallState();
    expect(experience.unsupportedReason('mdatp.tamperProtection.enforcementLevel')).toBe(MDATP_NOT_INSTALLED);
    expect(experience.unsupportedReason('securityCenter.CompanyName')).toBe('securityCenter.CompanyName does not apply to macOS (Windows only)');
  });
});

describe('hostile values', () => {
  const HOSTILE = [
    '/Users/a"b\'c',
    '/tmp/$(rm -rf ~)',
    '/tmp/`id`',
    '/tmp/x; reboot | tee & echo',
    '/tmp/]]></string><true/><string>',
    '/tmp/<!-- --> <![CDATA[ x ]]> &amp; &#0;',
    '/tmp/../../etc/master.passwd',
  ];

  it('end up as escaped property-list strings that read back exactly', async () => {
    const { host, exclusions } = setup();
    const value = HOSTILE.map((path) => ({ $type: 'excludedPath', path }));
    expect(await exclusions.apply([set('mdatp.antivirusEngine.exclusions', value, 'antivirusExclusions')])).toEqual([
      { settingId: 'mdatp.antivirusEngine.exclusions', ok: true },
    ]);
    const text = (await host.files.read(PATH)) ?? '';
    expect(text).not.toContain(']]>');
    expect(text).toContain('<string>/tmp/]]&gt;&lt;/string&gt;&lt;true/&gt;&lt;string&gt;</string>');
    expect((parsePlist(text) as { antivirusEngine: { exclusions: unknown } }).antivirusEngine.exclusions).toEqual(value);
    expect((await exclusions.observe(['mdatp.antivirusEngine.exclusions'])).get('mdatp.antivirusEngine.exclusions')).toEqual(value);
    for (const call of host.runner.calls) for (const h of HOSTILE) expect([call.file, ...call.args].join(' ')).not.toContain(h);
  });

  it('refuses a NUL or a control character with a clear error and writes nothing', async () => {
    const { host, exclusions, edr } = setup();
    expect(await exclusions.apply([set('mdatp.antivirusEngine.exclusions', [{ $type: 'excludedPath', path: '/tmp/a\0b' }], 'antivirusExclusions')])).toEqual([
      {
        settingId: 'mdatp.antivirusEngine.exclusions',
        ok: false,
        code: 'POLICY_INVALID',
        message: 'mdatp.antivirusEngine.exclusions: NUL character in [0].path; mdatp cannot take it',
      },
    ]);
    // XML 1.0 cannot carry it, and the catalog refuses it (text.ts), so the endpoint had refused it already: the
    // provider's verify step gives the endpoint's answer; the plist writer's own check (plist.test.ts) never fires.
    expect(await edr.apply([set('mdatp.edr.tags', ['bell\u0007'], 'edr')])).toEqual([
      {
        settingId: 'mdatp.edr.tags',
        ok: false,
        code: 'POLICY_INVALID',
        message: expect.stringMatching(/^mdatp\.edr\.tags is invalid: \/settings\/mdatp\.edr\.tags\/0 must not contain control characters/),
      },
    ]);
    expect(await host.files.read(PATH)).toBeUndefined();
  });
});
