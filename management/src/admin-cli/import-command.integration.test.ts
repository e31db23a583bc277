// Integration test of `attache-admin policy import` against a real endpoint: dry run, creation of the split documents
// from an ASR export (rules + controlled folder access) with the Intune provenance kept on them, re-import updating
// instead of duplicating, --strict, compliance-policy import, and clear errors for unreadable, malformed exports and a
// missing endpoint (after the mapping is shown). The real corpus is covered by intune-import/corpus.test.ts.
import { mkdtemp, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompliancePolicy, PolicySummary } from '../../../policy-schemas/src/index.js';
import { ASR_COLLECTION, choice, compliancePolicy, DEFENDER_CSP, group, policy } from '../intune-import/testing/graph-fixtures.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';
import { runAdminCli } from './cli.js';
import { adminCliRunner } from './testing/cli-runner.js';

let t: TestEndpoint;
const COMPLIANCE_ID = '99999999-8888-7777-6666-555555555555';
const LOSSY_ID = 'bbbbbbbb-0000-4000-8000-000000000001';
let ASR_EXPORT: string;
const asrExport = (cfa: string) => {
  const rules = group(ASR_COLLECTION, [
    [choice(`${ASR_COLLECTION}_blockadobereaderfromcreatingchildprocesses`, 'block'), choice(`${ASR_COLLECTION}_blockwebshellcreationforservers`, 'warn')],
  ]);
  return { ...policy(rules, choice(`${DEFENDER_CSP}enablecontrolledfolderaccess`, cfa)), name: 'ASR baseline', description: 'from the lab' };
};
beforeAll(async () => {
  t = await startTestEndpoint();
  ASR_EXPORT = join(t.dir, 'asr-export.json');
  // Exports from Intune's tools start with a UTF-8 byte order mark.
  await writeFile(ASR_EXPORT, `\uFEFF${JSON.stringify(asrExport('2'))}`);
});
afterAll(async () => {
  await t.close();
});

const { cli, json } = adminCliRunner(() => t.dir);
const policies = async () => (await json<{ policies: PolicySummary[] }>('policy', 'list')).policies;

