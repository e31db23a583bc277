// Applies an Intune import to the endpoint through the admin API the CLI uses: each produced policy is created, or — when
// a policy from the same Intune policy id and of the same kind exists — updated (unchanged ones are left alone), so a
// re-import never duplicates. Compliance policies are matched by their source's Intune id too (migration 0015); one
// imported before compliance policies had a source is still found by the Intune id its description starts with.
import { canonicalJson } from '../../../common/canonical-json.js';
import { AttacheError, toAttacheError } from '../../../common/errors.js';
import type { CompliancePolicy, CompliancePolicyDocument, PolicySource, PolicySummary } from '../../../policy-schemas/src/index.js';
import type { ImportResult } from '../intune-import/import-policy.js';
import type { AdminClient } from './admin-client.js';

/** What happened to one produced policy or compliance policy. */
export interface AppliedPolicy {
  readonly action: 'created' | 'updated' | 'unchanged';
  readonly kind: string;
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly settings: number;
}

/** The outcome: one entry per produced document, and earlier imports of this Intune policy it no longer produces. */
export interface ApplyOutcome {
  readonly applied: AppliedPolicy[];
  /** Policies a previous import of the same Intune policy created for a kind this export no longer has (kept as is). */
  readonly leftAlone: { readonly policyId: string; readonly kind: string; readonly name: string }[];
}

/** The provenance stored with each policy; undefined for an export without an Intune id (nothing to match on). */
export function sourceOf(result: ImportResult): PolicySource | undefined {
  const s = result.source;
  if (!s.id) return undefined;
  return {
    system: 'intune',
    id: s.id.slice(0, 200),
    name: s.name.slice(0, 1000),
    ...(s.description ? { description: s.description.slice(0, 4000) } : {}),
    ...(s.odataType ? { odataType: s.odataType.slice(0, 200) } : {}),
    ...(s.template ? { template: s.template.slice(0, 200) } : {}),
  };
}

/**
 * The description prefix that marks a compliance policy imported from Intune policy `id` (compliance-import.ts writes
 * it). Only how compliance policies imported before they had a `source` are recognised; the source is what matches.
 */
export const complianceMarker = (id: string) => `Imported from Intune compliance policy ${id}.`;

const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

async function step<T>(what: string, done: readonly AppliedPolicy[], run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const e = toAttacheError(err);
    const before = done.length ? ` (already applied: ${done.map((d) => `${d.action} ${d.id}`).join(', ')})` : '';
    throw new AttacheError(e.code, `${what} failed: ${e.message}${before}`, { cause: err, details: e.details });
  }
}

async function applyPolicies(api: AdminClient, result: ImportResult, applied: AppliedPolicy[]): Promise<ApplyOutcome['leftAlone']> {
  const source = sourceOf(result);
  const existing = source && result.documents.length > 0 ? (await api.listPolicies()).items.filter((p) => p.source?.id === source.id) : [];
  for (const doc of result.documents) {
    const match = existing.find((p) => p.kind === doc.kind);
    const entry = (action: AppliedPolicy['action'], p: PolicySummary): AppliedPolicy => ({
      action,
      kind: p.kind,
      id: p.policyId,
      name: p.name,
      version: p.latestVersion,
      settings: Object.keys(p.settings).length,
    });
    if (
      match &&
      same([match.name, match.description ?? null, match.settings, match.source ?? null], [doc.name, doc.description ?? null, doc.settings, source ?? null])
    ) {
      applied.push(entry('unchanged', match));
    } else if (match) {
      applied.push(
        entry('updated', await step(`updating the ${doc.kind} policy ${match.policyId}`, applied, () => api.updatePolicy(match.policyId, doc, source))),
      );
    } else {
      applied.push(entry('created', await step(`creating the ${doc.kind} policy "${doc.name}"`, applied, () => api.createPolicy(doc, source))));
    }
  }
  const kinds = new Set(result.documents.map((d) => d.kind));
  return existing.filter((p) => !kinds.has(p.kind)).map((p) => ({ policyId: p.policyId, kind: p.kind, name: p.name }));
}

/**
 * The compliance policies an earlier import of the Intune policy made: those whose source has its id, and those
 * without a source whose description starts with the marker (imported before compliance policies had a source; the
 * update gives them one). Nothing to match on without an Intune id.
 */
function earlierCompliance(all: readonly CompliancePolicy[], source: PolicySource | undefined): CompliancePolicy[] {
  if (!source) return [];
  const marker = complianceMarker(source.id);
  return all.filter((p) => (p.source ? p.source.id === source.id : (p.description ?? '').startsWith(marker)));
}

async function applyCompliance(api: AdminClient, result: ImportResult, applied: AppliedPolicy[]): Promise<void> {
  if (result.compliancePolicies.length === 0) return;
  const source = sourceOf(result);
  const existing = earlierCompliance(source ? (await api.listCompliancePolicies()).items : [], source);
  for (const doc of result.compliancePolicies) {
    const match = existing[0];
    const entry = (action: AppliedPolicy['action'], p: CompliancePolicy): AppliedPolicy => ({
      action,
      kind: 'compliance',
      id: p.compliancePolicyId,
      name: p.name,
      version: p.version,
      settings: Object.keys(p.settings).length,
    });
    const wanted: CompliancePolicyDocument = { ...doc, gracePeriodHours: doc.gracePeriodHours ?? 0, ...(source ? { source } : {}) };
    const fields = (p: CompliancePolicyDocument) => [p.name, p.description ?? null, p.settings, p.gracePeriodHours ?? 0, p.source ?? null];
    if (match && same(fields(match), fields(wanted))) {
      applied.push(entry('unchanged', match));
    } else if (match) {
      const id = match.compliancePolicyId;
      applied.push(entry('updated', await step(`updating the compliance policy ${id}`, applied, () => api.updateCompliancePolicy(id, wanted))));
    } else {
      applied.push(entry('created', await step(`creating the compliance policy "${doc.name}"`, applied, () => api.createCompliancePolicy(wanted))));
    }
  }
}

/** Creates or updates everything the import produced; a failure names the step and what was already applied. */
export async function applyImport(api: AdminClient, result: ImportResult): Promise<ApplyOutcome> {
  const applied: AppliedPolicy[] = [];
  const leftAlone = await applyPolicies(api, result, applied);
  await applyCompliance(api, result, applied);
  return { applied, leftAlone };
}
