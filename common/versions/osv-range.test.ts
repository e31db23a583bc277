// OSV range evaluation on the OSV schema's own examples (unfixed, fixed, multiple ranges, last_affected vs fixed, limit,
// the Debian, Rust and npm records), per-ecosystem comparators, and what is reported instead of guessed.
import { describe, expect, it } from 'vitest';
import { compileOsvAffected, evaluateOsvAffected, type OsvAffected, type OsvRange, osvAffectedProblems, schemeForEcosystem } from './osv-range.js';

const entry = (ecosystem: string, ranges: OsvRange[], versions?: string[]): OsvAffected => ({
  package: { ecosystem, name: 'pkg' },
  ranges,
  ...(versions ? { versions } : {}),
});
const semver = (...events: OsvRange['events']): OsvRange => ({ type: 'SEMVER', events });
const eco = (...events: OsvRange['events']): OsvRange => ({ type: 'ECOSYSTEM', events });
const status = (e: OsvAffected, v: string) => evaluateOsvAffected(e, v).status;

describe('OSV evaluation (schema examples)', () => {
  it('unfixed: introduced "0" alone makes every version affected, with no fix to offer', () => {
    const verdict = evaluateOsvAffected(entry('npm', [semver({ introduced: '0' })]), '0.0.1-alpha');
    expect(verdict).toMatchObject({ status: 'affected', fixed: undefined, intervals: [{ introduced: '0' }] });
  });

  it('fixed: everything before 1.0.2 is affected and 1.0.2 is the fix', () => {
    const e = entry('npm', [semver({ introduced: '0' }, { fixed: '1.0.2' })]);
    expect(evaluateOsvAffected(e, '1.0.1')).toMatchObject({ status: 'affected', fixed: '1.0.2', intervals: [{ introduced: '0', fixed: '1.0.2' }] });
    expect(status(e, '1.0.2-rc.1')).toBe('affected');
    expect(status(e, '1.0.2')).toBe('notAffected');
    expect(status(e, '1.0.2+build.5')).toBe('notAffected');
  });

  it('multiple ranges in one events list: [1.0.0, 1.0.2) and [3.0.0, 3.2.5)', () => {
    const e = entry('crates.io', [semver({ introduced: '1.0.0' }, { fixed: '1.0.2' }, { introduced: '3.0.0' }, { fixed: '3.2.5' })]);
    expect(status(e, '0.9.9')).toBe('notAffected');
    expect(evaluateOsvAffected(e, '1.0.1')).toMatchObject({ status: 'affected', fixed: '1.0.2' });
    expect(status(e, '2.0.0')).toBe('notAffected');
    expect(evaluateOsvAffected(e, '3.2.4')).toMatchObject({ status: 'affected', fixed: '3.2.5', intervals: [{ introduced: '3.0.0', fixed: '3.2.5' }] });
    expect(status(e, '3.2.5')).toBe('notAffected');
  });

  it('evaluates events in version order whatever their order in the file', () => {
    const e = entry('npm', [semver({ fixed: '3.2.5' }, { introduced: '3.0.0' }, { fixed: '1.0.2' }, { introduced: '1.0.0' })]);
    expect(evaluateOsvAffected(e, '1.0.1')).toMatchObject({ status: 'affected', fixed: '1.0.2' });
    expect(status(e, '2.0.0')).toBe('notAffected');
  });

  it('last_affected 2.1.214 includes 2.1.214; fixed 2.1.214 excludes it', () => {
    const last = entry('Go', [eco({ introduced: '0' }, { last_affected: '2.1.214' })]);
    expect(evaluateOsvAffected(last, '2.1.214')).toMatchObject({
      status: 'affected',
      fixed: undefined,
      intervals: [{ introduced: '0', lastAffected: '2.1.214' }],
    });
    expect(status(last, '2.1.215')).toBe('notAffected');
    const fixed = entry('Go', [semver({ introduced: '0' }, { fixed: '2.1.214' })]);
    expect(status(fixed, '2.1.213')).toBe('affected');
    expect(status(fixed, '2.1.214')).toBe('notAffected');
  });

  it('limit: only versions below a limit are in the range; "*" is infinity', () => {
    const e = entry('npm', [semver({ introduced: '1.0.0' }, { limit: '2.0.0' })]);
    expect(status(e, '1.5.0')).toBe('affected');
    expect(status(e, '2.0.0')).toBe('notAffected');
    expect(status(e, '2.5.0')).toBe('notAffected');
    expect(status(entry('npm', [semver({ introduced: '1.0.0' }, { limit: '*' })]), '99.0.0')).toBe('affected');
  });

  it('the Debian record DSA-3029-1 (nginx, Debian:7) under dpkg order', () => {
    const e = entry('Debian:7', [eco({ introduced: '0' }, { fixed: '1.2.1-2.2+wheezy3' })]);
    expect(evaluateOsvAffected(e, '1.2.1-2.2+wheezy2')).toMatchObject({ status: 'affected', fixed: '1.2.1-2.2+wheezy3' });
    expect(status(e, '1.2.1-2.2+wheezy3')).toBe('notAffected');
    expect(status(e, '1.2.1-2.2+wheezy3+b1')).toBe('notAffected');
    expect(status(e, '1.2.1-2.2~bpo1')).toBe('affected');
  });

  it('the Rust (RUSTSEC-2019-0033, SEMVER) and npm (GHSA-r9p9-mrjm-926w, ECOSYSTEM) records', () => {
    expect(evaluateOsvAffected(entry('crates.io', [semver({ introduced: '0' }, { fixed: '0.1.20' })]), '0.1.19')).toMatchObject({
      status: 'affected',
      fixed: '0.1.20',
    });
    expect(status(entry('npm', [eco({ introduced: '0' }, { fixed: '6.5.4' })]), '6.5.3')).toBe('affected');
    expect(status(entry('npm', [eco({ introduced: '0' }, { fixed: '6.5.4' })]), '6.10.0')).toBe('notAffected');
  });

  it('Red Hat-family ecosystems order by rpm EVR, epoch included', () => {
    const e = entry('Red Hat:enterprise_linux:9::appstream', [eco({ introduced: '0' }, { fixed: '1:3.0.7-27.el9' })]);
    expect(evaluateOsvAffected(e, '1:3.0.7-24.el9')).toMatchObject({ status: 'affected', fixed: '1:3.0.7-27.el9' });
    expect(status(e, '3.0.9-1.el9')).toBe('affected'); // epoch 0 < 1
    expect(status(entry('AlmaLinux:9', [eco({ introduced: '0' }, { fixed: '2.9.13-6.el9_4' })]), '2.9.13-6.el9_4.1')).toBe('notAffected');
  });

  it('Alpine (Alpine:v3.19) orders by apk rules: revisions, pre-release suffixes', () => {
    const e = entry('Alpine:v3.19', [eco({ introduced: '0' }, { fixed: '3.1.4-r5' })]);
    expect(evaluateOsvAffected(e, '3.1.4-r4')).toMatchObject({ status: 'affected', fixed: '3.1.4-r5' });
    expect(status(e, '3.1.4_rc1-r9')).toBe('affected');
    expect(status(e, '3.1.4-r5')).toBe('notAffected');
    expect(status(e, '3.1.4_p1-r0')).toBe('notAffected');
  });

  it('a version in the versions list is affected, even outside every range', () => {
    const e = entry('npm', [semver({ introduced: '2.0.0' }, { fixed: '2.1.0' })], ['1.4.2']);
    expect(evaluateOsvAffected(e, '1.4.2')).toMatchObject({ status: 'affected', listedInVersions: true, fixed: undefined });
    expect(evaluateOsvAffected(entry('Debian:12', [], ['1.0-1']), '1.00-1')).toMatchObject({ status: 'affected', listedInVersions: true });
  });

  it('a compiled entry answers many installed versions as evaluating each would', () => {
    const e = entry('Debian:12', [eco({ introduced: '0' }, { fixed: '3.0.15-1~deb12u1' }), { type: 'GIT', repo: 'r', events: [{ introduced: '0' }] }]);
    const evaluate = compileOsvAffected(e);
    for (const v of ['3.0.11-1~deb12u2', '3.0.15-1~deb12u1', '3.0.15-1', 'not a version', '1:0.1']) {
      expect(evaluate(v)).toEqual(evaluateOsvAffected(e, v));
    }
    expect(evaluate('3.0.11-1~deb12u2')).toMatchObject({ status: 'affected', fixed: '3.0.15-1~deb12u1', notEvaluable: [{ path: 'ranges[1]' }] });
    expect(evaluate('1:0.1').status).toBe('notEvaluable');
  });

  it('offers the fix that leaves every range holding the installed version', () => {
    const e = entry('npm', [semver({ introduced: '1.0.0' }, { fixed: '1.2.0' }), semver({ introduced: '1.1.0' }, { fixed: '1.3.0' })]);
    expect(evaluateOsvAffected(e, '1.1.5')).toMatchObject({ status: 'affected', fixed: '1.3.0' });
  });
});

