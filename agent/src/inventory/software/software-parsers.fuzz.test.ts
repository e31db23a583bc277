// Fuzz: every software-inventory parser on mutated real output gives a clear error or items, and whatever items it
// gives finish into an inventory the schema accepts; the finished inventory does not depend on the listing order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validate } from '../../../../common/validation.js';
import { SoftwareInventory } from '../../../../policy-schemas/src/index.js';
import { clearOutcome, FUZZ_RUNS, fuzzRuns, hostileText, receivedJson } from '../../../../test/fuzz.js';
import { PlistError } from '../../providers/macos/plist.js';
import { parseDpkgQuery, parseOsRelease, parseRpmQuery } from './linux.js';
import { parseReceipt, parseSwVers, parseSystemProfilerApps } from './macos.js';
import { finishSoftwareInventory, type RawSoftwareItem } from './software-inventory.js';
import { DEBIAN_OS_RELEASE, RPM_OUTPUT, receiptPlist, SW_VERS_OUTPUT, SYSTEM_PROFILER_APPS, WINDOWS_RESULT } from './testing/recorded.js';
import { parseWindowsSoftware } from './windows.js';

const AT = '2026-12-05T12:00:00.000Z';
const OS = { name: 'Debian GNU/Linux', version: '12' };

const DPKG =
  'install ok installed\topenssl\t3.0.11-1~deb12u1\tamd64\topenssl\t3.0.11-1~deb12u1\tDebian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>\n';
const RECEIPT = receiptPlist('com.apple.pkg.XProtectPayloads_10_15.16U4316', '2200');

function finishes(items: readonly RawSoftwareItem[]): void {
  validate(SoftwareInventory, finishSoftwareInventory({ os: OS, items }, AT), 'software inventory');
}

describe('software inventory parsers under fuzzing', () => {
  it('dpkg-query, rpm, os-release and sw_vers text: items the schema accepts, never a crash', () => {
    fc.assert(
      fc.property(hostileText([DPKG, RPM_OUTPUT, DEBIAN_OS_RELEASE, SW_VERS_OUTPUT]), (input) => {
        for (const parse of [parseDpkgQuery, parseRpmQuery]) {
          const outcome = clearOutcome(parse, input, []);
          if (outcome.ok) finishes(outcome.value);
        }
        for (const parse of [parseOsRelease, parseSwVers]) {
          const outcome = clearOutcome(parse, input, []);
          if (outcome.ok) validate(SoftwareInventory, finishSoftwareInventory({ os: outcome.value, items: [] }, AT), 'software inventory');
        }
      }),
      FUZZ_RUNS,
    );
  });

  it('system_profiler JSON and pkgutil plists: a clear error or items', () => {
    fc.assert(
      fc.property(hostileText([JSON.stringify(SYSTEM_PROFILER_APPS), RECEIPT]), (input) => {
        const apps = clearOutcome(parseSystemProfilerApps, input, [Error]);
        if (apps.ok) finishes(apps.value);
        const receipt = clearOutcome(parseReceipt, input, [PlistError]);
        if (receipt.ok) finishes([receipt.value]);
      }),
      FUZZ_RUNS,
    );
  });

  it('the Windows script result as received: items, whatever its shape', () => {
    fc.assert(
      fc.property(receivedJson([WINDOWS_RESULT]), (value) => {
        const outcome = clearOutcome(parseWindowsSoftware, value, []);
        if (outcome.ok) finishes(outcome.value.items);
      }),
      FUZZ_RUNS,
    );
  });
});

const rawItem: fc.Arbitrary<RawSoftwareItem> = fc.record({
  name: fc.oneof(fc.constantFrom('openssl', 'bash', 'libc6', ''), fc.string({ maxLength: 300, unit: 'binary' })),
  version: fc.oneof(fc.constantFrom('1.0', '1:2.0-1', ''), fc.string({ maxLength: 140, unit: 'binary' })),
  vendor: fc.option(fc.string({ maxLength: 20, unit: 'binary' }), { nil: undefined }),
  architecture: fc.option(fc.constantFrom('amd64', 'i386', 'x64', ''), { nil: undefined }),
  source: fc.constantFrom('dpkg', 'rpm', 'windowsRegistry', 'macApplication', 'pkgutil', 'os'),
  scheme: fc.constantFrom('dpkg', 'rpm', 'dotted', 'semver'),
  installPath: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  sourceName: fc.option(fc.constantFrom('openssl', 'util-linux', ''), { nil: undefined }),
  sourceVersion: fc.option(fc.string({ maxLength: 140, unit: 'binary' }), { nil: undefined }),
});

describe('finishSoftwareInventory properties', () => {
  it('the same items in any order give the same inventory; never over the cap; always schema-valid', () => {
    fc.assert(
      fc.property(fc.array(rawItem, { maxLength: 30 }), fc.integer({ min: 1, max: 40 }), fc.nat(), (items, cap, seed) => {
        const k = items.length === 0 ? 0 : seed % items.length;
        const shuffled = [...items.slice(k), ...items.slice(0, k)].reverse();
        const a = finishSoftwareInventory({ os: OS, items }, AT, cap);
        const b = finishSoftwareInventory({ os: OS, items: shuffled }, AT, cap);
        expect(b).toEqual(a);
        expect(a.items.length).toBeLessThanOrEqual(cap);
        validate(SoftwareInventory, a, 'software inventory');
      }),
      fuzzRuns(100),
    );
  });
});
