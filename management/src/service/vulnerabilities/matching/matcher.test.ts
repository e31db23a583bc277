import { describe, expect, it } from 'vitest';
import { parseAdvisoryFile } from '../../../advisories/advisory-file.js';
import { CVE_2024_11477, nvdPage } from '../../../advisories/testing/nvd-page.js';
import { DSA_5532_1 } from '../../../advisories/testing/osv-records.js';
import { CompiledAdvisoryCache } from './compiled-advisory.js';
import { ecosystemApplies, matchPackage } from './matcher.js';
import {
  cpe,
  DEBIAN_12,
  ecosystemRange,
  item,
  LIBSSL3_OLD,
  MACOS_14,
  nvdAdvisory,
  OPENSSL_OLD,
  orNode,
  osvAdvisory,
  RHEL_9,
  stored,
  UBUNTU_2204,
  WINDOWS_11,
} from './testing/fixtures.js';

const parse = (doc: unknown) => parseAdvisoryFile(Buffer.from(JSON.stringify(doc)), 'test.json').advisories;

describe('ecosystemApplies', () => {
  it('equal, release-less base, and suffixed contexts apply; other releases and Ubuntu Pro do not', () => {
    expect(ecosystemApplies('Debian:12', 'Debian:12')).toBe(true);
    expect(ecosystemApplies('Debian', 'Debian:12')).toBe(true);
    expect(ecosystemApplies('Ubuntu:22.04:LTS', 'Ubuntu:22.04')).toBe(true);
    expect(ecosystemApplies('Red Hat:enterprise_linux:9::appstream', 'Red Hat:enterprise_linux:9')).toBe(true);
    expect(ecosystemApplies('Debian:11', 'Debian:12')).toBe(false);
    expect(ecosystemApplies('Ubuntu:22.10', 'Ubuntu:22.04')).toBe(false);
    expect(ecosystemApplies('Ubuntu:Pro:22.04:LTS', 'Ubuntu:22.04')).toBe(false);
    expect(ecosystemApplies('Red Hat:enterprise_linux:9', 'Red Hat:enterprise_linux:8')).toBe(false);
  });
});

