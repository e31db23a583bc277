// Policy-level enforcement against the three emulated stores (issue 16, D1): lists and ASR rules written to the MDM
// store stay in force under DisableLocalAdminMerge = 1; a GPO value is reported as a conflict naming the GPO; a
// bridge class without a property (older build) falls back to the Policies key; effective mismatches without a GPO
// are not enforced; edition-limited ASR rules are notApplicable on the other edition; DWORDs above 2^31-1 survive.
import { describe, expect, it } from 'vitest';
import { ScriptedCommandRunner } from '../../system/command-runner.js';
import { WindowsDefenderProvider } from './defender-provider.js';
import { applyPolicy, DEFENDER, expectOnePowerShellApply } from './testing/defender-apply.js';
import { DefenderEmulator } from './testing/defender-emulator.js';

const EMAIL = 'be9ba2d9-53ea-4cdc-84e5-9b1eeee46550';
const OFFICE = 'd4f940ab-401b-4efc-aadc-ad5f3c50688a';
const WEBSHELL = 'a8f5898e-1dc8-49a9-9878-85004b8a61e6';
const WIN32 = '92e97fa1-2edf-4476-bdd6-9dd0b4dddc7b';
const states = (s: Awaited<ReturnType<typeof applyPolicy>>) => Object.fromEntries(s.statuses.map((x) => [x.settingId, x.state]));

describe('(a) DisableLocalAdminMerge = 1 with exclusions and ASR rules from our policies (the shared corpus case)', () => {
  it('writes them to the MDM store, so Defender keeps them in force; a local list item is what it ignores', async () => {
    const host = new DefenderEmulator();
    host.local.ExclusionPath = ['C:\\LocalOnly'];
    const av = await applyPolicy('antivirus', { 'defenderConfig.DisableLocalAdminMerge': 1, 'defender.PUAProtection': 1 }, host);
    const ex = await applyPolicy('antivirusExclusions', { 'defender.ExcludedPaths': ['C:\\Build'], 'defender.ExcludedExtensions': ['.log'] }, host);
    const asr = await applyPolicy(
      'asr',
      { [`asr.${EMAIL}`]: 'block', [`asr.${OFFICE}`]: 'audit', 'defender.AttackSurfaceReductionOnlyExclusions': ['C:\\Tools\\build.exe'] },
      host,
    );
    for (const run of [av, ex, asr]) for (const s of run.statuses) expect(s.state, `${s.settingId}: ${s.message}`).toBe('succeeded');
    expect(expectOnePowerShellApply(ex.runs.slice(-3))).toEqual({
      bridge: [
        {
          cls: 'Defender',
          property: 'ExcludedPaths',
          value: 'C:\\Build',
          step: 'defender.ExcludedPaths',
          fallback: [
            {
              op: 'values',
              key: `${DEFENDER}\\Exclusions\\Paths`,
              set: [{ name: 'C:\\Build', data: '0' }],
              exact: true,
              flagKey: `${DEFENDER}\\Exclusions`,
              flag: 'Exclusions_Paths',
            },
          ],
        },
        {
          cls: 'Defender',
          property: 'ExcludedExtensions',
          value: '.log',
          step: 'defender.ExcludedExtensions',
          fallback: [
            {
              op: 'values',
              key: `${DEFENDER}\\Exclusions\\Extensions`,
              set: [{ name: '.log', data: '0' }],
              exact: true,
              flagKey: `${DEFENDER}\\Exclusions`,
              flag: 'Exclusions_Extensions',
            },
          ],
        },
      ],
      registry: [],
      preference: { mp: {}, reset: [], add: {}, remove: {} },
    });
    expect(host.bridge.Defender).toMatchObject({ ExcludedPaths: 'C:\\Build', PUAProtection: 1, AttackSurfaceReductionRules: `${EMAIL}=1|${OFFICE}=2` });
    expect(host.read(DEFENDER, 'DisableLocalAdminMerge')?.value).toBe(1);
    expect(host.preference().ExclusionPath).toEqual(['C:\\Build']);
    expect((host.preference().AttackSurfaceReductionRules_Ids as string[]).sort()).toEqual([EMAIL, OFFICE].sort());
  });
});

