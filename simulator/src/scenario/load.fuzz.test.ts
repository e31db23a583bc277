// Fuzz: the simulator's scenario loader (schema, tags named first, policy files resolved, names cross-checked).
// Mutated scenario files from simulator/scenarios/ give SCHEMA_INVALID naming the scenario, or a loaded scenario
// with its defaults filled in.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearOutcomeAsync, fuzzRuns, hostileJsonText, pathologicalTexts } from '../../../test/fuzz.js';
import { loadScenario } from './load.js';

const SCENARIOS = new URL('../../scenarios/', import.meta.url);
let samples: unknown[] = [];
let dir = '';
let n = 0;

beforeAll(async () => {
  const names = (await readdir(SCENARIOS)).filter((f) => f.endsWith('.json')).sort();
  samples = await Promise.all(names.map(async (f) => JSON.parse(await readFile(new URL(f, SCENARIOS), 'utf8')) as unknown));
  dir = await mkdtemp(join(tmpdir(), 'attache-scenario-fuzz-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function check(text: string): Promise<void> {
  const file = join(dir, `s${n++}.json`);
  await writeFile(file, text);
  const out = await clearOutcomeAsync(loadScenario, file);
  await rm(file);
  if (out.ok) {
    expect(out.value.fleet.hosts.reduce((sum, h) => sum + h.count, 0)).toBeGreaterThan(0);
    expect(Number.isInteger(out.value.seed)).toBe(true);
  } else {
    expect(out.error).toMatchObject({ code: 'SCHEMA_INVALID' });
    expect(out.error.message).toContain(file);
  }
}

describe('scenario loader under fuzzing', () => {
  it('the scenario files load', async () => {
    for (const s of samples) await check(JSON.stringify(s));
  });

  it('mutated scenario files: SCHEMA_INVALID naming the file, or a loaded scenario', async () => {
    await fc.assert(
      fc.asyncProperty(hostileJsonText(samples), (text) => check(text)),
      fuzzRuns(100),
    );
  });

  it('pathological files finish clearly', async () => {
    for (const { text } of pathologicalTexts(JSON.stringify(samples[0]))) await check(text);
  });
});
