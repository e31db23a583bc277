// The catalog as the console reads it (both answer shapes), form text ↔ values, and the endpoint's error details
// mapped onto form fields.
import { describe, expect, it } from 'vitest';
import { type CatalogSetting, fieldErrors, fromText, normalizeCatalog, toText } from './catalog.js';

const setting = (type: CatalogSetting['type'], extra: Partial<CatalogSetting> = {}): CatalogSetting => ({
  id: 'k.s',
  kind: 'antivirus',
  title: 'S',
  description: '',
  type,
  platforms: ['linux'],
  ...extra,
});

describe('normalizeCatalog', () => {
  it('reads the kinds answer of GET /v1/admin/catalog and a flat settings list alike', () => {
    const def = { id: 'mdatp.a', title: 'A', description: 'd', type: 'integer', minimum: 1, maximum: 64, default: 2, platforms: ['linux'] };
    const byKind = normalizeCatalog({ kinds: [{ kind: 'antivirus', platforms: ['linux'], settings: [def] }] });
    expect(byKind).toEqual([
      { id: 'mdatp.a', kind: 'antivirus', title: 'A', description: 'd', type: 'integer', minimum: 1, maximum: 64, default: 2, platforms: ['linux'] },
    ]);
    expect(normalizeCatalog({ settings: [{ ...def, kind: 'antivirus' }] })).toEqual(byKind);
    expect(() => normalizeCatalog({})).toThrow('neither settings nor kinds');
  });
});

describe('form text ↔ value', () => {
  it('converts each type, and leaves text that is not of the type for the endpoint to refuse', () => {
    expect(fromText(setting('integer'), ' 42 ')).toBe(42);
    expect(fromText(setting('integer'), '4x')).toBe('4x');
    expect(fromText(setting('boolean'), 'false')).toBe(false);
    expect(fromText(setting('stringList'), 'a\n\n b \n')).toEqual(['a', 'b']);
    expect(fromText(setting('objectList'), '[{"x":1}]')).toEqual([{ x: 1 }]);
    expect(() => fromText(setting('objectList'), '[{')).toThrow('S: not valid JSON');
    expect(fromText(setting('string', { values: [{ value: 1, label: 'On' }] }), '1')).toBe(1);
    expect(toText(setting('stringList'), ['a', 'b'])).toBe('a\nb');
  });
});

describe('fieldErrors', () => {
  it('puts each detail on its setting or top-level field, joining several', () => {
    expect(
      fieldErrors([
        { path: '/settings/mdatp.a', message: 'must be <= 64' },
        { path: '/document/settings/mdatp.b/0', message: 'must be string' },
        { path: '/name', message: 'must match pattern' },
        { path: '/settings/mdatp.a', message: 'must be integer' },
      ]),
    ).toEqual({
      'mdatp.a': '/settings/mdatp.a must be <= 64; must be integer',
      'mdatp.b': '/document/settings/mdatp.b/0 must be string',
      name: '/name must match pattern',
    });
  });
});