describe('(b) a GPO sets PUAProtection differently', () => {
  it('is a conflict naming the GPO, not a success; the MDM store still holds our value', async () => {
    const host = new DefenderEmulator();
    host.setGpo('Contoso AV baseline', DEFENDER, 'PUAProtection', 'DWord', 2);
    const run = await applyPolicy('antivirus', { 'defender.PUAProtection': 1, 'defender.CloudBlockLevel': 2 }, host);
    expect(run.after.get('defender.PUAProtection')).toBe(2);
    expect(run.overrides.get('defender.PUAProtection')).toEqual({ source: "Group Policy 'Contoso AV baseline'", effective: 2 });
    const status = run.statuses.find((s) => s.settingId === 'defender.PUAProtection');
    expect(status).toMatchObject({ state: 'conflict', code: 'SETTING_OVERRIDDEN', desired: 1, observed: 2 });
    expect(status?.message).toContain("Group Policy 'Contoso AV baseline'");
    expect(states(run)['defender.CloudBlockLevel']).toBe('succeeded');
    expect(host.bridge.Defender?.PUAProtection).toBe(1);
  });

  it('a GPO that sets the same value as ours is no conflict', async () => {
    const host = new DefenderEmulator();
    host.setGpo('Contoso AV baseline', DEFENDER, 'PUAProtection', 'DWord', 1);
    expect(states(await applyPolicy('antivirus', { 'defender.PUAProtection': 1 }, host))).toEqual({ 'defender.PUAProtection': 'succeeded' });
  });

  it('reads the golden observe output of such a device (RSoP names the GPO of the value and of a list item)', async () => {
    const golden = (await import('./testdata/defender-observe-gpo.json', { with: { type: 'json' } })).default;
    const runner = new ScriptedCommandRunner(() => ({ code: 0, stdout: JSON.stringify(golden) }));
    const av = new WindowsDefenderProvider('antivirus', { runner });
    expect(await av.observe(['defender.PUAProtection', 'defender.ThreatSeverityDefaultAction'])).toEqual(
      new Map<string, unknown>([
        ['defender.PUAProtection', 2],
        ['defender.ThreatSeverityDefaultAction', '4=3|5=3'],
      ]),
    );
    expect([...av.overrides()]).toEqual([['defender.PUAProtection', { source: "Group Policy 'Contoso AV baseline'", effective: 2 }]]);
    const ex = new WindowsDefenderProvider('antivirusExclusions', { runner });
    expect((await ex.observe(['defender.ExcludedPaths'])).get('defender.ExcludedPaths')).toEqual(['C:\\Build', 'C:\\Temp\\gpo-only']);
    expect(ex.overrides().get('defender.ExcludedPaths')?.source).toBe("Group Policy 'Contoso AV baseline'");
  });

  it('a Policies value with no GPO behind it is named as such; a pinned effective value with no owner is not enforced', async () => {
    const host = new DefenderEmulator();
    host.registry.set(DEFENDER, { name: 'PUAProtection', type: 'DWord', value: 0 });
    host.pinned.DisableBehaviorMonitoring = true;
    host.status.IsTamperProtected = false;
    const run = await applyPolicy('antivirus', { 'defender.PUAProtection': 1, 'defender.AllowBehaviorMonitoring': 1 }, host);
    expect(run.statuses.find((s) => s.settingId === 'defender.PUAProtection')?.message).toContain('a Policies-key value this agent did not write');
    expect(run.statuses.find((s) => s.settingId === 'defender.AllowBehaviorMonitoring')).toMatchObject({ state: 'error', code: 'SETTING_NOT_ENFORCED' });
    expect(run.statuses.find((s) => s.settingId === 'defender.AllowBehaviorMonitoring')?.message).toContain('tamper protection or another manager');
  });

  it('says tamper protection is on when the device reports it (IsTamperProtected is read with every effective value)', async () => {
    const host = new DefenderEmulator();
    host.pinned.DisableBehaviorMonitoring = true;
    host.status.IsTamperProtected = true;
    const run = await applyPolicy('antivirus', { 'defender.AllowBehaviorMonitoring': 1 }, host);
    expect(run.statuses.find((s) => s.settingId === 'defender.AllowBehaviorMonitoring')?.message).toContain('tamper protection is on');
  });
});

