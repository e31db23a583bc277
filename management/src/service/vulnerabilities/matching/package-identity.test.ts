import { describe, expect, it } from 'vitest';
import { advisoryKeys } from './advisory-keys.js';
import { cpeProductCandidates, ecosystemOf, packageIdentity, vendorCandidates } from './package-identity.js';
import { cpe, DEBIAN_12, ecosystemRange, LIBSSL3_OLD, nvdAdvisory, orNode, osvAdvisory } from './testing/fixtures.js';

describe('ecosystemOf', () => {
  it.each([
    ['linux', 'Debian GNU/Linux', '12', 'dpkg', 'Debian:12'],
    ['linux', 'Ubuntu', '22.04', 'dpkg', 'Ubuntu:22.04'],
    ['linux', 'Red Hat Enterprise Linux', '9.3', 'rpm', 'Red Hat:enterprise_linux:9'],
    ['linux', 'AlmaLinux', '9.4', 'rpm', 'AlmaLinux:9'],
    ['linux', 'Rocky Linux', '8.9', 'rpm', 'Rocky Linux:8'],
    ['linux', 'openSUSE Leap', '15.5', 'rpm', 'openSUSE:Leap 15.5'],
    ['linux', 'SLES', '15-SP5', 'rpm', 'SUSE:Linux Enterprise Server 15 SP5'],
    ['windows', 'Windows 11 Pro', '10.0.22631', 'windowsRegistry', 'windows'],
    ['macos', 'macOS', '14.4', 'macApplication', 'macos'],
    ['macos', 'macOS', '14.4', 'pkgutil', 'macos'],
    ['windows', 'Windows 11 Pro', '10.0.22631', 'os', 'windows-os'],
    ['linux', 'Fedora Linux', '40', 'rpm', 'unsupported:Fedora Linux 40'],
    ['linux', 'Debian GNU/Linux', '12', 'rpm', 'unsupported:Debian GNU/Linux 12'],
  ] as const)('%s %s %s %s → %s', (platform, name, version, source, expected) => {
    expect(ecosystemOf(platform, { name, version }, source)).toBe(expected);
  });
});

describe('packageIdentity', () => {
  it('uses the dpkg source package and version, and keys it by the OSV ecosystem base', () => {
    const id = packageIdentity('linux', DEBIAN_12, { ...LIBSSL3_OLD, sourceVersion: '3.0.11-1~deb12u1' });
    expect(id).toMatchObject({
      ecosystem: 'Debian:12',
      name: 'libssl3',
      matchedName: 'openssl',
      matchedVersion: '3.0.11-1~deb12u1',
      keys: ['osv:Debian:openssl'],
    });
  });

  it('keeps hostile strings as data', () => {
    const hostile = { ...LIBSSL3_OLD, name: '<img src=x onerror=alert(1)>', sourceName: undefined, vendor: '\u001b[31mred' };
    const id = packageIdentity('linux', DEBIAN_12, hostile);
    expect(id.matchedName).toBe('<img src=x onerror=alert(1)>');
    expect(id.keys).toEqual(['osv:Debian:<img src=x onerror=alert(1)>']);
  });
});

describe('cpeProductCandidates and vendorCandidates', () => {
  it.each([
    ['Mozilla Firefox (x64 en-US)', ['mozilla_firefox', 'firefox']],
    ['7-Zip 23.01 (x64)', ['7-zip']],
    ['VLC media player', ['vlc_media_player', 'media_player']],
    ['Python 3.12.1 (64-bit)', ['python']],
    [
      'Microsoft Visual C++ 2015-2022 Redistributable (x64) - 14.38.33130',
      ['microsoft_visual_c++_2015-2022_redistributable', 'visual_c++_2015-2022_redistributable'],
    ],
    ['Firefox', ['firefox']],
  ])('%s → %j', (name, expected) => {
    expect(cpeProductCandidates(name)).toEqual(expected);
  });

  it('takes the publisher first word and whole, and the name first word', () => {
    expect([...vendorCandidates('Mozilla Corporation', 'Firefox')]).toEqual(['mozilla', 'mozilla_corporation', 'firefox']);
    expect([...vendorCandidates('Google LLC.', 'Google Chrome')]).toEqual(['google', 'google_llc']);
    expect([...vendorCandidates(null, '7-Zip 23.01 (x64)')]).toEqual(['7-zip']);
  });
});

describe('advisoryKeys', () => {
  it('keys OSV entries by ecosystem base and name, NVD by vulnerable application products only', () => {
    const osv = osvAdvisory('DSA-1', [
      ecosystemRange('Debian:12', 'openssl', [{ introduced: '0' }]),
      ecosystemRange('Debian:11', 'openssl', [{ introduced: '0' }]),
      ecosystemRange('Ubuntu:22.04:LTS', 'openssl', [{ introduced: '0' }]),
    ]);
    expect(advisoryKeys(osv)).toEqual(['osv:Debian:openssl', 'osv:Ubuntu:openssl']);
    const nvd = nvdAdvisory('CVE-1', [
      {
        operator: 'AND',
        negate: false,
        nodes: [
          orNode(cpe('cpe:2.3:a:7-zip:7-Zip:*:*:*:*:*:*:*:*'), cpe('cpe:2.3:a:notepad-plus-plus:notepad\\+\\+:*:*:*:*:*:*:*:*')),
          orNode(cpe('cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*', {}, false)),
        ],
      },
    ]);
    expect(advisoryKeys(nvd)).toEqual(['cpe:7-zip', 'cpe:notepad++']);
  });
});
