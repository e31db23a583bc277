// Fuzz: the Intune (Microsoft Graph) policy-export importer, as text and as parsed JSON. Mutated synthetic exports of
// every setting-instance shape, plus one file of the public corpus when it is present, give INTUNE_EXPORT_INVALID
// naming what is wrong, or an import whose documents all pass the policy schema and the catalog.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validate, validatePolicySettings } from '../../../common/validation.js';
import { PolicyDocument } from '../../../policy-schemas/src/index.js';
import { clearOutcome, FUZZ_RUNS, hostileJson, hostileJsonText, pathologicalTexts, pathologicalValues } from '../../../test/fuzz.js';
import { importIntunePolicy } from './import-policy.js';
import { ASR_COLLECTION, choice, DEFENDER_CSP, group, list, policy, simple } from './testing/graph-fixtures.js';

const FW = 'vendor_msft_firewall_mdmstore_domainprofile_';
const SYNTHETIC = [
  policy(
    choice(`${DEFENDER_CSP}allowrealtimemonitoring`, '1'),
    simple(`${DEFENDER_CSP}avgcpuloadfactor`, 30),
    list(`${DEFENDER_CSP}excludedpaths`, ['C:\\Temp']),
  ),
  policy(choice(`${FW}enablefirewall`, 'true', [choice(`${FW}defaultinboundaction`, '1'), simple(`${FW}logfilepath`, 'C:\\fw.log')])),
  policy(group(ASR_COLLECTION, [[choice(`${ASR_COLLECTION}_blockwebshellcreationforservers`, 'block')]])),
];

/** One real export (the corpus is read at test time, never copied: see corpus.test.ts), when present. */
const CORPUS = process.env.ATTACHE_INTUNE_CORPUS ?? resolve(new URL('../../..', import.meta.url).pathname, '../shared/corpus/intune-exports');
const REAL = existsSync(CORPUS)
  ? readdirSync(CORPUS)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .slice(0, 2)
      .map((f) => JSON.parse(readFileSync(resolve(CORPUS, f), 'utf8').replace(/^\uFEFF/, '')) as unknown)
  : [];
const SAMPLES = [...SYNTHETIC, ...REAL];

function check(input: unknown): void {
  const out = clearOutcome(importIntunePolicy, input);
  if (!out.ok) {
    expect(out.error).toMatchObject({ code: 'INTUNE_EXPORT_INVALID' });
    return;
  }
  for (const doc of out.value.documents) validatePolicySettings(validate(PolicyDocument, doc, 'imported document'));
}

describe('Intune export importer under fuzzing', () => {
  it('mutated exports as parsed JSON: INTUNE_EXPORT_INVALID or valid documents', () => {
    fc.assert(fc.property(hostileJson(SAMPLES), check), FUZZ_RUNS);
  });

  it('mutated exports as text (BOM allowed): INTUNE_EXPORT_INVALID or valid documents', () => {
    fc.assert(fc.property(hostileJsonText(SAMPLES), check), FUZZ_RUNS);
  });

  it.each(pathologicalTexts(JSON.stringify(SYNTHETIC[0])))('pathological text finishes clearly: $name', ({ text }) => check(text));

  it.each(pathologicalValues())('pathological values finish clearly: $name', ({ value }) => check(value));

  it('regression: 10k nested choice children are INTUNE_EXPORT_INVALID, not a stack overflow in the flattening', () => {
    let instance: unknown = choice(`${DEFENDER_CSP}puaprotection`, '1');
    for (let i = 0; i < 10_000; i++) instance = choice(`${DEFENDER_CSP}allowrealtimemonitoring`, '1', [instance]);
    check(policy(instance));
    expect(() => importIntunePolicy(policy(instance))).toThrow(/setting instances nested deeper than 64 levels/);
  });
});
