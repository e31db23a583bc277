// Plans an Intune re-import before anything is written: which produced document creates a policy, updates the one an
// earlier import of the same Intune policy made, or leaves it unchanged — and which updates are refused because the
// policy was edited since that import or its stored Intune source is not the export's (docs/intune-import.md).
import { canonicalJson } from '../../../common/canonical-json.js';
import { AttacheError } from '../../../common/errors.js';
import { sha256Hex } from '../../../common/signing.js';
import type { CompliancePolicy, CompliancePolicyDocument, PolicyDocument, PolicySource, PolicySummary } from '../../../policy-schemas/src/index.js';
import type { ImportResult } from '../intune-import/import-policy.js';

/** One write (or non-write) of the plan; `before` is the existing policy an update replaces. */
export type PlannedStep =
  | { readonly target: 'policy'; readonly action: 'create'; readonly doc: PolicyDocument; readonly source: PolicySource | undefined }
  | {
      readonly target: 'policy';
      readonly action: 'update' | 'unchanged';
      readonly doc: PolicyDocument;
      readonly source: PolicySource | undefined;
      readonly before: PolicySummary;
    }
  | { readonly target: 'compliance'; readonly action: 'create'; readonly doc: CompliancePolicyDocument }
  | {
      readonly target: 'compliance';
      readonly action: 'update' | 'unchanged';
      readonly doc: CompliancePolicyDocument;
      readonly before: CompliancePolicy;
      /** Found by the description prefix of imports made before compliance policies had a source (B1 fallback). */
      readonly adopted: boolean;
    };

/** The plan: the steps in write order, and earlier imports' policies of kinds the export no longer has. */
export interface ImportPlan {
  readonly steps: readonly PlannedStep[];
  readonly leftAlone: { readonly policyId: string; readonly kind: string; readonly name: string }[];
}

/** What the plan reads from the endpoint (all policies and compliance policies, listed once). */
export interface Existing {
  readonly policies: readonly PolicySummary[];
  readonly compliancePolicies: readonly CompliancePolicy[];
}

/**
 * The description prefix that marks a compliance policy imported from Intune policy `id` (compliance-import.ts writes
 * it). Only how compliance policies imported before they had a `source` are recognised; the source is what matches.
 */
export const complianceMarker = (id: string) => `Imported from Intune compliance policy ${id}.`;

/** The hash of what an import writes, kept in `source.importedHash`, so a later re-import can tell an edit. */
export const policyContentHash = (p: { name: string; description?: string; settings: unknown }) =>
  sha256Hex(canonicalJson([p.name, p.description ?? null, p.settings]));
export const complianceContentHash = (p: { name: string; description?: string; settings: unknown; gracePeriodHours?: number }) =>
  sha256Hex(canonicalJson([p.name, p.description ?? null, p.settings, p.gracePeriodHours ?? 0]));

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

const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

/**
 * Why updating `before` (found by the Intune id) must not happen without --force, or undefined when it may: its stored
 * source has another Graph type or template than the export (a different Intune policy claiming the id), or its content
 * is not what the last import wrote (an edit since; without a recorded hash, anything after version 1 may be one).
 */
function refusal(stored: PolicySource | undefined, wanted: PolicySource, contentHash: string, version: number, contentSame: boolean): string | undefined {
  for (const field of ['odataType', 'template'] as const) {
    if (stored && (stored[field] ?? '') !== (wanted[field] ?? '')) {
      return `its Intune source has ${field} "${stored[field] ?? ''}", the export "${wanted[field] ?? ''}": a different Intune policy with the same id?`;
    }
  }
  if (contentSame) return undefined; // only the source changes: no edit can be lost
  if (stored?.importedHash === undefined) {
    return version === 1 ? undefined : `it is at v${version} and was imported before edits were tracked: it may have been edited since`;
  }
  return stored.importedHash === contentHash ? undefined : `it was edited since it was imported (v${version} is not what the import wrote)`;
}

/** The compliance policy an earlier import made: by source id, else (older imports) the one policy with the marker. */
function earlierCompliance(all: readonly CompliancePolicy[], source: PolicySource): CompliancePolicy | undefined {
  const bySource = all.filter((p) => p.source?.id === source.id);
  const marker = complianceMarker(source.id);
  const candidates = bySource.length > 0 ? bySource : all.filter((p) => !p.source && (p.description ?? '').startsWith(marker));
  if (candidates.length > 1) {
    const names = candidates.map((p) => `${p.compliancePolicyId} "${p.name}"`).join(', ');
    throw new AttacheError(
      'IMPORT_CONFLICT',
      `${candidates.length} compliance policies claim Intune policy ${source.id} (${names}): delete or rename all but one; nothing was written`,
    );
  }
  return candidates[0];
}

/** Plans the import; throws IMPORT_CONFLICT (nothing written) for each refused update unless `force`. */
export function planImport(result: ImportResult, existing: Existing, force: boolean): ImportPlan {
  const source = sourceOf(result);
  const steps: PlannedStep[] = [];
  const refused: { path: string; message: string }[] = [];
  const ours = source ? existing.policies.filter((p) => p.source?.id === source.id) : [];
  for (const doc of result.documents) {
    const wanted = source ? { ...source, importedHash: policyContentHash(doc) } : undefined;
    const before = ours.find((p) => p.kind === doc.kind);
    if (!before || !wanted) {
      steps.push({ target: 'policy', action: 'create', doc, source: wanted });
      continue;
    }
    const contentSame = same([before.name, before.description ?? null, before.settings], [doc.name, doc.description ?? null, doc.settings]);
    const unchanged = contentSame && same(before.source ?? null, wanted);
    const why = unchanged ? undefined : refusal(before.source, wanted, policyContentHash(before), before.latestVersion, contentSame);
    if (why && !force) refused.push({ path: `${doc.kind} policy ${before.policyId} "${before.name}"`, message: why });
    steps.push({ target: 'policy', action: unchanged ? 'unchanged' : 'update', doc, source: wanted, before });
  }
  const match = source && result.compliancePolicies.length > 0 ? earlierCompliance(existing.compliancePolicies, source) : undefined;
  for (const produced of result.compliancePolicies) {
    const content = { ...produced, gracePeriodHours: produced.gracePeriodHours ?? 0 };
    const doc: CompliancePolicyDocument = source ? { ...content, source: { ...source, importedHash: complianceContentHash(content) } } : content;
    if (!match || !doc.source) {
      steps.push({ target: 'compliance', action: 'create', doc });
      continue;
    }
    const contentSame = complianceContentHash(match) === complianceContentHash(doc);
    const unchanged = contentSame && same(match.source ?? null, doc.source);
    const why = unchanged ? undefined : refusal(match.source, doc.source, complianceContentHash(match), match.version, contentSame);
    if (why && !force) refused.push({ path: `compliance policy ${match.compliancePolicyId} "${match.name}"`, message: why });
    steps.push({ target: 'compliance', action: unchanged ? 'unchanged' : 'update', doc, before: match, adopted: !match.source });
  }
  if (refused.length > 0) {
    throw new AttacheError(
      'IMPORT_CONFLICT',
      `re-import refused, nothing was written: ${refused.map((r) => `${r.path}: ${r.message}`).join('; ')}. Run with --force to overwrite, or import a copy of the export without "id" to create new policies`,
      { details: refused },
    );
  }
  const kinds = new Set(result.documents.map((d) => d.kind));
  const leftAlone = ours.filter((p) => !kinds.has(p.kind)).map((p) => ({ policyId: p.policyId, kind: p.kind, name: p.name }));
  return { steps, leftAlone };
}
