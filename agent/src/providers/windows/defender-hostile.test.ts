// (d) Hostile values never become code: exclusion paths and process names full of PowerShell and cmd.exe metacharacters
// (quotes, `$(`, newlines, wildcards) travel only inside the stdin JSON (never in argv or script text), to the MDM
// store or, on a build without the bridge property, as Policies-key value names, and come back unchanged; a NUL is
// refused with a clear error before any command runs; separators that would split an item are refused per setting.
import { describe, expect, it } from 'vitest';
import type { SettingChange } from '../../core/plan.js';
import { WindowsDefenderProvider } from './defender-provider.js';
import { DEFENDER_SCRIPTS } from './defender-scripts.js';
import { fullScript } from './powershell.js';
import { DEFENDER } from './testing/defender-apply.js';
import { DefenderEmulator, recordedRuns } from './testing/defender-emulator.js';

const ASR = `${DEFENDER}\\Windows Defender Exploit Guard\\ASR`;
const RULES = `${ASR}\\Rules`;

const HOSTILE = [
  'C:\\Data\\it\'s "quoted"',
  'C:\\Data\\`whoami`',
  'C:\\Data\\a;Remove-Item C:\\ -Recurse',
  'C:\\Data\\a & calc.exe',
  'C:\\Data\\a > Out-File C:\\pwned.txt',
  'C:\\Temp\\*.log',
  'C:\\Data\\[a-z]?',
  'C:\\Data\\$(Invoke-WebRequest http://evil.example)',
  '%SystemRoot%\\..\\..\\Users\\%USERNAME%',
  'C:\\Data\\line1\nline2\r\nSet-MpPreference -DisableRealtimeMonitoring $true',
  '..\\..\\Windows\\System32',
  "'; Set-MpPreference -DisableRealtimeMonitoring $true; '",
];

const PROCESSES = ['C:\\Tools\\a"b.exe', 'C:\\Tools\\$env:TEMP.exe', 'C:\\Tools\\x`;y.exe', 'powershell.exe -enc AAAA'];

function change(settingId: string, kind: SettingChange['kind'], to: SettingChange['to'], from: SettingChange['from'] = []): SettingChange {
  return { settingId, kind, from, to };
}