describe('OSV evaluation: nothing guessed', () => {
  it('an unsupported ecosystem (PyPI, OSS-Fuzz, Maven) is reported, never matched', () => {
    for (const ecosystem of ['PyPI', 'OSS-Fuzz', 'Maven', 'Debianish']) {
      expect(evaluateOsvAffected(entry(ecosystem, [eco({ introduced: '0' })]), '1.0')).toEqual({ status: 'unsupportedEcosystem', ecosystem });
    }
    expect(schemeForEcosystem('Ubuntu:Pro:18.04:LTS')).toBe('dpkg');
    expect(schemeForEcosystem('Rocky Linux:9')).toBe('rpm');
    expect(schemeForEcosystem('toString')).toBeUndefined();
  });

  it('a GIT range is not evaluable; with a versions list beside it, the list answers', () => {
    const git: OsvRange = { type: 'GIT', repo: 'https://github.com/unicode-org/icu.git', events: [{ introduced: '6e5755a2a833bc64852eae12967d0a54d7adf629' }] };
    expect(evaluateOsvAffected(entry('Debian:12', [git]), '1.0-1')).toEqual({
      status: 'notEvaluable',
      notEvaluable: [{ path: 'ranges[0]', reason: 'a GIT range needs the commit graph, not a package version' }],
    });
    expect(status(entry('Debian:12', [git], ['2.0-1']), '1.0-1')).toBe('notAffected');
    expect(status(entry('Debian:12', [git], ['2.0-1']), '2.0-1')).toBe('affected');
  });

  it('an unparsable installed version or event version makes the range not evaluable, naming it', () => {
    expect(evaluateOsvAffected(entry('npm', [semver({ introduced: '0' }, { fixed: '1.0.2' })]), 'v1.0.1')).toMatchObject({
      status: 'notEvaluable',
      notEvaluable: [{ path: 'installed', reason: expect.stringContaining('semver version "v1.0.1" is not valid') }],
    });
    expect(evaluateOsvAffected(entry('Debian:12', [eco({ introduced: '0' }, { fixed: '1.0 beta' })]), '0.9-1')).toMatchObject({
      status: 'notEvaluable',
      notEvaluable: [{ path: 'ranges[0].events[1].fixed', reason: expect.stringContaining('white space') }],
    });
  });

  it.each([
    [[{ introduced: '1.0.0', fixed: '1.0.2' }], 'ranges[0].events[0]', 'exactly one of'],
    [[{ fixed: '1.0.2' }], 'ranges[0].events', 'at least one introduced'],
    [[{ introduced: '0' }, { fixed: '1.0.2' }, { last_affected: '1.0.1' }], 'ranges[0].events', 'not both'],
    [[{ introduced: 1 }], 'ranges[0].events[0]', 'exactly one of'],
  ])('a malformed range %j is not evaluable (%s: %s)', (events, path, reason) => {
    const e = entry('npm', [semver(...(events as OsvRange['events']))]);
    expect(evaluateOsvAffected(e, '1.0.1')).toMatchObject({ status: 'notEvaluable', notEvaluable: [{ path, reason: expect.stringContaining(reason) }] });
  });

  it('an unknown range type is not evaluable, and an affected verdict elsewhere still lists it', () => {
    const odd: OsvRange = { type: 'MAVEN', events: [{ introduced: '0' }] };
    expect(status(entry('npm', [odd]), '1.0.0')).toBe('notEvaluable');
    expect(evaluateOsvAffected(entry('npm', [odd, semver({ introduced: '0' })]), '1.0.0')).toMatchObject({
      status: 'affected',
      notEvaluable: [{ path: 'ranges[0].type', reason: 'unknown range type "MAVEN"' }],
    });
  });
});

describe('osvAffectedProblems (what an import counts as skipped)', () => {
  it('names an unsupported ecosystem, unparsable bounds and GIT ranges, whatever the installed version', () => {
    expect(osvAffectedProblems(entry('PyPI', [eco({ introduced: '0' })]))).toEqual({ unsupportedEcosystem: 'PyPI' });
    const git: OsvRange = { type: 'GIT', repo: 'https://github.com/openssl/openssl', events: [{ introduced: '0' }] };
    expect(
      osvAffectedProblems(entry('Debian:12', [eco({ introduced: '0' }, { fixed: '3.0 beta' }), git, eco({ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' })])),
    ).toEqual({
      ranges: [
        { path: 'ranges[0].events[1].fixed', reason: expect.stringContaining('white space'), git: false },
        { path: 'ranges[1]', reason: 'a GIT range needs the commit graph, not a package version', git: true },
      ],
    });
    expect(osvAffectedProblems(entry('npm', [semver({ introduced: '0' }, { fixed: '7.23.2' })]))).toEqual({ ranges: [] });
  });
});
