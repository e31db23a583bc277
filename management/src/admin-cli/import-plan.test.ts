// planImport (pure): which re-import updates go ahead, which are refused (edited since the import, another Intune
// source) and when --force overrides; a change of the source alone is never an edit; the content hash is what is stored.
import { describe, expect, it } from 'vitest';
import type { PolicySource, PolicySummary } from '../../../policy-schemas/src/index.js';
import { importIntunePolicy } from '../intune-import/import-policy.js';
import { choice, DEFENDER_CSP, policy } from '../intune-import/testing/graph-fixtures.js';
import { planImport, policyContentHash, sourceOf } from './import-plan.js';

const exported = (value: string, name = 'Test export') => importIntunePolicy({ ...policy(choice(`${DEFENDER_CSP}allowrealtimemonitoring`, value)), name });
const stored = (overrides: Partial<PolicySummary>, source: Partial<PolicySource> = {}): PolicySummary => {
  const doc = exported('1').documents[0];
  if (!doc) throw new Error('the fixture produces no document');
  const base = sourceOf(exported('1')) as PolicySource;
  return {
    policyId: '00000000-0000-4000-8000-000000000001',
    name: doc.name,
    kind: doc.kind,
    ...(doc.description === undefined ? {} : { description: doc.description }),
    settings: doc.settings,
    latestVersion: 1,
    createdAt: '2026-12-05T00:00:00.000Z',
    updatedAt: '2026-12-05T00:00:00.000Z',
    source: { ...base, importedHash: policyContentHash(doc), ...source },
    ...overrides,
  };
};
const plan = (result: ReturnType<typeof exported>, existing: PolicySummary, force = false) =>
  planImport(result, { policies: [existing], compliancePolicies: [] }, force).steps.map((s) => s.action);

describe('planImport', () => {
  it('updates a policy whose content is still what the import wrote, and stores the new content hash', () => {
    const result = exported('0');
    const steps = planImport(result, { policies: [stored({ latestVersion: 3 })], compliancePolicies: [] }, false).steps;
    expect(steps.map((s) => s.action)).toEqual(['update']);
    const step = steps[0];
    expect(step?.target === 'policy' && step.source?.importedHash).toBe(policyContentHash(result.documents[0] as never));
  });

  it('refuses an edited policy unless forced, naming it and why', () => {
    const edited = stored({ settings: { 'defender.AllowRealtimeMonitoring': 0 }, latestVersion: 2 });
    expect(() => plan(exported('1'), edited)).toThrow(
      expect.objectContaining({
        code: 'IMPORT_CONFLICT',
        message: expect.stringMatching(/it was edited since it was imported \(v2 is not what the import wrote\)/),
      }),
    );
    expect(plan(exported('1'), edited, true)).toEqual(['update']);
  });

  it('without a recorded hash (imported by an older version), only version 1 counts as unedited', () => {
    const legacy = (latestVersion: number) => stored({ latestVersion }, { importedHash: undefined });
    expect(plan(exported('0'), legacy(1))).toEqual(['update']);
    expect(() => plan(exported('0'), legacy(2))).toThrow(/imported before edits were tracked/);
  });

  it('a source-only change (Intune rename) is an update, never refused; identical content and source is unchanged', () => {
    expect(plan(exported('1'), stored({ latestVersion: 5 }, { importedHash: undefined }))).toEqual(['update']);
    expect(plan(exported('1'), stored({}))).toEqual(['unchanged']);
  });

  it('refuses when the stored source has another Graph type or template than the export', () => {
    expect(() => plan(exported('0'), stored({}, { template: 'Attack Surface Reduction Rules' }))).toThrow(
      /its Intune source has template "Attack Surface Reduction Rules", the export ""/,
    );
  });
});
