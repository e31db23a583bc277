// CPE 2.3 formatted strings on NISTIR 7695's own unbinding examples (§6.2.3) and its error cases, and NVD 2.0 cpeMatch
// criteria with version bounds against installed products.
import { describe, expect, it } from 'vitest';
import { type Cpe23, compileCpeMatch, matchCpe, type NvdCpeMatch, parseCpe23 } from './cpe.js';

const value = (bound: string, v: string, pattern = false) => ({ kind: 'value', bound, value: v, pattern });
const ANY = { kind: 'any' };
const NA = { kind: 'na' };

describe('parseCpe23 (NISTIR 7695 §6.2.3 examples)', () => {
  it('example 1: cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*', () => {
    expect(parseCpe23('cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*')).toEqual({
      part: value('a', 'a'),
      vendor: value('microsoft', 'microsoft'),
      product: value('internet_explorer', 'internet_explorer'),
      version: value('8.0.6001', '8.0.6001'),
      update: value('beta', 'beta'),
      edition: ANY,
      language: ANY,
      swEdition: ANY,
      targetSw: ANY,
      targetHw: ANY,
      other: ANY,
    });
  });

  it('example 2: wildcards at the ends (8.* and sp?)', () => {
    const cpe = parseCpe23('cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*');
    expect(cpe.version).toEqual(value('8.*', '8.*', true));
    expect(cpe.update).toEqual(value('sp?', 'sp?', true));
  });

  it('example 3: NA and the target attributes', () => {
    const cpe = parseCpe23('cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*');
    expect(cpe.update).toEqual(NA);
    expect([cpe.swEdition, cpe.targetSw, cpe.targetHw]).toEqual([value('online', 'online'), value('win2003', 'win2003'), value('x64', 'x64')]);
  });

  it('example 5: quoted characters keep their meaning as data (foo\\\\bar, big\\$money_2010)', () => {
    const cpe = parseCpe23('cpe:2.3:a:foo\\\\bar:big\\$money_2010:*:*:*:*:special:ipod_touch:80gb:*');
    expect(cpe.vendor).toEqual(value('foo\\\\bar', 'foo\\bar'));
    expect(cpe.product).toEqual(value('big\\$money_2010', 'big$money_2010'));
  });

  it('a quoted colon stays inside its attribute, and quoted * and ? are not wildcards', () => {
    const cpe = parseCpe23('cpe:2.3:a:vendor:prod\\:uct:1.0\\*:sp\\?1:*:*:*:*:*:*');
    expect(cpe.product).toEqual(value('prod\\:uct', 'prod:uct'));
    expect(cpe.version).toEqual(value('1.0\\*', '1.0*'));
    expect(cpe.update).toEqual(value('sp\\?1', 'sp?1'));
  });

  it.each([
    ['cpe:2.3:a:foo:bar:12.*.34:*:*:*:*:*:*:*', 'version: an unquoted * may only start or end a value'],
    ['cpe:2.3:a:foo:bar:1?.3:*:*:*:*:*:*:*', 'version: an unquoted ? may only be in a run at the start or end'],
    ['cpe:2.3:a:foo:bar:1.0:*:*:*:*:*:*', 'expected 11 attributes after "cpe:2.3:", found 10'],
    ['cpe:2.3:a:foo:bar:1.0:*:*:*:*:*:*:*:*', 'found 12'],
    ['cpe:/a:microsoft:internet_explorer:8.0.6001:beta', 'must start with "cpe:2.3:"'],
    ['cpe:2.3:x:foo:bar:1.0:*:*:*:*:*:*:*', 'part: part must be a, o, h, * or -'],
    ['cpe:2.3:a::bar:1.0:*:*:*:*:*:*:*', 'vendor: it is empty'],
    ['cpe:2.3:a:foo:bar baz:1.0:*:*:*:*:*:*:*', 'product: character " " is not printable ASCII'],
    ['cpe:2.3:a:foo:bar:1.0:*:*:*:*:*:*:x\\', 'ends with a lone "\\"'],
  ])('refuses %s with CPE_INVALID (%s)', (fs, reason) => {
    expect(() => parseCpe23(fs)).toThrow(expect.objectContaining({ code: 'CPE_INVALID', message: expect.stringContaining(reason) }));
  });
});

const installed = (version: string, vendor = 'mozilla', product = 'firefox'): Cpe23 => parseCpe23(`cpe:2.3:a:${vendor}:${product}:${version}:*:*:*:*:*:*:*`);
const m = (criteria: string, bounds: Partial<NvdCpeMatch> = {}): NvdCpeMatch => ({ vulnerable: true, criteria, ...bounds });

