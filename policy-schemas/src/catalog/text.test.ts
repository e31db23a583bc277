// Every string a setting value can carry is either one of a fixed set or refuses the characters no provider can take
// (text.ts): checked over the whole catalog, item schemas included, with generated strings that match each pattern.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matching, regex } from '../../../test/catalog-arbitrary.js';
import { type JsonSchema, SETTINGS, settingById, valueSchemaOf } from './index.js';
import { ANGLE_LIST_ITEM_PATTERN, PIPE_LIST_ITEM_PATTERN, TEXT_PATTERN, textPatternMessage } from './text.js';

/** Every string schema inside a value schema, with where it is. */
function stringLeaves(schema: unknown, where: string): [string, JsonSchema][] {
  if (schema === null || typeof schema !== 'object') return [];
  const s = schema as JsonSchema;
  const own: [string, JsonSchema][] = s.type === 'string' ? [[where, s]] : [];
  const children = Object.entries(s).flatMap(([key, child]) => {
    if (key === 'properties' && child && typeof child === 'object') return Object.entries(child).flatMap(([k, v]) => stringLeaves(v, `${where}.${k}`));
    if (Array.isArray(child)) return child.flatMap((c, i) => stringLeaves(c, `${where}/${key}/${i}`));
    return key === 'items' || key === 'then' || key === 'if' ? stringLeaves(child, `${where}/${key}`) : [];
  });
  return [...own, ...children];
}

const LEAVES = SETTINGS.flatMap((s) => stringLeaves(valueSchemaOf(s), s.id)).filter(([, leaf]) => leaf.enum === undefined && leaf.const === undefined);
const HOSTILE = ['\u0000', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\ud800', '\udfff', '\ufffe', '\uffff'];

describe('catalog text rule', () => {
  it('finds the free-text strings of the catalog (string settings, list items, object-list fields)', () => {
    expect(LEAVES.length).toBeGreaterThan(65);
  });

  it.each(LEAVES.map(([where, leaf]) => [where, leaf] as const))('%s has a pattern that refuses every control character', (_where, leaf) => {
    expect(typeof leaf.pattern).toBe('string');
    const pattern = String(leaf.pattern);
    const carriers = matching(pattern, 0, 200);
    fc.assert(
      fc.property(carriers, fc.constantFrom(...HOSTILE), fc.nat(), (carrier, bad, at) => {
        const chars = [...carrier];
        const i = at % (chars.length + 1);
        return !regex(pattern).test([...chars.slice(0, i), bad, ...chars.slice(i)].join(''));
      }),
      { seed: 7, numRuns: 30 },
    );
  });

  it('keeps the device separator out of the items of delimited lists', () => {
    const itemPattern = (id: string) => {
      const setting = settingById(id);
      if (!setting) throw new Error(`no setting ${id}`);
      return (valueSchemaOf(setting).items as JsonSchema).pattern;
    };
    for (const id of ['defender.SignatureUpdateFileSharesSources', 'defender.ExcludedPaths', 'defender.AttackSurfaceReductionOnlyExclusions'])
      expect(itemPattern(id), id).toBe(PIPE_LIST_ITEM_PATTERN);
    expect(itemPattern('asrExclusions.56a863a9-875e-4185-98a7-b882c64b5ce5')).toBe(ANGLE_LIST_ITEM_PATTERN);
    expect(regex(PIPE_LIST_ITEM_PATTERN).test('\\\\server\\share|\\\\evil\\share')).toBe(false);
    expect(regex(ANGLE_LIST_ITEM_PATTERN).test('C:\\a>C:\\b')).toBe(false);
    expect(regex(PIPE_LIST_ITEM_PATTERN).test('\\\\server\\share')).toBe(true);
  });

  it('explains each text pattern in words', () => {
    expect(textPatternMessage(TEXT_PATTERN)).toMatch(/^must not contain control characters/);
    expect(textPatternMessage(PIPE_LIST_ITEM_PATTERN)).toMatch(/or "\|" \(it separates items on the device\)$/);
  });
});
