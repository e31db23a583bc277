// Fuzz: the indicators file in the state dir, read by detection (readIndicators, strict) and by the provider's
// observe (shape only, so an edited item reads as drift). STATE_CORRUPT naming the file, or items of the right shape.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clearOutcomeAsync, FUZZ_RUNS, hostileJsonText, pathologicalTexts } from '../../../../test/fuzz.js';
import { MemoryFileStore } from '../../system/file-store.js';
import { INDICATORS_SETTING, IndicatorStoreProvider, readIndicators } from './indicator-store.js';

const PATH = '/state/indicators.json';
const FILE = {
  formatVersion: 1,
  items: [
    { type: 'fileSha256', value: 'a'.repeat(64), action: 'block', severity: 'high', title: 'Known miner' },
    { type: 'cidr', value: '203.0.113.0/24', action: 'alert' },
    { type: 'domain', value: 'evil.example', action: 'block' },
  ],
};

async function check(text: string): Promise<void> {
  const files = new MemoryFileStore();
  await files.writeAtomic(PATH, text);
  const strict = await clearOutcomeAsync((p: string) => readIndicators(files, p), PATH);
  if (strict.ok) for (const item of strict.value) expect(typeof item.value).toBe('string');
  else expect(strict.error).toMatchObject({ code: 'STATE_CORRUPT', message: expect.stringContaining(PATH) });
  const provider = new IndicatorStoreProvider({ path: PATH }, { files });
  const observed = await clearOutcomeAsync((ids: string[]) => provider.observe(ids), [INDICATORS_SETTING]);
  if (observed.ok) expect(Array.isArray(observed.value.get(INDICATORS_SETTING))).toBe(true);
  else expect(observed.error).toMatchObject({ code: 'STATE_CORRUPT' });
}

describe('indicators file under fuzzing', () => {
  it('mutated files: STATE_CORRUPT naming the file, or indicators', async () => {
    await fc.assert(fc.asyncProperty(hostileJsonText([FILE]), check), FUZZ_RUNS);
  });

  it.each(pathologicalTexts(JSON.stringify(FILE)))('pathological file finishes clearly: $name', ({ text }) => check(text));

  it.each(['null', '[]', '{"formatVersion":1,"items":[{"type":"cidr","value":7}]}'])('regression: %s is STATE_CORRUPT, not a TypeError', async (text) => {
    const files = new MemoryFileStore();
    await files.writeAtomic(PATH, text);
    await expect(readIndicators(files, PATH)).rejects.toMatchObject({ code: 'STATE_CORRUPT' });
  });
});
