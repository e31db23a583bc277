// The macOS collector at the tool boundary: exact argv, recorded system_profiler / pkgutil / sw_vers output, the
// receipt bound, hostile names as data, and failures as SOFTWARE_INVENTORY_FAILED.
import { describe, expect, it } from 'vitest';
import { validate } from '../../../../common/validation.js';
import { SoftwareInventory } from '../../../../policy-schemas/src/index.js';
import { type CommandResult, type CommandSpec, ScriptedCommandRunner } from '../../system/command-runner.js';
import { MacosSoftwareCollector, PKGUTIL, parseReceipt, parseSwVers, SW_VERS, SYSTEM_PROFILER } from './macos.js';
import { receiptPlist, SW_VERS_OUTPUT, SYSTEM_PROFILER_APPS } from './testing/recorded.js';

const clock = { now: () => Date.UTC(2026, 11, 5, 12, 0, 0) };

const RECEIPTS: Record<string, string> = {
  'com.apple.pkg.XProtectPayloads_10_15.16U4316': receiptPlist('com.apple.pkg.XProtectPayloads_10_15.16U4316', '2200'),
  'com.microsoft.package.Microsoft_AutoUpdate.app': receiptPlist(
    'com.microsoft.package.Microsoft_AutoUpdate.app',
    '4.74.24080418',
    'Library/Application Support/Microsoft',
  ),
};

function mac(overrides: Partial<Record<string, Partial<CommandResult>>> = {}, receipts = RECEIPTS) {
  return new ScriptedCommandRunner((spec: CommandSpec) => {
    const key = [spec.file, ...spec.args].join(' ');
    if (overrides[key]) return overrides[key];
    if (spec.file === SW_VERS) return { stdout: SW_VERS_OUTPUT };
    if (spec.file === SYSTEM_PROFILER) return { stdout: JSON.stringify(SYSTEM_PROFILER_APPS) };
    if (spec.args[0] === '--pkgs') return { stdout: `${Object.keys(receipts).join('\n')}\n` };
    const plist = receipts[spec.args[1] ?? ''];
    return plist === undefined ? { code: 1, stderr: `No receipt for '${spec.args[1]}' found at '/'.` } : { stdout: plist };
  });
}

