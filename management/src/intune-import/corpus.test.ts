// Imports every real Intune export of the public corpus (read at test time, never copied into the repository: it is
// GPL-3.0 test input): nothing is silently dropped, every produced document validates, and one line per file records
// the counts in the CI output. The corpus is `$ATTACHE_INTUNE_CORPUS`, else `../shared/corpus/intune-exports` beside
// the repository; where neither exists the suite is skipped and says so (the synthetic exports of
// import-policy.test.ts still run).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validate, validatePolicySettings } from '../../../common/validation.js';
import { PolicyDocument, settingById } from '../../../policy-schemas/src/index.js';
import { countByReason, importIntunePolicy } from './import-policy.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const CORPUS = process.env.ATTACHE_INTUNE_CORPUS ?? resolve(REPO_ROOT, '../shared/corpus/intune-exports');
const PRESENT = existsSync(CORPUS);
const FILES = PRESENT
  ? readdirSync(CORPUS)
      .filter((f) => f.endsWith('.json'))
      .sort()
  : [];
if (!PRESENT) process.stdout.write(`intune-import: corpus not found at ${CORPUS}; set ATTACHE_INTUNE_CORPUS to run the corpus suite\n`);

/** Share of in-scope instances the import must map (issue 16). */
const MIN_RATE = 0.99;

const GROUP_TYPES = /GroupSetting(Collection)?Instance$/;

/** Counts value-bearing setting instances independently of the importer: every object with a settingDefinitionId that is not a group. */
function countInstances(node: unknown): number {
  if (Array.isArray(node)) return node.reduce((n: number, x) => n + countInstances(x), 0);
  if (typeof node !== 'object' || node === null) return 0;
  const o = node as Record<string, unknown>;
  const self = typeof o.settingDefinitionId === 'string' && !GROUP_TYPES.test(String(o['@odata.type'])) ? 1 : 0;
  return self + Object.values(o).reduce((n: number, x) => n + countInstances(x), 0);
}

describe.skipIf(!PRESENT)('intune import over the real export corpus', () => {
  it('finds the corpus', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(9);
  });

  it.each(FILES)('%s: every instance is mapped or unmapped with a reason, every document validates', (file) => {
    const text = readFileSync(join(CORPUS, file), 'utf8');
    const result = importIntunePolicy(text);
    const data = JSON.parse(text.replace(/^\uFEFF/, '')) as { settings?: unknown };
    // A compliance export counts its configured properties (compliance-import.test.ts pins which); others count as above.
    const compliance = /CompliancePolicy$/.test(String((data as Record<string, unknown>)['@odata.type']));
    const expected = Array.isArray(data.settings) ? countInstances(data.settings) : compliance ? result.instances : 1;
    expect(result.instances).toBe(expected);
    expect(result.mapped.length + result.unmapped.length).toBe(result.instances);
    for (const u of result.unmapped) {
      expect(['outOfScope', 'unknown', 'deprecated', 'notInCatalog']).toContain(u.reason);
      expect(u.detail.length).toBeGreaterThan(10);
    }
    for (const m of result.mapped.filter((x) => !x.settingId.startsWith('compliance.'))) expect(settingById(m.settingId), m.settingId).toBeDefined();
    for (const doc of result.documents) {
      validate(PolicyDocument, doc, `${file} ${doc.kind}`);
      validatePolicySettings(doc, `${file} ${doc.kind}`);
    }
    const mappedIds = new Set(result.mapped.filter((m) => !m.settingId.startsWith('compliance.')).map((m) => m.settingId));
    const documentIds = new Set(result.documents.flatMap((d) => Object.keys(d.settings)));
    expect([...documentIds].sort()).toEqual([...mappedIds].sort());
    const reasons = Object.entries(countByReason(result.unmapped))
      .filter(([, n]) => n > 0)
      .map(([r, n]) => `${r} ${n}`)
      .join(', ');
    process.stdout.write(`intune-import: ${file}: mapped ${result.mapped.length}, unmapped ${result.unmapped.length} (by reason ${reasons || 'none'})\n`);
  });

  it('splits the ASR export into asr rules and controlled folder access (antivirus)', () => {
    const file = FILES.find((f) => f.includes('ASR Rules (L2)'));
    expect(file).toBeDefined();
    const result = importIntunePolicy(readFileSync(join(CORPUS, file ?? ''), 'utf8'));
    expect(result.documents.map((d) => d.kind)).toEqual(['antivirus', 'asr']);
    const asr = result.documents.find((d) => d.kind === 'asr');
    expect(asr?.settings['asr.7674ba52-37eb-4a4f-a9a1-f0f9a1619a2c']).toBe('block');
    expect(asr?.settings['asr.5beb7efe-fd9a-4556-801d-275e5ffc04cc']).toBe('warn');
    expect(result.documents[0]?.settings).toEqual({ 'defender.EnableControlledFolderAccess': 2 });
  });

  it('imports the Windows compliance policy (Defender checks) and reports the macOS device-preparation payloads as out of scope', () => {
    const compliance = importIntunePolicy(readFileSync(join(CORPUS, FILES.find((f) => f.includes('Compliance')) ?? ''), 'utf8'));
    expect(compliance.documents).toEqual([]);
    expect(compliance.compliancePolicies).toEqual([
      expect.objectContaining({ settings: { requireSignaturesUpToDate: true, requireRealTimeProtection: true }, gracePeriodHours: 6 }),
    ]);
    expect(compliance.unmapped).toEqual([expect.objectContaining({ settingDefinitionId: 'defenderEnabled', reason: 'notInCatalog' })]);
    const mde = importIntunePolicy(readFileSync(join(CORPUS, FILES.find((f) => f.includes('MDE Configuration')) ?? ''), 'utf8'));
    expect(mde.documents).toEqual([]);
    expect(new Set(mde.unmapped.map((u) => u.reason))).toEqual(new Set(['outOfScope']));
  });

  it('maps at least the required share of in-scope setting instances (not outOfScope, not deprecated) and prints it', () => {
    let mapped = 0;
    let inScope = 0;
    for (const file of FILES) {
      const r = importIntunePolicy(readFileSync(join(CORPUS, file), 'utf8'));
      mapped += r.mapped.length;
      inScope += r.mapped.length + r.unmapped.filter((u) => u.reason !== 'outOfScope' && u.reason !== 'deprecated').length;
    }
    const rate = mapped / inScope;
    process.stdout.write(`intune-import: corpus mapping rate ${(rate * 100).toFixed(1)} % (${mapped} of ${inScope} in-scope instances)\n`);
    expect(rate).toBeGreaterThanOrEqual(MIN_RATE);
  });
});