describe('(c) a bridge class without the property (older Windows build)', () => {
  it('falls back to the documented Policies-key values and reads them back', async () => {
    const host = new DefenderEmulator();
    const missing = ['ThreatSeverityDefaultAction', 'ExcludedPaths', 'AttackSurfaceReductionRules'];
    host.bridgeProperties.Defender = host.bridgeProperties.Defender.filter((p) => !missing.includes(p));
    host.bridgeProperties.WindowsDefenderSecurityCenter = [];
    const av = await applyPolicy('antivirus', { 'defender.ThreatSeverityDefaultAction': '1=2|5=10', 'defender.PUAProtection': 1 }, host);
    const ex = await applyPolicy('antivirusExclusions', { 'defender.ExcludedPaths': ['C:\\Build', 'D:\\Cache'] }, host);
    const asr = await applyPolicy('asr', { [`asr.${EMAIL}`]: 'warn' }, host);
    const ui = await applyPolicy('securityExperience', { 'securityCenter.DisableVirusUI': 1, 'securityCenter.CompanyName': 'Contoso' }, host);
    for (const run of [av, ex, asr, ui]) for (const s of run.statuses) expect(s.state, `${s.settingId}: ${s.message}`).toBe('succeeded');
    expect(host.subkey(`${DEFENDER}\\Threats\\ThreatSeverityDefaultAction`).map((e) => [e.name, e.value])).toEqual([
      ['1', '2'],
      ['5', '10'],
    ]);
    expect(host.read(`${DEFENDER}\\Threats`, 'Threats_ThreatSeverityDefaultAction')?.value).toBe(1);
    expect(host.subkey(`${DEFENDER}\\Exclusions\\Paths`).map((e) => e.name)).toEqual(['C:\\Build', 'D:\\Cache']);
    expect(host.subkey(`${DEFENDER}\\Windows Defender Exploit Guard\\ASR\\Rules`).map((e) => [e.name, e.value])).toEqual([[EMAIL, '6']]);
    expect(host.bridge.Defender).toMatchObject({ PUAProtection: 1 });
    expect(host.bridge.Defender).not.toHaveProperty('ThreatSeverityDefaultAction');
    expect(host.bridge.WindowsDefenderSecurityCenter).toBeNull();
    // Clearing empties the list subkey and removes its flag.
    await applyPolicy('antivirus', {}, host);
    const provider = new WindowsDefenderProvider('antivirus', { runner: host.runner });
    await provider.apply([{ settingId: 'defender.ThreatSeverityDefaultAction', kind: 'antivirus', from: '1=2|5=10', to: undefined }]);
    expect(host.subkey(`${DEFENDER}\\Threats\\ThreatSeverityDefaultAction`)).toEqual([]);
    expect(host.read(`${DEFENDER}\\Threats`, 'Threats_ThreatSeverityDefaultAction')).toBeUndefined();
  });

  it('reads the golden observe output of such a build, including an unsigned DWORD above 2^31-1', async () => {
    const golden = (await import('./testdata/defender-observe-old-build.json', { with: { type: 'json' } })).default;
    const runner = new ScriptedCommandRunner(() => ({ code: 0, stdout: JSON.stringify(golden) }));
    const av = new WindowsDefenderProvider('antivirus', { runner });
    const seen = await av.observe(['defender.ThreatSeverityDefaultAction', 'defenderConfig.ArchiveMaxSize', 'defender.PUAProtection']);
    expect(Object.fromEntries(seen)).toEqual({
      'defender.ThreatSeverityDefaultAction': '4=3|5=3',
      'defenderConfig.ArchiveMaxSize': 4294967295,
      'defender.PUAProtection': 1,
    });
    expect(av.overrides().size).toBe(0);
  });
});

describe('registry DWORDs are unsigned', () => {
  it('ArchiveMaxSize 4294967295 is written as that DWORD and reads back unchanged', async () => {
    const run = await applyPolicy('antivirus', { 'defenderConfig.ArchiveMaxSize': 4294967295, 'defenderConfig.ArchiveMaxDepth': 2147483648 });
    expect(run.host.read(`${DEFENDER}\\Scan`, 'ArchiveMaxSize')?.value).toBe(-1);
    expect(run.after.get('defenderConfig.ArchiveMaxSize')).toBe(4294967295);
    expect(run.after.get('defenderConfig.ArchiveMaxDepth')).toBe(2147483648);
    expect((expectOnePowerShellApply(run.runs) as { registry: unknown[] }).registry).toContainEqual({
      step: 'defenderConfig.ArchiveMaxSize',
      ops: [{ op: 'set', key: `${DEFENDER}\\Scan`, name: 'ArchiveMaxSize', type: 'DWord', value: 4294967295 }],
    });
  });
});

describe('ASR rules limited to one OS edition', () => {
  it('the Webshell rule is notApplicable on a client, the Win32 API rule on a server, with the reason', async () => {
    const policy = { [`asr.${WEBSHELL}`]: 'block', [`asr.${WIN32}`]: 'block', [`asrExclusions.${WIN32}`]: ['C:\\x'] };
    const client = await applyPolicy('asr', policy, new DefenderEmulator(), 'workstation');
    expect(states(client)).toEqual({ [`asr.${WEBSHELL}`]: 'notApplicable', [`asr.${WIN32}`]: 'succeeded', [`asrExclusions.${WIN32}`]: 'notApplicable' });
    expect(client.statuses.find((s) => s.settingId === `asr.${WEBSHELL}`)?.message).toContain('Windows Server only');
    const server = await applyPolicy('asr', policy, new DefenderEmulator(), 'server');
    expect(states(server)).toEqual({ [`asr.${WEBSHELL}`]: 'succeeded', [`asr.${WIN32}`]: 'notApplicable', [`asrExclusions.${WIN32}`]: 'notApplicable' });
    expect(server.statuses.find((s) => s.settingId === `asr.${WIN32}`)?.message).toContain('Windows 10/11 clients only');
    expect(server.host.bridge.Defender?.AttackSurfaceReductionRules).toBe(`${WEBSHELL}=1`);
  });
});
