import { describe, expect, it } from 'vitest';
import { AttacheError } from '../../../common/errors.js';
import { matchCpe, parseCpe23 } from '../../../common/versions/cpe.js';
import { readNvdItem } from './nvd.js';
import { CVE_2023_0286, CVE_2023_4863, CVE_2024_11477, CVE_AWAITING, CVE_REJECTED } from './testing/nvd-page.js';

const place = { index: 3 };
const clone = <T>(v: T): T => structuredClone(v);

function invalid(item: unknown): AttacheError {
  try {
    readNvdItem(item, place);
  } catch (err) {
    if (err instanceof AttacheError) return err;
    throw err;
  }
  throw new Error('expected ADVISORY_INVALID');
}

describe('readNvdItem', () => {
  it('reads a Windows application CVE into cpeMatch criteria cpe.ts decides', () => {
    const { advisory, skipped } = readNvdItem(CVE_2024_11477, place);
    expect(skipped).toEqual([]);
    expect(advisory).toMatchObject({
      source: 'nvd',
      id: 'CVE-2024-11477',
      published: '2024-11-22T21:15:08.603Z',
      modified: '2024-12-02T14:52:11.027Z',
      summary: '7-Zip Zstandard Decompression Integer Underflow Remote Code Execution Vulnerability.',
      severity: { level: 'high', cvssScore: 7.8, cvssVector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', version: '3.1' },
    });
    if (advisory?.source !== 'nvd') throw new Error('expected an NVD advisory');
    const [config] = advisory.affected;
    expect(config).toMatchObject({ operator: 'OR', negate: false });
    const criteria = config?.nodes[0]?.cpeMatch[0];
    if (!criteria) throw new Error('expected a cpeMatch');
    expect(matchCpe(criteria, parseCpe23('cpe:2.3:a:7-zip:7-zip:23.01:*:*:*:*:*:*:*')).status).toBe('match');
    expect(matchCpe(criteria, parseCpe23('cpe:2.3:a:7-zip:7-zip:24.07:*:*:*:*:*:*:*')).status).toBe('noMatch');
  });

  it("keeps a macOS AND configuration and prefers NVD's Primary metric", () => {
    const { advisory } = readNvdItem(CVE_2023_4863, place);
    if (advisory?.source !== 'nvd') throw new Error('expected an NVD advisory');
    expect(advisory.affected[0]?.operator).toBe('AND');
    expect(advisory.affected[0]?.nodes[1]?.cpeMatch[0]).toMatchObject({ vulnerable: false, criteria: 'cpe:2.3:o:apple:macos:-:*:*:*:*:*:*:*' });
    expect(advisory.severity).toMatchObject({ level: 'high', cvssScore: 8.8 });
  });

  it('skips a configuration whose version bounds can never be compared, whole', () => {
    const { advisory, skipped } = readNvdItem(CVE_2023_0286, place);
    expect(advisory).toBeUndefined();
    expect(skipped).toEqual([
      {
        id: 'CVE-2023-0286',
        path: 'configurations[0].nodes[0].cpeMatch[0]',
        reason: 'version bounds ["1.1.1","1.1.1t"] are neither all dotted nor all SemVer versions',
      },
      { id: 'CVE-2023-0286', path: '', reason: 'no configuration can be evaluated' },
    ]);
  });

  it('lists a rejected CVE as withdrawn, and skips one without configurations (v4 severity read)', () => {
    expect(readNvdItem(CVE_REJECTED, place)).toEqual({ id: 'CVE-2023-99999', withdrawn: true, skipped: [] });
    expect(readNvdItem(CVE_AWAITING, place).skipped).toEqual([{ id: 'CVE-2024-12345', path: '', reason: 'no configurations (NVD has not analysed it yet)' }]);
  });

  it('refuses malformed items naming the record, the id and the path', () => {
    const with7zip = (change: (cve: Record<string, any>) => void) => {
      const item = clone(CVE_2024_11477) as { cve: Record<string, any> };
      change(item.cve);
      return item;
    };
    expect(invalid({}).message).toMatch(/^advisory record 3 is malformed: \$\.cve: expected an object/);
    expect(invalid(with7zip((c) => (c.id = 'CVE-24-1'))).message).toMatch(/\$\.cve\.id: "CVE-24-1" is not a CVE id/);
    expect(invalid(with7zip((c) => (c.lastModified = 'yesterday'))).message).toMatch(/record 3 \("CVE-2024-11477"\) is malformed: \$\.cve\.lastModified/);
    expect(invalid(with7zip((c) => (c.descriptions = []))).message).toMatch(/\$\.cve\.descriptions: must hold at least one/);
    expect(invalid(with7zip((c) => (c.configurations[0].nodes[0].operator = 'XOR'))).details).toEqual([
      { path: '$.cve.configurations[0].nodes[0].operator', message: 'must be AND or OR' },
    ]);
    expect(invalid(with7zip((c) => (c.configurations[0].nodes[0].cpeMatch[0].criteria = 'cpe:/a:7-zip:7-zip'))).message).toMatch(
      /\$\.cve\.configurations\[0\]\.nodes\[0\]\.cpeMatch\[0\]\.criteria: CPE name .* must start with "cpe:2\.3:"/,
    );
    expect(invalid(with7zip((c) => delete c.configurations[0].nodes[0].cpeMatch[0].matchCriteriaId)).message).toMatch(/matchCriteriaId: expected a string/);
    expect(invalid(with7zip((c) => (c.metrics.cvssMetricV31[0].cvssData.baseScore = 11))).message).toMatch(
      /cvssMetricV31\[0\]\.cvssData\.baseScore: must be a number from 0 to 10/,
    );
    expect(invalid(with7zip((c) => (c.metrics.cvssMetricV31[0].cvssData.vectorString = 'CVSS:3.1/AV:L'))).message).toMatch(/vectorString: CVSS vector/);
    expect(invalid(with7zip((c) => (c.references = [{ url: 'javascript:alert(1)' }]))).message).toMatch(/references\[0\]\.url: not an http/);
  });
});
