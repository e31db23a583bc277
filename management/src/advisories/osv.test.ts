import { describe, expect, it } from 'vitest';
import { AttacheError } from '../../../common/errors.js';
import { readOsvRecord } from './osv.js';
import { DLA_3530_1, DSA_5532_1, GHSA_67HX } from './testing/osv-records.js';

const place = { index: 0 };
const clone = <T>(v: T): T => structuredClone(v);

function invalid(record: unknown): AttacheError {
  try {
    readOsvRecord(record, { index: 7, entry: 'all/X.json' });
  } catch (err) {
    if (err instanceof AttacheError) return err;
    throw err;
  }
  throw new Error('expected ADVISORY_INVALID');
}

describe('readOsvRecord', () => {
  it('reads a Debian DSA with its affected entries as published', () => {
    const { advisory, skipped, withdrawn } = readOsvRecord(DSA_5532_1, place);
    expect(withdrawn).toBe(false);
    expect(skipped).toEqual([]);
    expect(advisory).toMatchObject({ source: 'osv', id: 'DSA-5532-1', modified: '2023-10-25T06:52:11.000Z', published: '2023-10-24T00:00:00.000Z' });
    expect(advisory?.summary).toBe('openssl - security update');
    expect(advisory?.severity).toEqual({ level: 'unknown' });
    expect(advisory?.affected).toEqual(DSA_5532_1.affected);
  });

  it('scores a GHSA CVSS v3.1 vector and keeps both npm ranges', () => {
    const { advisory } = readOsvRecord(GHSA_67HX, place);
    expect(advisory?.severity).toEqual({ level: 'critical', cvssScore: 9.8, cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', version: '3.1' });
    expect(advisory?.aliases).toEqual(['CVE-2023-45133']);
    expect(advisory?.affected).toHaveLength(2);
  });

  it('keeps a CVSS v4 vector with the level the database states, unknown without one', () => {
    const v4 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';
    const record = { ...clone(GHSA_67HX), severity: [{ type: 'CVSS_V4', score: v4 }] };
    expect(readOsvRecord(record, place).advisory?.severity).toEqual({ level: 'critical', cvssVector: v4, version: '4.0' });
    const { database_specific: _, ...bare } = record;
    expect(readOsvRecord(bare, place).advisory?.severity).toEqual({ level: 'unknown', cvssVector: v4, version: '4.0' });
  });

  it('reads severity from affected entries when the record has none, and Ubuntu priorities', () => {
    const record = clone(DLA_3530_1) as Record<string, unknown> & { affected: Record<string, unknown>[] };
    (record.affected[0] as Record<string, unknown>).severity = [{ type: 'Ubuntu', score: 'medium' }];
    expect(readOsvRecord(record, place).advisory?.severity).toEqual({ level: 'medium' });
  });

  it('lists a withdrawn record and stores nothing of it', () => {
    const result = readOsvRecord({ ...clone(DLA_3530_1), withdrawn: '2023-09-01T00:00:00Z' }, place);
    expect(result).toEqual({ id: 'DLA-3530-1', withdrawn: true, skipped: [] });
  });

  it('skips unsupported ecosystems, unparsable versions and GIT-only entries, and keeps the rest', () => {
    const record = clone(DSA_5532_1) as { affected: unknown[] };
    record.affected.push(
      { package: { ecosystem: 'PyPI', name: 'cryptography' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '41.0.5' }] }] },
      { package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0 beta' }] }] },
      { ranges: [{ type: 'GIT', repo: 'https://github.com/openssl/openssl', events: [{ introduced: '0' }, { fixed: 'a'.repeat(40) }] }] },
      {
        package: { ecosystem: 'Debian:12', name: 'openssl' },
        ranges: [{ type: 'GIT', repo: 'https://github.com/openssl/openssl', events: [{ introduced: '0' }] }],
      },
    );
    const { advisory, skipped } = readOsvRecord(record, place);
    expect(advisory?.affected).toHaveLength(2);
    expect(skipped).toEqual([
      { id: 'DSA-5532-1', path: 'affected[2].package.ecosystem', reason: 'unsupported ecosystem "PyPI"' },
      { id: 'DSA-5532-1', path: 'affected[3].ranges[0].events[1].fixed', reason: expect.stringMatching(/^dpkg version "3.0 beta"/) },
      { id: 'DSA-5532-1', path: 'affected[4]', reason: expect.stringContaining('GIT-only entry') },
      { id: 'DSA-5532-1', path: 'affected[5]', reason: 'only GIT ranges and no versions list: not evaluable' },
    ]);
  });

  it('skips a record of which nothing can be evaluated, naming the record', () => {
    const record = { ...clone(DLA_3530_1), affected: [{ package: { ecosystem: 'Maven', name: 'org.example:x' }, versions: ['1.0'] }] };
    const { advisory, skipped } = readOsvRecord(record, place);
    expect(advisory).toBeUndefined();
    expect(skipped.at(-1)).toEqual({ id: 'DLA-3530-1', path: '', reason: 'no affected entry can be evaluated' });
    expect(readOsvRecord({ ...clone(DLA_3530_1), affected: null }, place).skipped).toEqual([
      { id: 'DLA-3530-1', path: '', reason: 'lists no affected package' },
    ]);
  });

  it("takes the first line of details with text when there is no summary (Debian's start with a newline)", () => {
    const { summary: _, ...record } = clone(DSA_5532_1);
    expect(readOsvRecord(record, place).advisory?.summary).toBe('Tony Battersby reported that incorrect cipher key and IV length processing');
  });

  it('keeps hostile strings as data and cuts a long summary', () => {
    const record = { ...clone(DLA_3530_1), summary: `\u001b[31mred\u202e${'x'.repeat(2000)}` };
    const summary = readOsvRecord(record, place).advisory?.summary ?? '';
    expect(summary.startsWith('\u001b[31mred\u202e')).toBe(true);
    expect(Array.from(summary)).toHaveLength(1000);
    expect(summary.endsWith('…')).toBe(true);
  });

  it('refuses malformed records naming the record, its id and the JSON path', () => {
    const cases: [unknown, RegExp][] = [
      [[], /record 7 in "all\/X.json" is malformed: \$: expected an object/],
      [{ ...clone(DSA_5532_1), id: 3 }, /\$\.id: expected a string/],
      [
        { ...clone(DSA_5532_1), modified: '2023-10-25 06:52' },
        /record 7 \("DSA-5532-1"\) in "all\/X.json" is malformed: \$\.modified: "2023-10-25 06:52" is not a UTC RFC 3339/,
      ],
      [{ ...clone(DSA_5532_1), modified: '2023-02-30T00:00:00Z' }, /\$\.modified: .* not a valid date/],
      [{ ...clone(GHSA_67HX), severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N' }] }, /\$\.severity\[0\]\.score: CVSS vector .* base metric/],
      [{ ...clone(DLA_3530_1), aliases: ['CVE-1', 2] }, /\$\.aliases\[1\]: expected a string/],
    ];
    for (const [record, message] of cases) expect(invalid(record).message).toMatch(message);
    const events = (events: unknown[], type = 'ECOSYSTEM') => ({
      ...clone(DLA_3530_1),
      affected: [{ package: { ecosystem: 'Debian:10', name: 'openssl' }, ranges: [{ type, events }] }],
    });
    expect(invalid(events([{ introduced: '0', fixed: '1' }])).details).toEqual([
      { path: '$.affected[0].ranges[0].events[0]', message: expect.stringMatching(/exactly one/) },
    ]);
    expect(invalid(events([{ fixed: '1' }])).message).toMatch(/\$\.affected\[0\]\.ranges\[0\]\.events: must hold an introduced event/);
    expect(invalid(events([{ introduced: '0' }, { fixed: '1' }, { last_affected: '2' }])).message).toMatch(/mutually exclusive/);
    expect(invalid(events([{ introduced: '0' }], 'RANGE')).message).toMatch(/\.ranges\[0\]\.type: must be ECOSYSTEM, SEMVER or GIT/);
    expect(invalid(events([{ introduced: '0' }], 'GIT')).message).toMatch(/\.ranges\[0\]\.repo: expected a string/);
    expect(invalid(events([{ introduced: 7 }])).message).toMatch(/\.events\[0\]\.introduced: expected a string/);
  });
});