describe('MacosSoftwareCollector', () => {
  it('runs sw_vers, system_profiler and pkgutil as argv, one receipt query per id', async () => {
    const runner = mac();
    await new MacosSoftwareCollector({ runner, clock }).collect();
    expect(runner.calls.map((c) => [c.file, ...c.args])).toEqual([
      [SW_VERS],
      [SYSTEM_PROFILER, 'SPApplicationsDataType', '-json'],
      [PKGUTIL, '--pkgs'],
      [PKGUTIL, '--pkg-info-plist', 'com.apple.pkg.XProtectPayloads_10_15.16U4316'],
      [PKGUTIL, '--pkg-info-plist', 'com.microsoft.package.Microsoft_AutoUpdate.app'],
    ]);
  });

  it('reads bundles with their signing vendor, receipts with where they installed, and the OS', async () => {
    const inv = validate(SoftwareInventory, await new MacosSoftwareCollector({ runner: mac(), clock }).collect(), 'software inventory');
    expect(inv.os).toEqual({ name: 'macOS', version: '14.6.1', build: '23G93' });
    expect(inv.truncated).toBe(false);
    expect(inv.items).toEqual([
      {
        name: 'Google Chrome',
        version: '128.0.6613.120',
        vendor: 'Google LLC',
        architecture: 'universal',
        installPath: '/Applications/Google Chrome.app',
        source: 'macApplication',
        scheme: 'dotted',
      },
      { name: 'Homemade', version: '', architecture: 'arm64', installPath: '/Users/ada/Applications/Homemade.app', source: 'macApplication', scheme: 'dotted' },
      {
        name: 'Safari',
        version: '17.6',
        vendor: 'Apple Inc.',
        architecture: 'universal',
        installPath: '/Applications/Safari.app',
        source: 'macApplication',
        scheme: 'dotted',
      },
      { name: 'com.apple.pkg.XProtectPayloads_10_15.16U4316', version: '2200', installPath: '/', source: 'pkgutil', scheme: 'dotted' },
      {
        name: 'com.microsoft.package.Microsoft_AutoUpdate.app',
        version: '4.74.24080418',
        installPath: '/Library/Application Support/Microsoft',
        source: 'pkgutil',
        scheme: 'dotted',
      },
      { name: 'macOS', version: '14.6.1', vendor: 'Apple Inc.', source: 'os', scheme: 'dotted' },
    ]);
  });

  it('queries at most maxReceipts receipts, never an id that reads as an option, and says the list is cut', async () => {
    const many = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`com.example.pkg${i}`, receiptPlist(`com.example.pkg${i}`, `1.${i}`)]));
    const runner = mac({}, many);
    const inv = await new MacosSoftwareCollector({ runner, clock, maxReceipts: 3 }).collect();
    expect(inv.truncated).toBe(true);
    expect(inv.items.filter((i) => i.source === 'pkgutil').map((i) => i.name)).toEqual(['com.example.pkg0', 'com.example.pkg1', 'com.example.pkg2']);
    const hostile = mac({ [`${PKGUTIL} --pkgs`]: { stdout: '--forget\ncom.apple.pkg.XProtectPayloads_10_15.16U4316\n' } });
    const cut = await new MacosSoftwareCollector({ runner: hostile, clock }).collect();
    expect(hostile.calls.some((c) => c.args.includes('--forget'))).toBe(false);
    expect(cut.truncated).toBe(true);
  });

  it('leaves out a receipt forgotten since the listing and marks the inventory truncated', async () => {
    const runner = mac({ [`${PKGUTIL} --pkgs`]: { stdout: 'com.gone.pkg\n' } });
    const inv = await new MacosSoftwareCollector({ runner, clock }).collect();
    expect(inv.items.some((i) => i.source === 'pkgutil')).toBe(false);
    expect(inv.truncated).toBe(true);
  });

  it('keeps hostile bundle names as data', async () => {
    const evil = {
      SPApplicationsDataType: [
        { _name: 'Finder\u202egpj.app\u001b[8m', version: '1\u0000.0', path: '/tmp/x.app', signed_by: 'Developer ID Application: Evil\tCo (ABCDE12345)' },
      ],
    };
    const inv = await new MacosSoftwareCollector({
      runner: mac({ [`${SYSTEM_PROFILER} SPApplicationsDataType -json`]: { stdout: JSON.stringify(evil) } }),
      clock,
    }).collect();
    expect(inv.items.find((i) => i.source === 'macApplication')).toEqual({
      name: 'Finder\u202egpj.app\u001b[8m',
      version: '1.0',
      vendor: 'Evil\tCo',
      installPath: '/tmp/x.app',
      source: 'macApplication',
      scheme: 'dotted',
    });
  });

  it('fails with SOFTWARE_INVENTORY_FAILED when system_profiler fails, prints no JSON, or a tool is missing', async () => {
    const key = `${SYSTEM_PROFILER} SPApplicationsDataType -json`;
    const failing = mac({ [key]: { code: 1, stderr: 'system_profiler: SPApplicationsDataType timed out' } });
    await expect(new MacosSoftwareCollector({ runner: failing, clock }).collect()).rejects.toMatchObject({ code: 'SOFTWARE_INVENTORY_FAILED' });
    await expect(new MacosSoftwareCollector({ runner: mac({ [key]: { stdout: 'not json' } }), clock }).collect()).rejects.toMatchObject({
      code: 'SOFTWARE_INVENTORY_FAILED',
      message: expect.stringContaining('did not print JSON'),
    });
    const missing = mac({ [SW_VERS]: { code: null, spawnError: 'ENOENT: spawn /usr/bin/sw_vers ENOENT' } });
    await expect(new MacosSoftwareCollector({ runner: missing, clock }).collect()).rejects.toMatchObject({
      code: 'SOFTWARE_INVENTORY_FAILED',
      message: expect.stringContaining('sw_vers is not installed'),
    });
  });
});

describe('macOS parsers', () => {
  it('reads sw_vers of an older macOS and a receipt installed into a relative location', () => {
    expect(parseSwVers('ProductName:\tMac OS X\nProductVersion:\t10.15.7\nBuildVersion:\t19H2026\n')).toEqual({
      name: 'Mac OS X',
      version: '10.15.7',
      build: '19H2026',
    });
    expect(parseReceipt(receiptPlist('com.example.tool', '2.0', 'usr/local/bin')).installPath).toBe('/usr/local/bin');
    expect(() => parseReceipt('bplist00')).toThrow(/binary/);
  });
});
