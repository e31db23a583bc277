// Fuzz: `nft -j list table inet attache` output (parseNftJson) and `nft -j list chains` (health/firewall.ts
// parseNftChains), from the golden outputs in testdata/ mutated: a clear Error naming the output, or a sane reading.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clearOutcome, FUZZ_RUNS, hostileJsonText, pathologicalTexts } from '../../../../test/fuzz.js';
import { parseNftChains } from '../../health/firewall.js';
import { parseNftJson } from './nftables-parse.js';

const read = (name: string) => readFileSync(new URL(`testdata/${name}`, import.meta.url), 'utf8');
const SAMPLES = ['nftables-full.json', 'nftables-minimal.json', 'nftables-tampered.json'].map((f) => JSON.parse(read(f)) as unknown);

function checkTable(text: string): void {
  const out = clearOutcome(parseNftJson, text, [Error]);
  if (!out.ok) return;
  expect(out.value.present).toBe(true);
  expect(['accept', 'drop']).toContain(out.value.defaultInboundAction);
  for (const rule of out.value.rules) expect(typeof rule.name).toBe('string');
  for (const line of out.value.unrecognized) expect(typeof line).toBe('string');
}

function checkChains(text: string): void {
  const out = clearOutcome(parseNftChains, text, [Error]);
  if (out.ok) for (const c of out.value) expect(typeof c.hook).toBe('string');
}

describe('nft JSON parsers under fuzzing', () => {
  it('parseNftJson: mutated golden outputs give a clear error or a reading', () => {
    fc.assert(fc.property(hostileJsonText(SAMPLES), checkTable), FUZZ_RUNS);
  });

  it('parseNftChains: mutated golden outputs give a clear error or base chains', () => {
    fc.assert(fc.property(hostileJsonText(SAMPLES), checkChains), FUZZ_RUNS);
  });

  it.each(pathologicalTexts(read('nftables-full.json')))('pathological input finishes clearly: $name', ({ text }) => {
    checkTable(text);
    checkChains(text);
  });

  it('regression: text that is not JSON names nft, not a bare SyntaxError', () => {
    for (const parse of [parseNftJson, parseNftChains]) expect(() => parse('{"nftables": [')).toThrow(/^nft -j/);
  });
});

describe('nft JSON parser regressions found by fuzzing', () => {
  it.each(['0.5', '1e400', '-1', '65536'])('a port of %s makes the rule unrecognized, not a RangeError from BigInt', (port) => {
    const text = read('nftables-full.json').replace(/"right": 23\b/, `"right": ${port}`);
    const observed = parseNftJson(text);
    expect(observed.rules.find((r) => r.name === 'block telnet')).toBeUndefined();
    expect(observed.unrecognized.join('\n')).toContain('telnet');
  });
});
