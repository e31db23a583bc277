// Fuzz: the version, CPE and OSV parsers take untrusted text (inventory from devices, advisory files). Every input gives
// a value or VERSION_UNPARSABLE / CPE_INVALID, never a crash; and every comparator is a total order on what it accepts
// (reflexive, antisymmetric, transitive), SemVer and dotted included, which have no reference tool to agree with.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clearOutcome, fuzzRuns, hostileText } from '../../test/fuzz.js';
import { parseCpe23 } from './cpe.js';
import { compareParsed, type ParsedVersion, parseVersion, VERSION_SCHEMES, type VersionScheme } from './index.js';
import { evaluateOsvAffected } from './osv-range.js';

const SAMPLES: Readonly<Record<VersionScheme, readonly string[]>> = {
  dpkg: ['1:9.2p1-2+deb12u3', '3.0.15-1~deb12u1', '2.36-9+deb12u10', '1.0~rc1-1', '7.88.1-10+deb12u8', '0.9.8'],
  rpm: ['1:3.0.7-27.el9', '2.9.13-6.el9_4.1', '1.0^git1~pre-1', '5.5p1-3.fc39', '6.0.rc1-1', '20101121-1'],
  apk: ['3.1.4-r5', '0.1_pre2~1234abcd', '1.2.3_alpha1_pre2-r1', '2.3.0b-r1', '1.0_p10-r0', '006'],
  semver: ['1.0.0-alpha.1', '1.0.0-beta.11+exp.sha.5114f85', '2.1.1', '0.1.20', '10.20.30-rc.1.2+b', '1.0.0-x-y-z.--'],
  dotted: ['10.0.19045.3803', '14.2.1', '124.0.6367.91', '1.02', '9', '0.0.0.1'],
};

/** Parses with the clear-error-or-value check; undefined when the input was refused (as it may be). */
function parsed(scheme: VersionScheme, text: string): ParsedVersion | undefined {
  const out = clearOutcome((t: string) => parseVersion(scheme, t), text);
  if (!out.ok) expect((out.error as { code?: string }).code).toBe('VERSION_UNPARSABLE');
  return out.ok ? out.value : undefined;
}

describe.each(VERSION_SCHEMES)('%s versions', (scheme) => {
  it('hostile text parses or is refused with VERSION_UNPARSABLE', () => {
    fc.assert(
      fc.property(hostileText(SAMPLES[scheme]), (text) => {
        const v = parsed(scheme, text);
        if (v) expect(compareParsed(v, v)).toBe(0);
      }),
      fuzzRuns(400),
    );
  });

  it('the order is antisymmetric and transitive on the versions it accepts', () => {
    const version = hostileText(SAMPLES[scheme])
      .map((t) => parsed(scheme, t))
      .filter((v): v is ParsedVersion => v !== undefined);
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        expect(compareParsed(a, b)).toBe(-compareParsed(b, a) || 0);
        const ab = compareParsed(a, b);
        const bc = compareParsed(b, c);
        if (ab <= 0 && bc <= 0) expect(compareParsed(a, c)).toBeLessThanOrEqual(0);
        if (ab >= 0 && bc >= 0) expect(compareParsed(a, c)).toBeGreaterThanOrEqual(0);
      }),
      fuzzRuns(400),
    );
  });
});

describe('CPE and OSV inputs', () => {
  const CPES = [
    'cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*',
    'cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*',
    'cpe:2.3:a:foo\\\\bar:big\\$money_2010:*:*:*:*:special:ipod_touch:80gb:*',
    'cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*',
  ];

  it('hostile CPE names parse or are refused with CPE_INVALID', () => {
    fc.assert(
      fc.property(hostileText(CPES), (text) => {
        const out = clearOutcome(parseCpe23, text);
        if (!out.ok) expect((out.error as { code?: string }).code).toBe('CPE_INVALID');
      }),
      fuzzRuns(400),
    );
  });

  it('a hostile installed version gets a verdict, never an exception', () => {
    const entry = {
      package: { ecosystem: 'Debian:12', name: 'openssl' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.15-1~deb12u1' }] }],
    };
    fc.assert(
      fc.property(hostileText(SAMPLES.dpkg), (text) => {
        expect(['affected', 'notAffected', 'notEvaluable']).toContain(evaluateOsvAffected(entry, text).status);
      }),
      fuzzRuns(300),
    );
  });
});
