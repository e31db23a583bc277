// Key-path edits on a managed-configuration document: other keys untouched, parents created and pruned, odd shapes refused.
import { describe, expect, it } from 'vitest';
import { getPath, removePath, setPath } from './document.js';

describe('managed configuration document', () => {
  it('sets a value, creating parents, and leaves siblings alone', () => {
    const doc: Record<string, unknown> = { antivirusEngine: { scanArchives: false }, vendorX: { keep: [1, { a: 'b' }] } };
    setPath(doc, ['antivirusEngine', 'enforcementLevel'], 'real_time');
    setPath(doc, ['cloudService', 'enabled'], true);
    expect(doc).toEqual({
      antivirusEngine: { scanArchives: false, enforcementLevel: 'real_time' },
      vendorX: { keep: [1, { a: 'b' }] },
      cloudService: { enabled: true },
    });
    expect(getPath(doc, ['cloudService', 'enabled'])).toBe(true);
    expect(getPath(doc, ['cloudService', 'missing'])).toBeUndefined();
    expect(getPath(doc, ['vendorX', 'keep', 'a'])).toBeUndefined();
  });

  it('removing a key prunes the parents it leaves empty, and only those', () => {
    const doc: Record<string, unknown> = {
      features: { supplementarySensorConfigurations: { enableRawSocketEvent: 'enabled' } },
      edr: { groupIds: 'x', tags: [] },
    };
    expect(removePath(doc, ['features', 'supplementarySensorConfigurations', 'enableRawSocketEvent'])).toBe(true);
    expect(doc).toEqual({ edr: { groupIds: 'x', tags: [] } });
    expect(removePath(doc, ['edr', 'groupIds'])).toBe(true);
    expect(doc).toEqual({ edr: { tags: [] } });
    expect(removePath(doc, ['edr', 'groupIds'])).toBe(false);
    expect(removePath(doc, ['nothing', 'here'])).toBe(false);
  });

  it('refuses to replace a parent that holds a non-dictionary value', () => {
    const doc: Record<string, unknown> = { antivirusEngine: 'not an object' };
    expect(() => setPath(doc, ['antivirusEngine', 'enforcementLevel'], 'passive')).toThrow(/not a dictionary/);
    expect(doc).toEqual({ antivirusEngine: 'not an object' });
    expect(removePath(doc, ['antivirusEngine', 'enforcementLevel'])).toBe(false);
  });

  it('treats a __proto__ key in the data as data', () => {
    const doc = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    setPath(doc, ['__proto__', 'other'], 1);
    expect(Object.keys(doc)).toEqual(['__proto__']);
    expect(JSON.stringify(doc)).toBe('{"__proto__":{"polluted":true,"other":1}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
