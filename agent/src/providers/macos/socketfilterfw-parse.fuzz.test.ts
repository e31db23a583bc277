// Fuzz: the `socketfilterfw --get…` output parsers. Mutated real outputs give SocketFilterOutputError or a reading.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { clearOutcome, FUZZ_RUNS, hostileText, pathologicalTexts } from '../../../../test/fuzz.js';
import {
  parseAllowSigned,
  parseBlockAll,
  parseGlobalState,
  parseLoggingMode,
  parseLoggingOption,
  parseStealthMode,
  SocketFilterOutputError,
} from './socketfilterfw-parse.js';

const DIR = new URL('testdata/', import.meta.url);
const SAMPLES = readdirSync(DIR)
  .filter((f) => f.startsWith('socketfilterfw-'))
  .map((f) => readFileSync(new URL(f, DIR), 'utf8'));
const PARSERS = [parseGlobalState, parseBlockAll, parseStealthMode, parseLoggingMode, parseLoggingOption, parseAllowSigned];

function check(text: string): void {
  for (const parse of PARSERS) clearOutcome(parse as (t: string) => unknown, text, [SocketFilterOutputError]);
}

describe('socketfilterfw parsers under fuzzing', () => {
  it('mutated real outputs: SocketFilterOutputError or a reading', () => {
    fc.assert(fc.property(hostileText(SAMPLES), check), FUZZ_RUNS);
  });

  it.each(pathologicalTexts(SAMPLES[0] as string))('pathological input finishes clearly: $name', ({ text }) => check(text));
});
