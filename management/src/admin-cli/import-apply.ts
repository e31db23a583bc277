// Applies an Intune import to the endpoint through the admin API the CLI uses: each produced policy is created, or — when
// a policy from the same Intune policy id and of the same kind exists — updated (unchanged ones are left alone), so a
// re-import never duplicates. Compliance policies are matched by the Intune id their description starts with.
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

/** The description prefix that marks a compliance policy imported from Intune policy `id` (compliance-import.ts writes it). */
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
    if (match && same([match.name, match.description, match.settings, match.source], [doc.name, doc.description, doc.settings, source])) {
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

async function applyCompliance(api: AdminClient, result: ImportResult, applied: AppliedPolicy[]): Promise<void> {
  if (result.compliancePolicies.length === 0) return;
  const marker = complianceMarker(result.source.id || '(no id)');
  const existing = (await api.listCompliancePolicies()).items.filter((p) => (p.description ?? '').startsWith(marker));
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
    const wanted: CompliancePolicyDocument = { ...doc, gracePeriodHours: doc.gracePeriodHours ?? 0 };
    if (
      match &&
      same([match.name, match.description, match.settings, match.gracePeriodHours], [wanted.name, wanted.description, wanted.settings, wanted.gracePeriodHours])
    ) {
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
