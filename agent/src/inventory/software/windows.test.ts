// The Windows collector at the PowerShell boundary: the exact process it starts (a constant script, no input) and
// recorded script results turned into items, including PowerShell 5.1's shapes and hostile registry strings.
import { describe, expect, it } from 'vitest';
import { validate } from '../../../../common/validation.js';
import { SoftwareInventory } from '../../../../policy-schemas/src/index.js';
import { fullScript, POWERSHELL } from '../../providers/windows/powershell.js';
import { ScriptedCommandRunner } from '../../system/command-runner.js';
import { WINDOWS_RESULT } from './testing/recorded.js';
import { parseWindowsSoftware, WINDOWS_SOFTWARE, WindowsSoftwareCollector } from './windows.js';

const clock = { now: () => Date.UTC(2026, 11, 5, 12, 0, 0) };

function runnerFor(result: unknown, code = 0) {
  return new ScriptedCommandRunner(() => ({ code, stdout: JSON.stringify(code === 0 ? { ok: true, result } : { ok: false, error: String(result) }) }));
}

describe('WindowsSoftwareCollector', () => {
  it('starts Windows PowerShell with the constant script and no data in it', async () => {
    const runner = runnerFor(WINDOWS_RESULT);
    await new WindowsSoftwareCollector({ runner, clock }).collect();
    const [call] = runner.calls;
    expect(call?.file).toBe(POWERSHELL);
    expect(call?.stdin).toBe('null');
    const encoded = call?.args[call.args.indexOf('-EncodedCommand') + 1] ?? '';
    expect(Buffer.from(encoded, 'base64').toString('utf16le')).toBe(fullScript(WINDOWS_SOFTWARE));
    // Both registry views, the hidden entries skipped as Programs and Features does.
    expect(WINDOWS_SOFTWARE.text).toContain("@('Registry64', 'Registry32')");
    expect(WINDOWS_SOFTWARE.text).toContain("$k.GetValue('SystemComponent') -eq '1'");
    expect(WINDOWS_SOFTWARE.text).toContain("'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall'");
  });

  it('reads programs from both views, the OS build as CurrentBuild.UBR, and updates as OS items', async () => {
    const inv = validate(SoftwareInventory, await new WindowsSoftwareCollector({ runner: runnerFor(WINDOWS_RESULT), clock }).collect(), 'software inventory');
    expect(inv.os).toEqual({ name: 'Windows 11 Enterprise', version: '10.0.22631.4037', build: '22631.4037' });
    expect(inv.truncated).toBe(false);
    expect(inv.items).toEqual([
      {
        name: '7-Zip 23.01 (x64)',
        version: '23.01',
        vendor: 'Igor Pavlov',
        architecture: 'x64',
        installPath: 'C:\\Program Files\\7-Zip\\',
        source: 'windowsRegistry',
        scheme: 'dotted',
      },
      { name: 'Contoso Line-of-Business Tool', version: '', architecture: 'x64', source: 'windowsRegistry', scheme: 'dotted' },
      { name: 'Google Chrome', version: '128.0.6613.120', vendor: 'Google LLC', architecture: 'x64', source: 'windowsRegistry', scheme: 'dotted' },
      { name: 'KB5027397', version: '', vendor: 'Microsoft Corporation', source: 'os', scheme: 'dotted' },
      { name: 'KB5041585', version: '', vendor: 'Microsoft Corporation', source: 'os', scheme: 'dotted' },
      {
        name: 'Microsoft Edge',
        version: '128.0.2739.67',
        vendor: 'Microsoft Corporation',
        architecture: 'x86',
        installPath: 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application',
        source: 'windowsRegistry',
        scheme: 'dotted',
      },
      { name: 'Windows 11 Enterprise', version: '10.0.22631.4037', vendor: 'Microsoft Corporation', architecture: 'x64', source: 'os', scheme: 'dotted' },
    ]);
  });

  it('keeps Windows 10 named so below build 22000, and accepts one-element arrays rendered as the element', () => {
    const parsed = parseWindowsSoftware({
      ...WINDOWS_RESULT,
      os: { ...WINDOWS_RESULT.os, build: '19045', ubr: 4780 },
      apps: WINDOWS_RESULT.apps[1],
      hotfixes: WINDOWS_RESULT.hotfixes[0],
    });
    expect(parsed.os).toEqual({ name: 'Windows 10 Enterprise', version: '10.0.19045.4780', build: '19045.4780' });
    expect(parsed.items.map((i) => i.name)).toEqual(['Windows 10 Enterprise', '7-Zip 23.01 (x64)', 'KB5041585']);
  });

  it('reads the version of Windows 8.1 / Server 2012 R2 from CurrentVersion', () => {
    const os = { productName: 'Windows Server 2012 R2 Standard', major: '', minor: '', currentVersion: '6.3', build: '9600', ubr: '21620', arch: 'AMD64' };
    expect(parseWindowsSoftware({ ...WINDOWS_RESULT, os }).os).toEqual({
      name: 'Windows Server 2012 R2 Standard',
      version: '6.3.9600.21620',
      build: '9600.21620',
    });
  });

  it('marks the inventory truncated when an Uninstall subkey could not be read', async () => {
    const inv = await new WindowsSoftwareCollector({ runner: runnerFor({ ...WINDOWS_RESULT, unreadable: 2 }), clock }).collect();
    expect(inv.truncated).toBe(true);
    expect(inv.items.some((i) => i.name === 'Google Chrome')).toBe(true);
  });

  it('marks the inventory truncated when Get-HotFix failed, and survives a result of the wrong shape', async () => {
    const inv = await new WindowsSoftwareCollector({
      runner: runnerFor({ ...WINDOWS_RESULT, hotfixes: null, hotfixError: 'RPC server unavailable' }),
      clock,
    }).collect();
    expect(inv.truncated).toBe(true);
    expect(inv.items.some((i) => i.name.startsWith('KB'))).toBe(false);
    const odd = parseWindowsSoftware({ os: 'nope', apps: [42, null, { name: ['x'] }], hotfixes: 'KB1' });
    expect(odd.os).toEqual({ name: 'Windows', version: '' });
    expect(odd.items.every((i) => i.name === '')).toBe(true);
  });

  it('keeps hostile program names and publishers as data', async () => {
    const hostile = { view: 'Registry64', name: 'Update\u001b]0;pwned\u0007\u202eexe.', version: '1.0\u0000', publisher: 'Evil\r\nCorp', location: '' };
    const inv = await new WindowsSoftwareCollector({ runner: runnerFor({ ...WINDOWS_RESULT, apps: [hostile], hotfixes: [] }), clock }).collect();
    expect(inv.items.find((i) => i.source === 'windowsRegistry')).toEqual({
      name: 'Update\u001b]0;pwned\u0007\u202eexe.',
      version: '1.0',
      vendor: 'Evil\r\nCorp',
      architecture: 'x64',
      source: 'windowsRegistry',
      scheme: 'dotted',
    });
  });

  it('fails with SOFTWARE_INVENTORY_FAILED carrying the script error', async () => {
    await expect(new WindowsSoftwareCollector({ runner: runnerFor('Requested registry access is not allowed.', 1), clock }).collect()).rejects.toMatchObject({
      code: 'SOFTWARE_INVENTORY_FAILED',
      message: expect.stringContaining('Requested registry access is not allowed.'),
    });
  });
});
