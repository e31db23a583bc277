// Integration test of re-importing Intune exports against a real endpoint (review 16c B1–B3): an update is refused when
// the policy was edited since the import or its Intune source differs from the export (--force overwrites), an import
// is all or nothing per Intune policy (a write failing part-way rolls back what it wrote), and several old compliance
// policies claiming one Intune id are named instead of one being picked.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompliancePolicy, PolicyDocument, PolicySource, PolicySummary } from '../../../policy-schemas/src/index.js';
import { importIntunePolicy } from '../intune-import/import-policy.js';
import { ASR_COLLECTION, choice, compliancePolicy, DEFENDER_CSP, group, policy } from '../intune-import/testing/graph-fixtures.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';
import { AdminClient } from './admin-client.js';
import { resolveConnection } from './connection.js';
import { applyImport } from './import-apply.js';
import { adminCliRunner } from './testing/cli-runner.js';

let t: TestEndpoint;
let api: AdminClient;
beforeAll(async () => {
  t = await startTestEndpoint();
  api = new AdminClient(await resolveConnection({ dataDir: t.dir }, {}));
});
afterAll(async () => {
  await t.close();
});

const { cli, json } = adminCliRunner(() => t.dir);
const policies = async () => (await json<{ policies: PolicySummary[] }>('policy', 'list')).policies;
const ofSource = async (id: string) => (await policies()).filter((p) => p.source?.id === id);

/** An ASR export (rules + controlled folder access → an asr and an antivirus policy) with its own Intune id. */
const asrExport = (id: string, cfa: string, rule = 'block', template = 'Attack Surface Reduction Rules') => ({
  ...policy(
    group(ASR_COLLECTION, [[choice(`${ASR_COLLECTION}_blockwebshellcreationforservers`, rule)]]),
    choice(`${DEFENDER_CSP}enablecontrolledfolderaccess`, cfa),
  ),
  id,
  name: 'ASR baseline',
  templateReference: { templateFamily: 'endpointSecurityAttackSurfaceReduction', templateDisplayName: template },
});
async function exportFile(name: string, data: unknown): Promise<string> {
  const file = join(t.dir, `${name}.json`);
  await writeFile(file, JSON.stringify(data));
  return file;
}

/** A real client whose `method` fails on its `failOn`-th call (the network dropping part-way through an import). */
function failingClient(method: 'createPolicy' | 'updatePolicy', failOn: number): AdminClient {
  let calls = 0;
  const client = new AdminClient((api as unknown as { connection: ConstructorParameters<typeof AdminClient>[0] }).connection);
  const original = client[method].bind(client) as (...args: unknown[]) => Promise<PolicySummary>;
  (client as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
    calls += 1;
    return calls === failOn ? Promise.reject(new Error('connection reset')) : original(...args);
  };
  return client;
}

