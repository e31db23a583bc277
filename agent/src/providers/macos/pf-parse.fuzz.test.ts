// Fuzz: pfctl output parsers (`-s info`, `-E`, `-a <anchor> -s rules` and the grouping back into policy items). A line
// pf-parse cannot read comes back as `unrecognized`, never as an exception; status and token throw PfOutputError.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clearOutcome, FUZZ_RUNS, hostileText, pathologicalTexts } from '../../../../test/fuzz.js';
import { itemsFromRules, PfOutputError, parseAnchorRules, parseEnableToken, parsePfStatus } from './pf-parse.js';

const read = (name: string) => readFileSync(new URL(`testdata/${name}`, import.meta.url), 'utf8');
const RULES = ['pf-rules-full-policy.txt', 'pf-rules-tampered.txt', 'pf-load-full-policy.txt'].map(read);
const INFO = ['pf-info-enabled.txt', 'pf-info-disabled.txt', 'pf-enable-stderr.txt'].map(read);

/** Rules never throw: every line is a rule or unrecognized, and the items are policy-shaped. */
function checkRules(text: string): void {
  const lines = clearOutcome(parseAnchorRules, text, []);
  if (!lines.ok) return;
  for (const line of lines.value) expect(['rule', 'unrecognized']).toContain(line.kind);
  const items = clearOutcome((l: typeof lines.value) => itemsFromRules(l, new Map()), lines.value, []);
  if (items.ok) for (const item of items.value) expect(typeof item.name).toBe('string');
}

function checkInfo(text: string): void {
  const status = clearOutcome(parsePfStatus, text, [PfOutputError]);
  if (status.ok) expect(['enabled', 'disabled']).toContain(status.value);
  const token = clearOutcome(parseEnableToken, text, [PfOutputError]);
  if (token.ok) expect(token.value).toMatch(/^[0-9]+$/);
}

describe('pfctl parsers under fuzzing', () => {
  it('anchor rules: mutated real output gives lines and items, never an exception', () => {
    fc.assert(fc.property(hostileText(RULES), checkRules), FUZZ_RUNS);
  });

  it('status and enable token: PfOutputError or a reading', () => {
    fc.assert(fc.property(hostileText(INFO), checkInfo), FUZZ_RUNS);
  });

  it.each(pathologicalTexts(RULES[0] as string))('pathological input finishes clearly: $name', ({ text }) => {
    checkRules(text);
    checkInfo(text);
  });
});
