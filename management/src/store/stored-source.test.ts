// The stored `source` column read back: NULL is "authored here", a PolicySource round-trips, anything else is
// STORE_CORRUPT naming the row and column.
import { describe, expect, it } from 'vitest';
import { toAttacheError } from '../../../common/errors.js';
import type { PolicySource } from '../../../policy-schemas/src/index.js';
import { sourceFromText, sourceText } from './stored-source.js';

const where = { table: 'compliance_policies', id: 'c1', column: 'source' };
const SOURCE: PolicySource = { system: 'intune', id: 'abc', name: 'Win - Defender compliance', description: 'risk low' };

function failure(text: string): string {
  try {
    sourceFromText(text, where);
  } catch (err) {
    const e = toAttacheError(err);
    return `${e.code}: ${e.message}`;
  }
  return 'no error';
}

describe('stored source', () => {
  it('round-trips a source and reads NULL as none', () => {
    expect(sourceText(undefined)).toBeNull();
    expect(sourceFromText(null, where)).toBeUndefined();
    expect(sourceFromText(sourceText(SOURCE), where)).toEqual(SOURCE);
  });

  it('names the row of a source that is no longer valid JSON or no longer a PolicySource', () => {
    expect(failure('{"system":')).toMatch(/^STORE_CORRUPT: stored compliance_policies c1 \(source\) is corrupt: not valid JSON/);
    expect(failure(JSON.stringify({ ...SOURCE, system: 'sccm' }))).toMatch(/^STORE_CORRUPT: stored compliance_policies c1 \(source\) is corrupt: .*system/);
  });
});
