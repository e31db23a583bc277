// Unit tests of the bounded stored-JSON parser and of row isolation.
import { describe, expect, it } from 'vitest';
import { AttacheError } from '../../../common/errors.js';
import { isolateRows, parseStoredJson, STORED_JSON_LIMITS } from './stored-json.js';

const where = { table: 'policy_versions', id: 'p@3', column: 'payload' };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof AttacheError ? `${err.code}: ${err.message}` : 'not an AttacheError';
  }
  return undefined;
}

describe('parseStoredJson', () => {
  it('parses JSON within the limits, including brackets inside strings', () => {
    expect(parseStoredJson('{"a":[1,{"b":"[[[[\\"{{"}]}', where)).toEqual({ a: [1, { b: '[[[["{{' }] });
    const deep = `${'['.repeat(STORED_JSON_LIMITS.maxDepth)}${']'.repeat(STORED_JSON_LIMITS.maxDepth)}`;
    expect(() => parseStoredJson(deep, where)).not.toThrow();
  });

  it('refuses NaN, truncated text, deep nesting and oversize text with STORE_CORRUPT naming the row', () => {
    expect(codeOf(() => parseStoredJson('{"a":NaN}', where))).toMatch(/^STORE_CORRUPT: stored policy_versions p@3 \(payload\) is corrupt: not valid JSON/);
    expect(codeOf(() => parseStoredJson('{"a":[1,2', where))).toMatch(/^STORE_CORRUPT: .*not valid JSON/);
    expect(codeOf(() => parseStoredJson(`${'['.repeat(10_000)}${']'.repeat(10_000)}`, where))).toMatch(/^STORE_CORRUPT: .*deeper than 64/);
    expect(codeOf(() => parseStoredJson(`"${'x'.repeat(STORED_JSON_LIMITS.maxChars)}"`, where))).toMatch(/^STORE_CORRUPT: .*longer than/);
    expect(codeOf(() => parseStoredJson(null as unknown as string, where))).toMatch(/^STORE_CORRUPT: .*found null/);
  });
});

describe('isolateRows', () => {
  it('leaves out and reports corrupt rows, and lets other errors through', () => {
    const rows = [
      { id: 'a', json: '1' },
      { id: 'b', json: '{' },
    ];
    const { items, problems } = isolateRows(
      rows,
      (r) => parseStoredJson<number>(r.json, { table: 't', id: r.id }),
      (r) => ({ table: 't', id: r.id }),
    );
    expect(items).toEqual([1]);
    expect(problems).toEqual([{ table: 't', id: 'b', code: 'STORE_CORRUPT', message: expect.stringContaining('stored t b is corrupt') }]);
    expect(() =>
      isolateRows(
        rows,
        () => {
          throw new Error('database gone');
        },
        (r) => ({ table: 't', id: r.id }),
      ),
    ).toThrow('database gone');
  });
});