describe('matchPackage: OSV', () => {
  it('matches libssl3 through its source package openssl against the published DSA-5532-1', () => {
    const cache = new CompiledAdvisoryCache();
    const pkg = stored('linux', DEBIAN_12, LIBSSL3_OLD);
    const outcome = matchPackage(pkg, parse([DSA_5532_1]), cache);
    expect(outcome.findings).toEqual([
      { packageId: pkg.packageId, advisoryId: 'DSA-5532-1', fixedVersion: '3.0.11-1~deb12u2', affectedRange: '>= 0, < 3.0.11-1~deb12u2' },
    ]);
    const fixed = stored('linux', DEBIAN_12, { ...OPENSSL_OLD, version: '3.0.11-1~deb12u2' });
    expect(matchPackage(fixed, parse([DSA_5532_1]), cache).findings).toEqual([]);
  });

  it('orders ~ below the release it precedes, and honours epochs', () => {
    const cache = new CompiledAdvisoryCache();
    const advisory = osvAdvisory('DSA-T-1', [ecosystemRange('Debian:12', 'openssl', [{ introduced: '0' }, { fixed: '3.0.11-1' }])]);
    const tilde = stored('linux', DEBIAN_12, { ...OPENSSL_OLD, version: '3.0.11-1~deb12u9' });
    expect(matchPackage(tilde, [advisory], cache).findings).toHaveLength(1);
    const epochAdvisory = osvAdvisory('DSA-T-2', [ecosystemRange('Debian:12', 'util-linux', [{ introduced: '0' }, { fixed: '1:2.38.1-5+deb12u1' }])]);
    const noEpoch = stored('linux', DEBIAN_12, item({ name: 'util-linux', version: '2.39-1', source: 'dpkg', scheme: 'dpkg' }));
    const withEpoch = stored('linux', DEBIAN_12, item({ name: 'util-linux', version: '1:2.39-1', source: 'dpkg', scheme: 'dpkg' }));
    // 2.39 without an epoch is epoch 0: below 1:2.38.1 (dpkg compares the epoch first).
    expect(matchPackage(noEpoch, [epochAdvisory], cache).findings).toHaveLength(1);
    expect(matchPackage(withEpoch, [epochAdvisory], cache).findings).toEqual([]);
  });

  it('matches Ubuntu LTS-suffixed and Red Hat appstream-suffixed ecosystems to the release context', () => {
    const cache = new CompiledAdvisoryCache();
    const usn = osvAdvisory('USN-6450-1', [ecosystemRange('Ubuntu:22.04:LTS', 'openssl', [{ introduced: '0' }, { fixed: '3.0.2-0ubuntu1.12' }])]);
    const ubuntu = stored('linux', UBUNTU_2204, item({ name: 'libssl3', version: '3.0.2-0ubuntu1.10', source: 'dpkg', scheme: 'dpkg', sourceName: 'openssl' }));
    expect(ubuntu.ecosystem).toBe('Ubuntu:22.04');
    expect(matchPackage(ubuntu, [usn], cache).findings[0]?.fixedVersion).toBe('3.0.2-0ubuntu1.12');
    const pro = osvAdvisory('USN-PRO', [ecosystemRange('Ubuntu:Pro:22.04:LTS', 'openssl', [{ introduced: '0' }, { fixed: '9' }])]);
    expect(matchPackage(ubuntu, [pro], cache).findings).toEqual([]);
    const rhsa = osvAdvisory('RHSA-2024:2447', [
      ecosystemRange('Red Hat:enterprise_linux:9::appstream', 'nodejs', [{ introduced: '0' }, { fixed: '1:16.20.2-8.el9_4' }]),
    ]);
    const node = stored('linux', RHEL_9, item({ name: 'nodejs', version: '1:16.20.2-4.el9_3', source: 'rpm', scheme: 'rpm', architecture: 'x86_64' }));
    expect(node.ecosystem).toBe('Red Hat:enterprise_linux:9');
    expect(matchPackage(node, [rhsa], cache).findings[0]).toMatchObject({ advisoryId: 'RHSA-2024:2447', fixedVersion: '1:16.20.2-8.el9_4' });
  });

  it('does not match another release, a GIT-only range, or an unsupported context; counts what it cannot evaluate', () => {
    const cache = new CompiledAdvisoryCache();
    const pkg = stored('linux', DEBIAN_12, OPENSSL_OLD);
    const other = osvAdvisory('DSA-O', [ecosystemRange('Debian:11', 'openssl', [{ introduced: '0' }, { fixed: '9' }])]);
    const git = osvAdvisory('OSV-GIT', [
      {
        package: { ecosystem: 'Debian:12', name: 'openssl' },
        ranges: [{ type: 'GIT', repo: 'https://github.com/openssl/openssl', events: [{ introduced: '0' }, { fixed: 'abc123' }] }],
      },
    ]);
    const outcome = matchPackage(pkg, [other, git], cache);
    expect(outcome.findings).toEqual([]);
    expect(outcome.notEvaluated).toEqual([{ advisoryId: 'OSV-GIT', reason: 'ranges[0]: a GIT range needs the commit graph, not a package version' }]);
    const arch = stored('linux', { name: 'Arch Linux', version: 'rolling' }, item({ name: 'openssl', version: '3.0.11-1', source: 'dpkg', scheme: 'dpkg' }));
    expect(arch.ecosystem).toBe('unsupported:Arch Linux rolling');
    expect(arch.keys).toEqual([]);
    const all = osvAdvisory('ALL', [ecosystemRange('Debian', 'openssl', [{ introduced: '0' }])]);
    expect(matchPackage(arch, [all], cache)).toEqual({ findings: [], notEvaluated: [], unsupported: true });
    // Without a release the advisory applies to every Debian release, and has no fix.
    expect(matchPackage(pkg, [all], cache).findings[0]).toMatchObject({ fixedVersion: null, affectedRange: '>= 0' });
  });
});