describe('matchCpe (NVD 2.0 cpeMatch)', () => {
  const FIREFOX = 'cpe:2.3:a:mozilla:firefox:*:*:*:*:*:*:*:*';

  it('versionEndExcluding: below the bound matches, the bound itself does not (dotted, numerically)', () => {
    const crit = m(FIREFOX, { versionEndExcluding: '124.0.2' });
    expect(matchCpe(crit, installed('124.0.1'))).toEqual({ status: 'match' });
    expect(matchCpe(crit, installed('99.0'))).toEqual({ status: 'match' });
    expect(matchCpe(crit, installed('124.0.2'))).toEqual({ status: 'noMatch' });
    expect(matchCpe(crit, installed('124.0.10'))).toEqual({ status: 'noMatch' });
  });

  it('start and end bounds, including and excluding', () => {
    const crit = m(FIREFOX, { versionStartIncluding: '115.0', versionEndIncluding: '115.9' });
    expect(matchCpe(crit, installed('115.0')).status).toBe('match');
    expect(matchCpe(crit, installed('115.9.0')).status).toBe('match');
    expect(matchCpe(crit, installed('114.9')).status).toBe('noMatch');
    expect(matchCpe(crit, installed('115.10')).status).toBe('noMatch');
    expect(matchCpe(m(FIREFOX, { versionStartExcluding: '115.0' }), installed('115.0')).status).toBe('noMatch');
  });

  it('falls back to SemVer when the versions are not all dotted, and reports what neither reads', () => {
    expect(matchCpe(m(FIREFOX, { versionEndExcluding: '2.0.0' }), installed('2.0.0-rc.1')).status).toBe('match');
    expect(
      matchCpe(m('cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*', { versionEndExcluding: '1.1.1w' }), installed('1.1.1v', 'openssl', 'openssl')),
    ).toMatchObject({
      status: 'notEvaluable',
      reason: expect.stringContaining('not all dotted or all SemVer'),
    });
  });

  it('a criteria version without bounds matches that version (or its wildcard pattern) only', () => {
    expect(matchCpe(m('cpe:2.3:a:mozilla:firefox:91.0:*:*:*:*:*:*:*'), installed('91.0')).status).toBe('match');
    expect(matchCpe(m('cpe:2.3:a:mozilla:firefox:91.0:*:*:*:*:*:*:*'), installed('91.0.1')).status).toBe('noMatch');
    expect(matchCpe(m('cpe:2.3:a:microsoft:internet_explorer:8.*:*:*:*:*:*:*:*'), installed('8.0.6001', 'microsoft', 'internet_explorer')).status).toBe(
      'match',
    );
  });

  it('vendor and product must match (case-insensitively); a mismatch wins over an unknown attribute', () => {
    expect(matchCpe(m(FIREFOX, { versionEndExcluding: '200' }), installed('1.0', 'Mozilla', 'Firefox')).status).toBe('match');
    expect(matchCpe(m(FIREFOX, { versionEndExcluding: '200' }), installed('1.0', 'mozilla', 'thunderbird')).status).toBe('noMatch');
    expect(matchCpe(m('cpe:2.3:a:mozilla:thunderbird:*:sp1:*:*:*:*:*:*'), installed('1.0')).status).toBe('noMatch');
  });

  it('a criteria attribute the installed product does not know is not evaluable, never a match', () => {
    expect(matchCpe(m('cpe:2.3:a:mozilla:firefox:*:*:*:*:esr:*:*:*'), installed('115.0'))).toEqual({
      status: 'notEvaluable',
      reason: "the criteria names a swEdition and the installed product's is unknown",
    });
    expect(matchCpe(m('cpe:2.3:a:mozilla:firefox:*:-:*:*:*:*:*:*'), installed('115.0')).status).toBe('notEvaluable');
  });

  it('NA matches only NA', () => {
    const target = parseCpe23('cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*');
    expect(matchCpe(m('cpe:2.3:a:hp:insight_diagnostics:*:-:*:*:*:*:*:*', { versionEndIncluding: '7.4.0.1570' }), target).status).toBe('match');
    expect(matchCpe(m('cpe:2.3:a:hp:insight_diagnostics:*:sp1:*:*:*:*:*:*'), target).status).toBe('noMatch');
  });

  it('a compiled cpeMatch answers many installed products as matching each would', () => {
    const crit = m(FIREFOX, { versionStartIncluding: '115.0', versionEndExcluding: '115.9' });
    const decide = compileCpeMatch(crit);
    for (const v of ['114.0', '115.0', '115.8.1', '115.9', '2.0.0-rc.1', '1.1.1w']) expect(decide(installed(v))).toEqual(matchCpe(crit, installed(v)));
    expect(decide(installed('115.8.1')).status).toBe('match');
  });

  it('an invalid criteria string throws CPE_INVALID', () => {
    expect(() => matchCpe(m('cpe:2.3:a:mozilla'), installed('1.0'))).toThrow(expect.objectContaining({ code: 'CPE_INVALID' }));
  });
});
