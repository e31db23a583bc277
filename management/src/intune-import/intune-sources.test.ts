// The import and docs/settings.md read one table (policy-schemas intune-sources.ts). Checked against ids written
// independently of the table's derivation rule (review 16c B6): settingDefinitionIds copied by hand from published
// Graph exports, and every id of the real export corpus (read at test time, never copied: GPL-3.0 test input) —
// each real id the importer maps must be the id the table lists for that setting. A third check keeps the importer
// and the table in step for every listed id.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { intuneSourceOf, SETTINGS, settingById } from '../../../policy-schemas/src/index.js';
import { type LeafInstance, readExport } from './graph-export.js';
import { resolveLeaf } from './resolve-leaf.js';

const leafOf = (id: string): LeafInstance => ({ settingDefinitionId: id, shape: 'choice', raw: `${id}_1`, odataType: '', groupItem: '' });
const listedIds = (settingId: string) => {
  const setting = settingById(settingId);
  const source = setting ? intuneSourceOf(setting) : undefined;
  return source?.kind === 'intune' ? source.settingDefinitionIds : [];
};

/**
 * Real settingDefinitionIds, written by hand from published Graph exports (not from the table's rule), for families the
 * corpus lacks. Source of each: github.com/Pacers31Colts18/Intune.Docs, Docs/ConfigurationPolicies/
 * JoeLoveless_-_Defender_for_Endpoint_-_Onboarding.md (a Graph export report: `settingDefinitionId` / `itemId`).
 */
const PUBLISHED: readonly (readonly [string, string])[] = [
  ['device_vendor_msft_windowsadvancedthreatprotection_configuration_samplesharing', 'edr.SampleSharing'],
];

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const CORPUS = process.env.ATTACHE_INTUNE_CORPUS ?? resolve(REPO_ROOT, '../shared/corpus/intune-exports');

describe('intune-sources against ids written independently', () => {
  it.each(PUBLISHED)('%s is listed for %s and imported as it', (id, settingId) => {
    expect(listedIds(settingId)).toContain(id);
    const r = resolveLeaf(leafOf(id));
    expect(r.mapped ? r.setting.id : r.settingId).toBe(settingId);
  });

  it.skipIf(!existsSync(CORPUS))('every in-scope id of the real corpus is the id the table lists for the setting it imports as', () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const file of readdirSync(CORPUS).filter((f) => f.endsWith('.json'))) {
      const parsed = readExport(readFileSync(resolve(CORPUS, file), 'utf8'));
      for (const leaf of parsed.leaves) {
        const r = resolveLeaf(leaf);
        // A real id the table's rule does not produce shows up here as an in-scope id the importer cannot place.
        if (!r.mapped && r.reason !== 'outOfScope' && r.reason !== 'deprecated') wrong.push(`${leaf.settingDefinitionId} (${file}): ${r.reason}`);
        if (!r.mapped) continue;
        checked += 1;
        if (!listedIds(r.setting.id).includes(leaf.settingDefinitionId)) {
          wrong.push(`${leaf.settingDefinitionId} (${file}) → ${r.setting.id}, whose listed ids are ${listedIds(r.setting.id).join(', ') || 'none'}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(wrong).toEqual([]);
  });
});

describe('intune-sources as the importer sees it', () => {
  it('resolves every listed settingDefinitionId to its catalog setting (or a named skip)', () => {
    const wrong: string[] = [];
    for (const s of SETTINGS) {
      const source = intuneSourceOf(s);
      if (source?.kind !== 'intune') continue;
      for (const id of source.settingDefinitionIds) {
        const r = resolveLeaf(leafOf(id));
        const target = r.mapped ? r.setting.id : r.settingId;
        const skipped = !r.mapped && (r.reason === 'outOfScope' || r.reason === 'deprecated');
        if (target !== s.id && !skipped) wrong.push(`${id} → ${target ?? r.mapped} (expected ${s.id})`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
