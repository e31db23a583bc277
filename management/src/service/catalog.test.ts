// The settings catalog answer: every kind, every catalogued setting once, valid against its published schema.
import { describe, expect, it } from 'vitest';
import { validate } from '../../../common/validation.js';
import { POLICY_KINDS, SETTINGS, SettingsCatalog } from '../../../policy-schemas/src/index.js';
import { settingsCatalog } from './catalog.js';

describe('settingsCatalog', () => {
  it('lists every kind and every setting once, with the platforms its settings apply to', () => {
    const catalog = validate(SettingsCatalog, settingsCatalog(), 'catalog');
    expect(catalog.kinds.map((k) => k.kind)).toEqual([...POLICY_KINDS]);
    expect(catalog.kinds.flatMap((k) => k.settings.map((s) => s.id)).sort()).toEqual(SETTINGS.map((s) => s.id).sort());
    for (const k of catalog.kinds) {
      expect(k.settings.every((s) => s.kind === k.kind)).toBe(true);
      expect(new Set(k.platforms)).toEqual(new Set(k.settings.flatMap((s) => s.platforms)));
    }
  });
});