describe('matchPackage: NVD', () => {
  const sevenZip = item({ name: '7-Zip 23.01 (x64)', version: '23.01', vendor: 'Igor Pavlov', source: 'windowsRegistry', scheme: 'dotted' });

  it('matches 7-Zip on Windows from the published CVE-2024-11477 page, and an AND node whose platform is Windows', () => {
    const cache = new CompiledAdvisoryCache();
    const pkg = stored('windows', WINDOWS_11, sevenZip);
    expect(pkg.keys).toEqual(['cpe:7-zip']);
    expect(matchPackage(pkg, parse(nvdPage([CVE_2024_11477])), cache).findings).toEqual([
      { packageId: pkg.packageId, advisoryId: 'CVE-2024-11477', fixedVersion: '24.07', affectedRange: 'cpe:2.3:a:7-zip:7-zip:*:*:*:*:*:*:*:* < 24.07' },
    ]);
    const onWindows = nvdAdvisory('CVE-T-1', [
      {
        operator: 'AND',
        negate: false,
        nodes: [
          orNode(cpe('cpe:2.3:a:7-zip:7-zip:*:*:*:*:*:*:*:*', { versionStartIncluding: '22.00', versionEndExcluding: '23.02' })),
          orNode(cpe('cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*', {}, false)),
        ],
      },
    ]);
    expect(matchPackage(pkg, [onWindows], cache).findings[0]?.affectedRange).toBe('cpe:2.3:a:7-zip:7-zip:*:*:*:*:*:*:*:* >= 22.00, < 23.02');
    const newer = stored('windows', WINDOWS_11, { ...sevenZip, version: '24.07' });
    expect(matchPackage(newer, parse(nvdPage([CVE_2024_11477])), cache).findings).toEqual([]);
  });

  it('matches Firefox on macOS when the platform node names macOS, not when it names Windows', () => {
    const cache = new CompiledAdvisoryCache();
    const firefox = stored(
      'macos',
      MACOS_14,
      item({ name: 'Firefox', version: '121.0', vendor: 'Mozilla Corporation', source: 'macApplication', scheme: 'dotted' }),
    );
    const config = (platform: string) =>
      nvdAdvisory(`CVE-FF-${platform.split(':')[4]}`, [
        {
          operator: 'AND',
          negate: false,
          nodes: [orNode(cpe('cpe:2.3:a:mozilla:firefox:*:*:*:*:*:*:*:*', { versionEndExcluding: '122.0' })), orNode(cpe(platform, {}, false))],
        },
      ]);
    expect(matchPackage(firefox, [config('cpe:2.3:o:apple:macos:-:*:*:*:*:*:*:*')], cache).findings[0]?.fixedVersion).toBe('122.0');
    expect(matchPackage(firefox, [config('cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*')], cache).findings).toEqual([]);
    // A non-platform "running on" criteria is never assumed satisfied: no match, counted.
    const unknown = matchPackage(firefox, [config('cpe:2.3:a:oracle:java:-:*:*:*:*:*:*:*')], cache);
    expect(unknown.findings).toEqual([]);
    expect(unknown.notEvaluated).toHaveLength(1);
    const windowsFirefox = stored(
      'windows',
      WINDOWS_11,
      item({ name: 'Mozilla Firefox (x64 en-US)', version: '121.0', vendor: 'Mozilla', source: 'windowsRegistry', scheme: 'dotted' }),
    );
    expect(windowsFirefox.keys).toEqual(['cpe:mozilla_firefox', 'cpe:firefox']);
  });

  it('refuses a product of the same name from another vendor, and honours negate', () => {
    const cache = new CompiledAdvisoryCache();
    const notes = stored(
      'windows',
      WINDOWS_11,
      item({ name: 'Notes 2.1', version: '2.1', vendor: 'Acme Software', source: 'windowsRegistry', scheme: 'dotted' }),
    );
    const ibm = nvdAdvisory('CVE-IBM', [
      { operator: 'OR', negate: false, nodes: [orNode(cpe('cpe:2.3:a:ibm:notes:*:*:*:*:*:*:*:*', { versionEndExcluding: '9' }))] },
    ]);
    expect(matchPackage(notes, [ibm], cache).findings).toEqual([]);
    const acme = nvdAdvisory('CVE-ACME', [
      { operator: 'OR', negate: false, nodes: [orNode(cpe('cpe:2.3:a:acme:notes:*:*:*:*:*:*:*:*', { versionEndExcluding: '9' }))] },
    ]);
    expect(matchPackage(notes, [acme], cache).findings).toHaveLength(1);
    const negated = nvdAdvisory('CVE-NEG', [
      {
        operator: 'AND',
        negate: false,
        nodes: [
          orNode(cpe('cpe:2.3:a:acme:notes:*:*:*:*:*:*:*:*', { versionEndExcluding: '9' })),
          { operator: 'OR', negate: true, cpeMatch: [cpe('cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*', {}, false)] },
        ],
      },
    ]);
    // "Not on Windows": this Windows device is not affected; a macOS one would be.
    expect(matchPackage(notes, [negated], cache).findings).toEqual([]);
    const macNotes = stored('macos', MACOS_14, item({ name: 'Notes', version: '2.1', vendor: 'Acme Software', source: 'macApplication', scheme: 'dotted' }));
    expect(matchPackage(macNotes, [negated], cache).findings).toHaveLength(1);
  });

  it('compiles each advisory once across recomputes, and again when its modified time changes', () => {
    const cache = new CompiledAdvisoryCache(10);
    const pkg = stored('windows', WINDOWS_11, sevenZip);
    const advisories = parse(nvdPage([CVE_2024_11477]));
    matchPackage(pkg, advisories, cache);
    matchPackage(pkg, advisories, cache);
    expect(cache.compiled).toBe(1);
    matchPackage(
      pkg,
      advisories.map((a) => ({ ...a, modified: '2030-01-01T00:00:00.000Z' })),
      cache,
    );
    expect(cache.compiled).toBe(2);
    const many = Array.from({ length: 30 }, (_, k) => ({ ...(advisories[0] as (typeof advisories)[number]), id: `CVE-X-${k}` }));
    matchPackage(pkg, many, cache);
    expect(cache.size).toBe(10);
  });
});