describe('attache-admin policy import', () => {
  it('shows the mapping table on --dry-run and creates nothing', async () => {
    const res = await cli('policy', 'import', '--file', ASR_EXPORT, '--dry-run');
    expect(res.code).toBe(0);
    expect(res.out).toContain('asr.7674ba52-37eb-4a4f-a9a1-f0f9a1619a2c');
    expect(res.out).toContain('mapped 3, unmapped 0');
    expect(res.out).toContain('dry run: would create');
    expect(await policies()).toEqual([]);
  });

  it('creates one policy per kind, keeps the Intune name, id and description on them, and shows them as one unit', async () => {
    const out = await json<{ applied: { action: string; kind: string; id: string }[] }>('policy', 'import', '--file', ASR_EXPORT);
    expect(out.applied.map((a) => [a.action, a.kind])).toEqual([
      ['created', 'antivirus'],
      ['created', 'asr'],
    ]);
    const list = await policies();
    expect(list.map((p) => p.policyId).sort()).toEqual(out.applied.map((a) => a.id).sort());
    for (const p of list) {
      expect(p.source).toMatchObject({ system: 'intune', id: '11111111-2222-3333-4444-555555555555', name: 'ASR baseline', description: 'from the lab' });
    }
    const human = (await cli('policy', 'list')).out;
    expect(human).toMatch(
      /Imported from Intune\nIntune policy "ASR baseline" \(11111111-2222-3333-4444-555555555555\)\n {2}antivirus: [0-9a-f-]{36} .*\n {2}asr: /,
    );
    const shown = (await cli('policy', 'show', out.applied[1]?.id ?? '')).out;
    expect(shown).toContain('ASR baseline (11111111-2222-3333-4444-555555555555)');
    expect(shown).toContain('from the lab');
  });

  it('re-imports the same export without duplicating, and updates what changed', async () => {
    const again = await json<{ applied: { action: string }[] }>('policy', 'import', '--file', ASR_EXPORT);
    expect(again.applied.map((a) => a.action)).toEqual(['unchanged', 'unchanged']);
    const changed = join(t.dir, 'asr-changed.json');
    await writeFile(changed, JSON.stringify(asrExport('1')));
    const res = await cli('policy', 'import', '--file', changed);
    expect(res.code, res.err).toBe(0);
    expect(res.out).toMatch(/updated antivirus: .* → policy [0-9a-f-]{36} v2/);
    expect(res.out).toMatch(/unchanged asr: /);
    const list = await policies();
    expect(list).toHaveLength(2);
    expect(list.find((p) => p.kind === 'antivirus')?.settings).toEqual({ 'defender.EnableControlledFolderAccess': 1 });
  });

  it('--strict refuses to create anything when a setting would be dropped', async () => {
    const file = join(t.dir, 'lossy.json');
    await writeFile(
      file,
      JSON.stringify({ ...policy(choice(`${DEFENDER_CSP}allowrealtimemonitoring`, '1'), choice(`${DEFENDER_CSP}notarealsetting`, '1')), id: LOSSY_ID }),
    );
    const res = await cli('policy', 'import', '--file', file, '--strict');
    expect(res.code).toBe(65);
    expect(res.out).toContain('notarealsetting');
    expect(res.err).toMatch(/^error IMPORT_INCOMPLETE: --strict: 1 of 2 setting instances would be dropped \(notInCatalog 1\); nothing was created/);
    expect((await policies()).filter((p) => p.source?.id === LOSSY_ID)).toEqual([]);
  });

  it('imports a compliance policy through the compliance API, and re-imports it in place', async () => {
    const file = join(t.dir, 'compliance.json');
    await writeFile(file, JSON.stringify(compliancePolicy('windows10CompliancePolicy', { rtpEnabled: true, signatureOutOfDate: true, defenderEnabled: true })));
    const res = await cli('policy', 'import', '--file', file);
    expect(res.code, res.err).toBe(0);
    expect(res.out).toContain('defenderEnabled');
    expect(res.out).toMatch(/created compliance: "Test compliance" \(2 settings\) → compliance policy [0-9a-f-]{36} v1/);
    await writeFile(file, JSON.stringify(compliancePolicy('windows10CompliancePolicy', { rtpEnabled: true })));
    expect((await cli('policy', 'import', '--file', file)).out).toMatch(/updated compliance: .* v2/);
    const list = (await json<{ compliancePolicies: CompliancePolicy[] }>('compliance', 'list')).compliancePolicies;
    expect(list.map((c) => c.settings)).toEqual([{ requireRealTimeProtection: true }]);
    const id = list[0]?.compliancePolicyId ?? '';
    expect(list[0]?.source).toEqual({
      system: 'intune',
      id: COMPLIANCE_ID,
      name: 'Test compliance',
      description: 'Defender requirements',
      odataType: '#microsoft.graph.windows10CompliancePolicy',
      importedHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect((await cli('policy', 'import', '--file', file)).out).toMatch(/unchanged compliance: .* v2/);
    expect((await cli('compliance', 'show', id)).out).toMatch(
      /intune policy: +Test compliance \(99999999-8888-7777-6666-555555555555\)\n.*intune description: +Defender requirements/s,
    );
    expect((await cli('compliance', 'list')).out).toContain(
      `Imported from Intune\nIntune policy "Test compliance" (${COMPLIANCE_ID})\n  compliance: ${id} "Test compliance" v2\n`,
    );
  });

  it('finds a compliance policy imported before compliance policies had a source by its description, and gives it one', async () => {
    const legacyId = 'aaaaaaaa-0000-4000-8000-000000000001';
    const before = join(t.dir, 'legacy-compliance.json');
    const description = `Imported from Intune compliance policy ${legacyId}. Defender requirements`;
    await writeFile(before, JSON.stringify({ name: 'Legacy', description, settings: { requireFirewall: true } }));
    expect((await cli('compliance', 'create', '--file', before)).code).toBe(0);
    const file = join(t.dir, 'legacy-export.json');
    await writeFile(file, JSON.stringify({ ...compliancePolicy('windows10CompliancePolicy', { firewallEnabled: true }), id: legacyId, displayName: 'Legacy' }));
    const res = await cli('policy', 'import', '--file', file);
    expect(res.out, res.err).toMatch(/updated compliance: "Legacy" .* v2 \(adopted: it had no Intune source; found by its description/);
    const list = (await json<{ compliancePolicies: CompliancePolicy[] }>('compliance', 'list')).compliancePolicies;
    const legacy = list.filter((c) => c.name === 'Legacy');
    expect(legacy.map((c) => [c.version, c.source?.id])).toEqual([[2, legacyId]]);
  });

  it('names unreadable and malformed exports with a stable code, and shows the mapping before failing on a missing endpoint', async () => {
    const missing = await cli('policy', 'import', '--file', join(t.dir, 'nope.json'));
    expect(missing.code).toBe(66);
    expect(missing.err).toMatch(/^error INPUT_UNREADABLE: cannot read .*nope\.json/);
    const bad = join(t.dir, 'bad.json');
    await writeFile(bad, '\uFEFF{"@odata.type":"#microsoft.graph.deviceManagementConfigurationPolicy"}');
    const malformed = await cli('policy', 'import', '--file', bad, '--dry-run');
    expect(malformed.code).toBe(65);
    expect(malformed.err).toMatch(/^error INTUNE_EXPORT_INVALID: .*bad\.json: the Intune export has no "settings" array/);
    const spoofed = join(t.dir, 'not-a-guid.json');
    await writeFile(spoofed, JSON.stringify({ ...asrExport('2'), id: 'any string an editor typed' }));
    const notGuid = await cli('policy', 'import', '--file', spoofed, '--dry-run');
    expect(notGuid.code).toBe(65);
    expect(notGuid.err).toMatch(/INTUNE_EXPORT_INVALID: .*the Intune export's "id" "any string an editor typed" is not a Graph object id \(a GUID\)/);
    const huge = join(t.dir, 'huge.json');
    await writeFile(huge, '{');
    await truncate(huge, 32 * 1024 * 1024 + 1);
    const tooBig = await cli('policy', 'import', '--file', huge, '--dry-run');
    expect(tooBig.code).toBe(65);
    expect(tooBig.err).toMatch(/^error INTUNE_EXPORT_INVALID: .*huge\.json: the Intune export is 33554433 bytes; at most 33554432/);
    const empty = await mkdtemp(join(tmpdir(), 'attache-no-endpoint-'));
    let out = '';
    let err = '';
    const code = await runAdminCli(['--data-dir', empty, 'policy', 'import', '--file', ASR_EXPORT], {
      stdout: (s) => (out += s),
      stderr: (s) => (err += s),
    });
    expect(code).not.toBe(0);
    expect(out).toContain('mapped 3, unmapped 0');
    expect(err).toMatch(/^error [A-Z_]+: /);
  });
});
