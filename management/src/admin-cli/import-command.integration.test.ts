// Integration test of `attache-admin policy import` against a real endpoint: dry run, creation of the split
// documents from a real corpus export, and clear errors for unreadable or malformed exports.
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';
import { adminCliRunner } from './cli-runner.js';

const ASR_EXPORT = resolve(process.cwd(), '../shared/corpus/intune-exports/Win - OIB - ES - Attack Surface Reduction - D - ASR Rules (L2) - v3.7.json');

let t: TestEndpoint;
beforeAll(async () => {
  t = await startTestEndpoint();
});
afterAll(async () => {
  await t.close();
});

const { cli } = adminCliRunner(() => t.dir);

describe('attache-admin policy import', () => {
  it('shows the mapping table on --dry-run and creates nothing', async () => {
    const res = await cli('policy', 'import', '--file', ASR_EXPORT, '--dry-run');
    expect(res.code).toBe(0);
    expect(res.out).toContain('asr.7674ba52-37eb-4a4f-a9a1-f0f9a1619a2c');
    expect(res.out).toContain('mapped 19, unmapped 0');
    expect(res.out).toContain('would create');
    const list = await cli('--json', 'policy', 'list');
    expect((JSON.parse(list.out) as { policies: unknown[] }).policies).toEqual([]);
  });

  it('creates one policy per kind and prints their ids', async () => {
    const res = await cli('--json', 'policy', 'import', '--file', ASR_EXPORT);
    expect(res.code, res.err).toBe(0);
    const out = JSON.parse(res.out) as { created: { policyId: string; kind: string }[]; unmapped: unknown[] };
    expect(out.created.map((c) => c.kind)).toEqual(['antivirus', 'asr']);
    const list = JSON.parse((await cli('--json', 'policy', 'list')).out) as { policies: { policyId: string }[] };
    expect(list.policies.map((p) => p.policyId).sort()).toEqual(out.created.map((c) => c.policyId).sort());
    const human = await cli('policy', 'import', '--file', ASR_EXPORT);
    expect(human.out).toMatch(/asr: ".*" \(18 settings\) → policy [0-9a-f-]{36}/);
  });

  it('names unreadable and malformed exports with a stable code', async () => {
    const missing = await cli('policy', 'import', '--file', join(t.dir, 'nope.json'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^error CONFIG_INVALID: cannot read/);
    const bad = join(t.dir, 'bad.json');
    await writeFile(bad, '\uFEFF{"@odata.type":"#microsoft.graph.deviceManagementConfigurationPolicy"}');
    const malformed = await cli('policy', 'import', '--file', bad, '--dry-run');
    expect(malformed.code).toBe(1);
    expect(malformed.err).toMatch(/^error INTUNE_EXPORT_INVALID: .*bad\.json: the Intune export has no "settings" array/);
  });
});
