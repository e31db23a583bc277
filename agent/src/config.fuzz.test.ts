// Fuzz: the files an admin or installer hands the agent: the config file (loadConfig) and the onboarding package
// (checkOnboardingPackage). Mutated valid samples give CONFIG_INVALID naming the file, a clear package refusal
// (SCHEMA_INVALID, TLS_PIN_MISMATCH, ENROLLMENT_TOKEN_EXPIRED), or a resolved value.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearOutcome, clearOutcomeAsync, FUZZ_RUNS, fuzzRuns, hostileJson, hostileJsonText, pathologicalTexts, pathologicalValues } from '../../test/fuzz.js';
import * as S from '../../test/fuzz-samples.js';
import { loadConfig } from './config.js';
import { checkOnboardingPackage } from './enrollment/enroll.js';

const NOW = Date.parse('2026-12-02T00:00:00Z');
let dir = '';
let pkg: Record<string, unknown> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-config-fuzz-'));
  pkg = await S.onboardingPackage();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function checkConfig(text: string): Promise<void> {
  const file = join(dir, 'agent.json');
  await writeFile(file, text);
  const out = await clearOutcomeAsync((configFile: string) => loadConfig({ configFile }, {}), file);
  if (out.ok) expect(out.value.checkinIntervalMinutes).toBeGreaterThan(0);
  else {
    expect(out.error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(out.error.message).toContain(file);
  }
}

function checkPackage(value: unknown): void {
  const out = clearOutcome((v: unknown) => checkOnboardingPackage(v, NOW), value);
  if (out.ok) expect(out.value.caPin).toBe(pkg.caPin);
  else expect(['SCHEMA_INVALID', 'TLS_PIN_MISMATCH', 'ENROLLMENT_TOKEN_EXPIRED']).toContain((out.error as { code?: string }).code);
}

describe('agent config file and onboarding package under fuzzing', () => {
  it('the samples are accepted', async () => {
    await checkConfig(JSON.stringify(S.AGENT_CONFIG));
    expect(checkOnboardingPackage(pkg, NOW).tenantId).toBe(S.TENANT);
  });

  it('mutated config files: CONFIG_INVALID naming the file, or a resolved config', async () => {
    await fc.assert(fc.asyncProperty(hostileJsonText([S.AGENT_CONFIG]), checkConfig), fuzzRuns(80));
  });

  it('pathological config files finish clearly', async () => {
    for (const { text } of pathologicalTexts(JSON.stringify(S.AGENT_CONFIG))) await checkConfig(text);
  });

  it('mutated onboarding packages (the PEM edited character by character too): a clear refusal or the package', () => {
    fc.assert(fc.property(hostileJson([pkg]), checkPackage), FUZZ_RUNS);
  });

  it.each(pathologicalValues())('pathological packages finish clearly: $name', ({ value }) => checkPackage(value));
});