describe('Intune re-import', () => {
  it('refuses to overwrite a policy an admin edited since the import; --force overwrites it', async () => {
    const id = 'aaaaaaaa-1111-4000-8000-000000000001';
    expect((await cli('policy', 'import', '--file', await exportFile('edit-1', asrExport(id, '2')))).code).toBe(0);
    const av = (await ofSource(id)).find((p) => p.kind === 'antivirus') as PolicySummary;
    const edited: PolicyDocument = { name: av.name, kind: 'antivirus', settings: { 'defender.EnableControlledFolderAccess': 0 } };
    await api.updatePolicy(av.policyId, edited);
    const changed = await exportFile('edit-2', asrExport(id, '1', 'audit'));
    const res = await cli('policy', 'import', '--file', changed);
    expect(res.code).toBe(1);
    expect(res.err).toMatch(
      new RegExp(
        `^error IMPORT_CONFLICT: re-import refused, nothing was written: antivirus policy ${av.policyId} "ASR baseline \\(antivirus\\)": it was edited since it was imported`,
      ),
    );
    const after = await ofSource(id);
    expect(after.map((p) => [p.kind, p.latestVersion]).sort()).toEqual([
      ['antivirus', 2],
      ['asr', 1],
    ]);
    const forced = await cli('policy', 'import', '--file', changed, '--force');
    expect(forced.code, forced.err).toBe(0);
    expect((await ofSource(id)).find((p) => p.kind === 'antivirus')?.settings).toEqual({ 'defender.EnableControlledFolderAccess': 1 });
    // Once overwritten, the next re-import is a plain update again.
    expect((await cli('policy', 'import', '--file', await exportFile('edit-3', asrExport(id, '2', 'audit')))).out).toMatch(/updated antivirus: .* v4/);
  });

  it('refuses an export whose Intune template differs from the stored source of the policies with its id', async () => {
    const id = 'aaaaaaaa-1111-4000-8000-000000000002';
    expect((await cli('policy', 'import', '--file', await exportFile('spoof-1', asrExport(id, '2')))).code).toBe(0);
    const crafted = await exportFile('spoof-2', asrExport(id, '0', 'off', 'Microsoft Defender Antivirus'));
    const res = await cli('policy', 'import', '--file', crafted);
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/IMPORT_CONFLICT: .*its Intune source has template "Attack Surface Reduction Rules", the export "Microsoft Defender Antivirus"/);
    expect((await ofSource(id)).map((p) => p.latestVersion)).toEqual([1, 1]);
  });

  it('a create failing part-way deletes what the import already created', async () => {
    const id = 'aaaaaaaa-1111-4000-8000-000000000003';
    const result = importIntunePolicy(asrExport(id, '2'));
    await expect(applyImport(failingClient('createPolicy', 2), result)).rejects.toThrow(
      /creating the asr policy "ASR baseline \(asr\)" failed: connection reset \(rolled back: deleted the new antivirus policy [0-9a-f-]{36}\)/,
    );
    expect(await ofSource(id)).toEqual([]);
  });

  it('an update failing part-way gives the policies already updated their previous content back', async () => {
    const id = 'aaaaaaaa-1111-4000-8000-000000000004';
    await applyImport(api, importIntunePolicy(asrExport(id, '2')));
    const before = await ofSource(id);
    await expect(applyImport(failingClient('updatePolicy', 2), importIntunePolicy(asrExport(id, '1', 'audit')))).rejects.toThrow(
      /updating the asr policy .* failed: connection reset \(rolled back: restored antivirus policy [0-9a-f-]{36} to its v1 content \(now v3\)\)/,
    );
    const after = await ofSource(id);
    const content = (ps: PolicySummary[]) => ps.map((p) => [p.kind, p.settings, p.source as PolicySource]).sort();
    expect(content(after)).toEqual(content(before));
    // The restored policy carries the import's hash again, so a re-import is not mistaken for an admin edit.
    expect((await applyImport(api, importIntunePolicy(asrExport(id, '1', 'audit')))).applied.map((a) => a.action)).toEqual(['updated', 'updated']);
  });

  it('names every old compliance policy that claims the Intune id instead of picking one', async () => {
    const legacyId = 'aaaaaaaa-1111-4000-8000-000000000005';
    const description = `Imported from Intune compliance policy ${legacyId}. Defender requirements`;
    const made: CompliancePolicy[] = [];
    for (const name of ['Legacy A', 'Legacy B']) made.push(await api.createCompliancePolicy({ name, description, settings: { requireFirewall: true } }));
    const file = await exportFile('legacy', { ...compliancePolicy('windows10CompliancePolicy', { firewallEnabled: true, rtpEnabled: true }), id: legacyId });
    const res = await cli('policy', 'import', '--file', file);
    expect(res.code).toBe(1);
    for (const c of made) expect(res.err).toContain(`${c.compliancePolicyId} "${c.name}"`);
    const list = (await json<{ compliancePolicies: CompliancePolicy[] }>('compliance', 'list')).compliancePolicies;
    expect(list.map((c) => [c.name, c.version]).sort()).toEqual([
      ['Legacy A', 1],
      ['Legacy B', 1],
    ]);
  });
});
