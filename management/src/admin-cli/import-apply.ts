// Applies an Intune import through the admin API the CLI uses, all or nothing per Intune policy: the whole plan is made
// (and refused updates reported) before the first write (import-plan.ts); when a write fails part-way, what this import
// already wrote is undone — created policies deleted, updated ones given their previous content back as a new version.
import { AttacheError, toAttacheError } from '../../../common/errors.js';
import type { CompliancePolicy, PolicySummary } from '../../../policy-schemas/src/index.js';
import type { ImportResult } from '../intune-import/import-policy.js';
import type { AdminClient } from './admin-client.js';
import { complianceContentHash, type ImportPlan, type PlannedStep, planImport } from './import-plan.js';

/** What happened to one produced policy or compliance policy. */
export interface AppliedPolicy {
  readonly action: 'created' | 'updated' | 'unchanged';
  readonly kind: string;
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly settings: number;
  /** A compliance policy without a source found by its description prefix (an import from before sources): adopted. */
  readonly adopted?: true;
}

/** The outcome: one entry per produced document, and earlier imports of this Intune policy it no longer produces. */
export interface ApplyOutcome {
  readonly applied: AppliedPolicy[];
  /** Policies a previous import of the same Intune policy created for a kind this export no longer has (kept as is). */
  readonly leftAlone: ImportPlan['leftAlone'];
}

const ACTION = { create: 'created', update: 'updated', unchanged: 'unchanged' } as const;

function entry(action: AppliedPolicy['action'], p: PolicySummary | CompliancePolicy): AppliedPolicy {
  const policy = 'policyId' in p;
  return {
    action,
    kind: policy ? p.kind : 'compliance',
    id: policy ? p.policyId : p.compliancePolicyId,
    name: p.name,
    version: policy ? p.latestVersion : p.version,
    settings: Object.keys(p.settings).length,
  };
}

/** Performs one step; returns the stored result. */
async function write(api: AdminClient, s: PlannedStep): Promise<PolicySummary | CompliancePolicy> {
  if (s.action === 'unchanged') return s.before;
  if (s.target === 'policy') return s.action === 'create' ? api.createPolicy(s.doc, s.source) : api.updatePolicy(s.before.policyId, s.doc, s.source);
  return s.action === 'create' ? api.createCompliancePolicy(s.doc) : api.updateCompliancePolicy(s.before.compliancePolicyId, s.doc);
}

/** Undoes one written step: deletes what it created, writes back the previous content (and source) of what it updated. */
async function undo(api: AdminClient, s: PlannedStep, written: AppliedPolicy): Promise<string> {
  if (s.action === 'create') {
    await (s.target === 'policy' ? api.deletePolicy(written.id) : api.deleteCompliancePolicy(written.id));
    return `deleted the new ${written.kind} policy ${written.id}`;
  }
  if (s.action !== 'update') return '';
  if (s.target === 'policy') {
    const b = s.before;
    const doc = { name: b.name, kind: b.kind, ...(b.description === undefined ? {} : { description: b.description }), settings: b.settings };
    const back = await api.updatePolicy(b.policyId, doc as Parameters<AdminClient['updatePolicy']>[1], b.source);
    return `restored ${b.kind} policy ${b.policyId} to its v${b.latestVersion} content (now v${back.latestVersion})`;
  }
  const { compliancePolicyId: id, version, name, description, settings, gracePeriodHours, source } = s.before;
  const content = { name, ...(description === undefined ? {} : { description }), settings, gracePeriodHours };
  // An adopted policy had no source, and an update without one keeps the current one: keep it, naming the old content.
  const restored = source ?? (s.doc.source ? { ...s.doc.source, importedHash: complianceContentHash(content) } : undefined);
  const back = await api.updateCompliancePolicy(id, { ...content, ...(restored ? { source: restored } : {}) });
  return `restored compliance policy ${id} to its v${version} content (now v${back.version})`;
}

const stepName = (s: PlannedStep) =>
  s.action === 'create'
    ? `creating the ${s.target === 'policy' ? `${s.doc.kind} policy` : 'compliance policy'} "${s.doc.name}"`
    : `updating the ${s.target === 'policy' ? `${s.before.kind} policy ${s.before.policyId}` : `compliance policy ${s.before.compliancePolicyId}`}`;

/**
 * Creates or updates everything the import produced, or nothing: refused updates (edited since the import, another
 * Intune source) stop it before the first write unless `force`; a failed write rolls back the earlier ones and the
 * error names the failed step and what the rollback did (or could not do).
 */
export async function applyImport(api: AdminClient, result: ImportResult, force = false): Promise<ApplyOutcome> {
  const source = result.source.id !== '';
  const existing = {
    policies: source && result.documents.length > 0 ? (await api.listPolicies()).items : [],
    compliancePolicies: source && result.compliancePolicies.length > 0 ? (await api.listCompliancePolicies()).items : [],
  };
  const plan = planImport(result, existing, force);
  const done: { step: PlannedStep; applied: AppliedPolicy }[] = [];
  for (const step of plan.steps) {
    try {
      const applied = entry(ACTION[step.action], await write(api, step));
      done.push({ step, applied: step.target === 'compliance' && step.action !== 'create' && step.adopted ? { ...applied, adopted: true } : applied });
    } catch (err) {
      const e = toAttacheError(err);
      const undone: string[] = [];
      for (const d of done.reverse()) {
        try {
          const what = await undo(api, d.step, d.applied);
          if (what) undone.push(what);
        } catch (undoErr) {
          undone.push(`could NOT undo ${d.applied.action} ${d.applied.kind} ${d.applied.id}: ${toAttacheError(undoErr).message}`);
        }
      }
      const rolledBack = undone.length ? ` (rolled back: ${undone.join('; ')})` : ' (nothing had been written)';
      throw new AttacheError(e.code, `${stepName(step)} failed: ${e.message}${rolledBack}`, { cause: err, details: e.details });
    }
  }
  return { applied: done.map((d) => d.applied), leftAlone: plan.leftAlone };
}