describe('hostile values are inert data', () => {
  it('exclusions with metacharacters reach the MDM store only through the stdin JSON and read back unchanged', async () => {
    const host = new DefenderEmulator();
    const provider = new WindowsDefenderProvider('antivirusExclusions', { runner: host.runner });
    const results = await provider.apply([
      change('defender.ExcludedPaths', 'antivirusExclusions', HOSTILE),
      change('defender.ExcludedProcesses', 'antivirusExclusions', PROCESSES),
      change('defender.ExcludedExtensions', 'antivirusExclusions', ['.$(calc)', '.a;b']),
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    const seen = await provider.observe(['defender.ExcludedPaths', 'defender.ExcludedProcesses', 'defender.ExcludedExtensions']);
    expect(seen.get('defender.ExcludedPaths')).toEqual(HOSTILE);
    expect(seen.get('defender.ExcludedProcesses')).toEqual(PROCESSES);

    const scripts = DEFENDER_SCRIPTS.map(fullScript);
    for (const run of recordedRuns(host.runner)) {
      expect(scripts).toContain(Buffer.from(run.spec.args[6] ?? '', 'base64').toString('utf16le'));
      const argv = [run.spec.file, ...run.spec.args].join('\0');
      for (const value of [...HOSTILE, ...PROCESSES]) {
        expect(argv).not.toContain(value);
        for (const script of scripts) expect(script).not.toContain(value);
      }
    }
    const apply = recordedRuns(host.runner).find((r) => r.script === 'defender-apply');
    expect(apply?.input).toMatchObject({
      bridge: [
        { property: 'ExcludedPaths', value: HOSTILE.join('|') },
        { property: 'ExcludedProcesses', value: PROCESSES.join('|') },
        { property: 'ExcludedExtensions', value: '.$(calc)|.a;b' },
      ],
    });
    expect(apply?.spec.stdin).toBe(JSON.stringify(apply?.input));
  });

  it('on a build without the bridge property they become Policies-key value names, literally (wildcards included)', async () => {
    const host = new DefenderEmulator();
    host.bridgeProperties.Defender = host.bridgeProperties.Defender.filter((p) => p !== 'ExcludedPaths');
    const provider = new WindowsDefenderProvider('antivirusExclusions', { runner: host.runner });
    expect(await provider.apply([change('defender.ExcludedPaths', 'antivirusExclusions', HOSTILE)])).toEqual([
      { settingId: 'defender.ExcludedPaths', ok: true },
    ]);
    const paths = 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Defender\\Exclusions\\Paths';
    expect(host.subkey(paths).map((e) => e.name)).toEqual(HOSTILE);
    expect((await provider.observe(['defender.ExcludedPaths'])).get('defender.ExcludedPaths')).toEqual(HOSTILE);
    // Removing one item removes exactly that value, not every name its wildcard would match.
    await provider.apply([
      change(
        'defender.ExcludedPaths',
        'antivirusExclusions',
        HOSTILE.filter((h) => h !== 'C:\\Temp\\*.log'),
        HOSTILE,
      ),
    ]);
    expect(host.subkey(paths).map((e) => e.name)).toEqual(HOSTILE.filter((h) => h !== 'C:\\Temp\\*.log'));
  });

  it('the same holds for ASR exclusions and the Windows Security contact strings', async () => {
    const host = new DefenderEmulator();
    const asr = new WindowsDefenderProvider('asr', { runner: host.runner });
    const experience = new WindowsDefenderProvider('securityExperience', { runner: host.runner });
    expect(await asr.apply([change('defender.AttackSurfaceReductionOnlyExclusions', 'asr', [...HOSTILE.slice(0, 6), ...PROCESSES])])).toEqual([
      { settingId: 'defender.AttackSurfaceReductionOnlyExclusions', ok: true },
    ]);
    const company = 'Contoso"; Remove-Item -Recurse C:\\; $(calc) `& %TEMP%';
    expect(await experience.apply([change('securityCenter.CompanyName', 'securityExperience', company, '')])).toEqual([
      { settingId: 'securityCenter.CompanyName', ok: true },
    ]);
    const global = 'defender.AttackSurfaceReductionOnlyExclusions';
    expect((await asr.observe([global])).get(global)).toEqual([...HOSTILE.slice(0, 6), ...PROCESSES]);
    expect((await experience.observe(['securityCenter.CompanyName'])).get('securityCenter.CompanyName')).toBe(company);
    for (const run of recordedRuns(host.runner)) {
      const argv = run.spec.args.join('\0');
      for (const value of [...HOSTILE, ...PROCESSES, company]) expect(argv).not.toContain(value);
    }
  });

  it('a NUL is refused with a clear error before any command runs', async () => {
    const host = new DefenderEmulator();
    const provider = new WindowsDefenderProvider('antivirusExclusions', { runner: host.runner });
    const results = await provider.apply([change('defender.ExcludedPaths', 'antivirusExclusions', ['C:\\Data\0.exe'])]);
    expect(results).toEqual([
      {
        settingId: 'defender.ExcludedPaths',
        ok: false,
        code: 'SETTING_APPLY_FAILED',
        message: 'defender.ExcludedPaths: the value contains a NUL character; refused before running any command',
      },
    ]);
    expect(host.runner.calls).toHaveLength(0);

    const experience = new WindowsDefenderProvider('securityExperience', { runner: host.runner });
    const [result] = await experience.apply([change('securityCenter.URL', 'securityExperience', 'https://x.example/\0', '')]);
    expect(result).toMatchObject({ ok: false, code: 'SETTING_APPLY_FAILED', message: expect.stringMatching(/NUL character/) });
    expect(host.runner.calls).toHaveLength(0);
  });

  it('an item holding the separator the device uses to join items is refused for that setting only', async () => {
    const host = new DefenderEmulator();
    const av = new WindowsDefenderProvider('antivirus', { runner: host.runner });
    const results = await av.apply([
      change('defender.SignatureUpdateFileSharesSources', 'antivirus', ['\\\\fs1\\defs|\\\\evil\\share']),
      change('defender.CloudBlockLevel', 'antivirus', 2, 0),
    ]);
    expect(results[0]).toMatchObject({ ok: false, code: 'SETTING_APPLY_FAILED', message: expect.stringMatching(/may not be empty or contain '\|'/) });
    expect(results[1]).toEqual({ settingId: 'defender.CloudBlockLevel', ok: true });
    const ex = new WindowsDefenderProvider('antivirusExclusions', { runner: host.runner });
    const [paths] = await ex.apply([change('defender.ExcludedPaths', 'antivirusExclusions', ['C:\\a|C:\\b'])]);
    expect(paths).toMatchObject({ ok: false, code: 'SETTING_APPLY_FAILED', message: expect.stringMatching(/contain '\|'/) });
    expect(recordedRuns(host.runner).map((r) => r.script)).toEqual(['defender-apply']);
  });

  it('items equal but for case are refused with a clear error (one registry value name, one Defender item)', async () => {
    const host = new DefenderEmulator();
    const ex = new WindowsDefenderProvider('antivirusExclusions', { runner: host.runner });
    const [paths] = await ex.apply([change('defender.ExcludedPaths', 'antivirusExclusions', ['C:\\Build', 'c:\\build'])]);
    expect(paths).toMatchObject({ ok: false, code: 'SETTING_APPLY_FAILED', message: expect.stringContaining('the same item on Windows (case-insensitive)') });
    expect(host.bridge.Defender).toBeNull();
  });

  it('a plan naming a class, property, parameter, value or list operation outside the script’s own allow-lists is refused as a whole', async () => {
    const host = new DefenderEmulator();
    const { runPowerShell } = await import('./powershell.js');
    const { DEFENDER_APPLY } = await import('./defender-scripts.js');
    const { emptyPlan } = await import('./defender-plan.js');
    const ok = { cls: 'Defender', property: 'PUAProtection', value: 1, step: 's', fallback: [] };
    const plans = [
      { ...emptyPlan(), bridge: [ok], preference: { ...emptyPlan().preference, mp: { 'DisableRealtimeMonitoring; calc': true } } },
      { ...emptyPlan(), bridge: [ok, { ...ok, property: 'EnableNetworkProtection; calc' }] },
      { ...emptyPlan(), bridge: [ok, { ...ok, cls: 'Firewall' }] },
      {
        ...emptyPlan(),
        bridge: [ok],
        registry: [{ step: 's', ops: [{ op: 'set', key: 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\WinDefend', name: 'Start', type: 'DWord', value: 4 }] }],
      },
      // An allowed key, a value name the table never writes (review 16b F5).
      { ...emptyPlan(), registry: [{ step: 's', ops: [{ op: 'set', key: DEFENDER, name: 'DisableAntiSpyware', type: 'DWord', value: 1 }] }] },
      // Replacing every value of the root Defender key (GPO and MDE values included) is no list operation of the table.
      { ...emptyPlan(), registry: [{ step: 's', ops: [{ op: 'values', key: DEFENDER, set: [], exact: true, flagKey: DEFENDER, flag: 'PUAProtection' }] }] },
      // An ASR rules merge turned into an exact replacement.
      { ...emptyPlan(), registry: [{ step: 's', ops: [{ op: 'values', key: RULES, set: [], exact: true, flagKey: ASR, flag: 'ExploitGuard_ASR_Rules' }] }] },
      // The previous agent's per-rule key takes deletions only.
      {
        ...emptyPlan(),
        registry: [
          {
            step: 's',
            ops: [
              {
                op: 'values',
                key: `${ASR}\\ASROnlyPerRuleExclusions`,
                set: [{ name: 'x', data: 'C:\\' }],
                exact: false,
                flagKey: ASR,
                flag: 'ExploitGuard_ASR_ASROnlyPerRuleExclusions',
              },
            ],
          },
        ],
      },
    ];
    for (const plan of plans) await expect(runPowerShell(host.runner, DEFENDER_APPLY, plan)).rejects.toThrow(/not in the allow-list|deletions only/);
    // Fields of the wrong type: an array op (PowerShell's -ceq would match an element), a bridge value that is a list.
    const malformed = [
      { ...emptyPlan(), registry: [{ step: 's', ops: [{ op: ['values', 'set'], key: DEFENDER, name: 'DisableAntiSpyware', type: 'DWord', value: 1 }] }] },
      { ...emptyPlan(), registry: [{ step: 's', ops: [{ op: 'values', key: RULES, set: [], exact: 'true', flagKey: ASR, flag: 'ExploitGuard_ASR_Rules' }] }] },
      { ...emptyPlan(), bridge: [{ ...ok, value: [1, 2] }] },
    ];
    for (const plan of malformed) await expect(runPowerShell(host.runner, DEFENDER_APPLY, plan)).rejects.toThrow(/refusing/);
    expect(host.bridge.Defender).toBeNull();
    expect(host.registry.keys.size).toBe(0);
  });
});
