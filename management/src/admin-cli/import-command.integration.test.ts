// Integration test of `attache-admin policy import` against a real endpoint: dry run, creation of the split
// documents from an ASR export (rules + controlled folder access, split into two kinds), and clear errors for
// unreadable or malformed exports. The real corpus is covered by intune-import/corpus.test.ts.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASR_COLLECTION, choice, DEFENDER_CSP, group, policy } from '../intune-import/testing/graph-fixtures.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';
import { adminCliRunner } from './testing/cli-runner.js';

let t: TestEndpoint;
let ASR_EXPORT: string;
beforeAll(async () => {
  t = await startTestEndpoint();
  ASR_EXPORT = join(t.dir, 'asr-export.json');
  const rules = group(ASR_COLLECTION, [
    [choice(`${ASR_COLLECTION}_blockadobereaderfromcreatingchildprocesses`, 'block'), choice(`${ASR_COLLECTION}_blockwebshellcreationforservers`, 'warn')],
  ]);
  // Exports from Intune's tools start with a UTF-8 byte order mark.
  await writeFile(ASR_EXPORT, `\uFEFF${JSON.stringify(policy(rules, choice(`${DEFENDER_CSP}enablecontrolledfolderaccess`, '2')))}`);
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
    expect(res.out).toContain('mapped 3, unmapped 0');
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
    expect(human.out).toMatch(/asr: ".*" \(2 settings\) → policy [0-9a-f-]{36}/);
  });

  it('names unreadable and malformed exports with a stable code', async () => {
    const missing = await cli('policy', 'import', '--file', join(t.dir, 'nope.json'));
    expect(missing.code).toBe(78);
    expect(missing.err).toMatch(/^error CONFIG_INVALID: cannot read/);
    const bad = join(t.dir, 'bad.json');
    await writeFile(bad, '\uFEFF{"@odata.type":"#microsoft.graph.deviceManagementConfigurationPolicy"}');
    const malformed = await cli('policy', 'import', '--file', bad, '--dry-run');
    expect(malformed.code).toBe(65);
    expect(malformed.err).toMatch(/^error INTUNE_EXPORT_INVALID: .*bad\.json: the Intune export has no "settings" array/);
  });
});
