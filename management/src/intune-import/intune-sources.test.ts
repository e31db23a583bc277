// The import and docs/settings.md read one table (policy-schemas intune-sources.ts): every Intune setting id listed
// for a catalog setting is imported as that setting (or knowingly skipped), so the two cannot drift apart.
import { describe, expect, it } from 'vitest';
import { intuneSourceOf, SETTINGS } from '../../../policy-schemas/src/index.js';
import type { LeafInstance } from './graph-export.js';
import { resolveLeaf } from './resolve-leaf.js';

describe('intune-sources as the importer sees it', () => {
  it('resolves every listed settingDefinitionId to its catalog setting (or a named skip)', () => {
    const wrong: string[] = [];
    for (const s of SETTINGS) {
      const source = intuneSourceOf(s);
      if (source?.kind !== 'intune') continue;
      for (const id of source.settingDefinitionIds) {
        const leaf: LeafInstance = { settingDefinitionId: id, shape: 'choice', raw: `${id}_1`, odataType: '', groupItem: '' };
        const r = resolveLeaf(leaf);
        const target = r.mapped ? r.setting.id : r.settingId;
        const skipped = !r.mapped && (r.reason === 'outOfScope' || r.reason === 'deprecated');
        if (target !== s.id && !skipped) wrong.push(`${id} → ${target ?? r.mapped} (expected ${s.id})`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
