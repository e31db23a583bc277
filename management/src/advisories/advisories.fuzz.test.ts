// Fuzz: advisory files are untrusted input. Mutated OSV records, NVD pages and zip archives give advisories or
// ADVISORY_INVALID (with the record's path), never a crash; and whatever is kept passes its own parser again.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clearOutcome, fuzzRuns, hostileJsonText, pathologicalTexts, receivedJson } from '../../../test/fuzz.js';
import { parseAdvisoryFile } from './advisory-file.js';
import { readNvdItem } from './nvd.js';
import { readOsvRecord } from './osv.js';
import { CVE_2023_0286, CVE_2023_4863, CVE_2024_11477, CVE_REJECTED, nvdPage } from './testing/nvd-page.js';
import { DLA_3530_1, DSA_5532_1, GHSA_67HX } from './testing/osv-records.js';
import { buildZip } from './testing/zip-writer.js';

const OSV = [DSA_5532_1, DLA_3530_1, GHSA_67HX];
const NVD = [CVE_2024_11477, CVE_2023_4863, CVE_2023_0286, CVE_REJECTED];

/** The refusal is ADVISORY_INVALID; the value, when there is one, is consistent. */
function check<T>(parse: (input: T) => unknown, input: T): void {
  const out = clearOutcome(parse, input);
  if (!out.ok) expect((out.error as { code?: string }).code).toBe('ADVISORY_INVALID');
}

describe('advisory parsing on hostile input', () => {
  it('mutated OSV records: a result or ADVISORY_INVALID; a kept advisory reads again the same', () => {
    fc.assert(
      fc.property(receivedJson(OSV), (record) => {
        check((r: unknown) => {
          const result = readOsvRecord(r, { index: 0 });
          if (result.advisory)
            expect(readOsvRecord({ ...(r as object), affected: result.advisory.affected }, { index: 0 }).advisory?.affected).toEqual(result.advisory.affected);
          return result;
        }, record);
      }),
      fuzzRuns(300),
    );
  });

  it('mutated NVD items: a result or ADVISORY_INVALID', () => {
    fc.assert(
      fc.property(receivedJson(NVD), (item) => check((i: unknown) => readNvdItem(i, { index: 0 }), item)),
      fuzzRuns(300),
    );
  });

  it('mutated file text, plain and zipped: a result or ADVISORY_INVALID', () => {
    const samples = [OSV, DSA_5532_1, nvdPage(NVD)];
    fc.assert(
      fc.property(hostileJsonText(samples), fc.boolean(), (text, zipped) => {
        const bytes = zipped ? buildZip([{ name: 'x.json', data: text }]) : Buffer.from(text);
        check((b: Buffer) => parseAdvisoryFile(b, 'fuzz.json'), bytes);
      }),
      fuzzRuns(200),
    );
  });

  it('damaged zip bytes: a result or ADVISORY_INVALID', () => {
    const zip = buildZip(OSV.map((r) => ({ name: `${r.id}.json`, data: JSON.stringify(r) })));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(zip.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (edits) => {
        const bytes = Buffer.from(zip);
        for (const [at, value] of edits) bytes[at] = value;
        check((b: Buffer) => parseAdvisoryFile(b, 'all.zip'), bytes);
      }),
      fuzzRuns(300),
    );
  });

  it.each(pathologicalTexts(JSON.stringify(DSA_5532_1)))('pathological text ($name): a clear outcome', ({ text }) => {
    check((b: Buffer) => parseAdvisoryFile(b, 'p.json'), Buffer.from(text));
  });
});
