import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AttacheError } from '../../../common/errors.js';
import { parseAdvisoryFile, parseAdvisoryFileYielding } from './advisory-file.js';
import { CVE_2023_0286, CVE_2023_4863, CVE_2024_11477, CVE_AWAITING, CVE_REJECTED, nvdPage } from './testing/nvd-page.js';
import { DLA_3530_1, DSA_5532_1, GHSA_67HX } from './testing/osv-records.js';
import { buildZip } from './testing/zip-writer.js';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const PYPI_ONLY = {
  id: 'PYSEC-2023-254',
  modified: '2023-11-30T00:00:00Z',
  affected: [{ package: { ecosystem: 'PyPI', name: 'cryptography' }, versions: ['41.0.4'] }],
};

function refusal(bytes: Buffer, file = 'advisories.json'): AttacheError {
  try {
    parseAdvisoryFile(bytes, file);
  } catch (err) {
    if (err instanceof AttacheError && err.code === 'ADVISORY_INVALID') return err;
    throw err;
  }
  throw new Error('expected ADVISORY_INVALID');
}

describe('parseAdvisoryFile', () => {
  it('reads one OSV record, and a JSON array of them (with a UTF-8 BOM)', () => {
    expect(parseAdvisoryFile(json(DSA_5532_1), 'DSA-5532-1.json')).toMatchObject({ format: 'osv', read: 1, skipped: [], withdrawn: [] });
    const array = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json([DSA_5532_1, DLA_3530_1, GHSA_67HX, PYPI_ONLY])]);
    const result = parseAdvisoryFile(array, 'records.json');
    expect(result.read).toBe(4);
    expect(result.advisories.map((a) => a.id)).toEqual(['DSA-5532-1', 'DLA-3530-1', 'GHSA-67hx-6x53-jw92']);
    expect(result.skipped).toEqual([
      { id: 'PYSEC-2023-254', path: 'affected[0].package.ecosystem', reason: 'unsupported ecosystem "PyPI"' },
      { id: 'PYSEC-2023-254', path: '', reason: 'no affected entry can be evaluated' },
    ]);
  });

  it('reads a zip of OSV records as osv.dev publishes them (<ecosystem>/all.zip: one record per entry)', () => {
    const withdrawn = { ...DLA_3530_1, id: 'DLA-3000-1', withdrawn: '2023-09-01T00:00:00Z' };
    const zip = buildZip([DSA_5532_1, DLA_3530_1, withdrawn, PYPI_ONLY].map((r) => ({ name: `${r.id}.json`, data: JSON.stringify(r) })));
    const result = parseAdvisoryFile(zip, 'all.zip');
    expect(result).toMatchObject({ format: 'osv', read: 4, withdrawn: ['DLA-3000-1'] });
    expect(result.advisories.map((a) => a.id)).toEqual(['DSA-5532-1', 'DLA-3530-1']);
    expect(result.skipped).toHaveLength(2);
  });

  it('keeps the newest copy of an id and lists the older; a withdrawn copy wins', () => {
    const newer = { ...DSA_5532_1, modified: '2024-01-01T00:00:00Z', summary: 'newer' };
    const result = parseAdvisoryFile(json([newer, DSA_5532_1]), 'dup.json');
    expect(result.advisories).toHaveLength(1);
    expect(result.advisories[0]?.summary).toBe('newer');
    expect(result.skipped).toEqual([
      { id: 'DSA-5532-1', path: '', reason: 'record 1 is an older copy of this id (modified 2023-10-25T06:52:11.000Z); the newest is kept' },
    ]);
    const gone = parseAdvisoryFile(json([DSA_5532_1, { ...DSA_5532_1, withdrawn: '2024-02-01T00:00:00Z' }]), 'w.json');
    expect(gone).toMatchObject({ advisories: [], withdrawn: ['DSA-5532-1'] });
  });

  it('reads an NVD CVE API 2.0 page, plain and zipped as NVD feeds are', () => {
    const page = nvdPage([CVE_2024_11477, CVE_2023_4863, CVE_2023_0286, CVE_REJECTED, CVE_AWAITING]);
    for (const bytes of [json(page), buildZip([{ name: 'nvdcve-2.0-2024.json', data: JSON.stringify(page) }])]) {
      const result = parseAdvisoryFile(bytes, 'nvd');
      expect(result).toMatchObject({ format: 'nvd', read: 5, withdrawn: ['CVE-2023-99999'] });
      expect(result.advisories.map((a) => a.id)).toEqual(['CVE-2024-11477', 'CVE-2023-4863']);
      expect(result.skipped.map((s) => [s.id, s.path])).toEqual([
        ['CVE-2023-0286', 'configurations[0].nodes[0].cpeMatch[0]'],
        ['CVE-2023-0286', ''],
        ['CVE-2024-12345', ''],
      ]);
    }
  });

  it('refuses the whole file on one malformed record, naming its index, id, zip entry and path', () => {
    const bad = { ...GHSA_67HX, affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ fixed: '1.0.0' }] }] }] };
    expect(refusal(json([DSA_5532_1, DLA_3530_1, bad])).message).toBe(
      'advisory record 2 ("GHSA-67hx-6x53-jw92") is malformed: $.affected[0].ranges[0].events: must hold an introduced event; nothing was imported',
    );
    const zip = buildZip([
      { name: 'ok.json', data: JSON.stringify(DSA_5532_1) },
      { name: 'GHSA.json', data: JSON.stringify(bad) },
    ]);
    expect(refusal(zip, 'all.zip').message).toMatch(/^advisory record 1 \("GHSA-67hx-6x53-jw92"\) in "GHSA.json" is malformed: \$\.affected\[0\]/);
    const page = nvdPage([CVE_2024_11477, { cve: { ...CVE_2023_4863.cve, published: 5 } }]);
    expect(refusal(json(page)).message).toMatch(/^advisory record 1 \("CVE-2023-4863"\) is malformed: \$\.cve\.published: expected a string/);
    expect(refusal(json({ ...page, version: '1.1' })).message).toMatch(/^the NVD page is malformed: \$\.version: must be "2\.0"/);
  });

  it('refuses what is not JSON, not UTF-8, too deep, too large, or mixes formats', () => {
    expect(refusal(Buffer.from('{"id": ')).message).toMatch(/advisory file "advisories.json" is not valid JSON/);
    expect(refusal(Buffer.from([0x22, 0xff, 0x22])).message).toMatch(/is not UTF-8 text/);
    expect(refusal(Buffer.from(`${'['.repeat(70)}${']'.repeat(70)}`)).message).toMatch(/nests deeper than 64 levels/);
    // Random text: it compresses like real advisories do, far below the inflate-ratio cap.
    const huge = { ...DLA_3530_1, details: randomBytes(3 * 1024 * 1024).toString('base64') };
    expect(refusal(json([huge])).message).toMatch(/^advisory record 0 \("DLA-3530-1"\) is malformed: \$: the record is \d+ bytes, more than 4194304/);
    expect(refusal(buildZip([{ name: 'huge.json', data: JSON.stringify(huge) }])).message).toMatch(/record 0 .* in "huge.json" .* more than 4194304/);
    const mixed = buildZip([
      { name: 'a.json', data: JSON.stringify(DSA_5532_1) },
      { name: 'nvd.json', data: JSON.stringify(nvdPage([])) },
    ]);
    expect(refusal(mixed).message).toMatch(/mixes OSV records and NVD pages \("nvd.json"\)/);
  });

  it('refuses a zip bomb before inflating it: an entry of 64 MiB of blanks (valid JSON) compressed a thousandfold', () => {
    const blanks = Buffer.alloc(64 << 20, 0x20);
    blanks[0] = 0x5b;
    blanks[blanks.length - 1] = 0x5d;
    const bomb = buildZip([{ name: 'bomb.json', data: blanks }]);
    expect(bomb.length).toBeLessThan(1 << 20);
    expect(refusal(bomb, 'all.zip').message).toMatch(/zip archive "all.zip" cannot be read: entry "bomb.json" would inflate \d+ times its compressed size/);
  });

  it('yields to the caller every `every` records while reading, with the same result as the plain read', async () => {
    const records = Array.from({ length: 1200 }, (_, k) => ({ ...DSA_5532_1, id: `DSA-${k}-1` }));
    const zip = buildZip(records.map((r) => ({ name: `${r.id}.json`, data: JSON.stringify(r) })));
    let pauses = 0;
    const yielded = await parseAdvisoryFileYielding(zip, 'all.zip', async () => void pauses++, 500);
    expect(pauses).toBe(2);
    expect(yielded).toEqual(parseAdvisoryFile(zip, 'all.zip'));
    expect(yielded.advisories).toHaveLength(1200);
    await expect(parseAdvisoryFileYielding(Buffer.from('{"id": '), 'bad.json', async () => undefined)).rejects.toThrow(/is not valid JSON/);
  });
});
