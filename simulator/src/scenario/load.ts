// Reads a scenario file: schema validation (urn:attache:simulator-scenario), policy files resolved and validated,
// names cross-checked (a step may only use policies created before it and groups that exist), defaults filled in.
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { AttacheError } from '../../../common/errors.js';
import { validate } from '../../../common/validation.js';
import { PolicyDocument, type ScenarioStep, SimulatorScenario, settingById } from '../../../policy-schemas/src/index.js';
import { REPO_ROOT } from '../endpoint/endpoint-process.js';
import { expectationProblem, stepProblem, unknownTag } from './check-fields.js';

/** The group every run creates: every platform. */
export const ALL_GROUP = 'all';

/** A scenario with defaults filled in and every policy document loaded. */
export interface Scenario extends Omit<SimulatorScenario, 'setup' | 'fleet'> {
  readonly seed: number;
  readonly settleSeconds: number;
  readonly idleSeconds: number;
  readonly source: string;
  readonly setup: ScenarioStep[];
  /** Policy documents of `file` references, by the reference as written. */
  readonly documents: ReadonlyMap<string, PolicyDocument>;
  /** importAdvisories files: the reference as written → the path found (read when the step runs: they can be large). */
  readonly advisoryFiles: ReadonlyMap<string, string>;
  readonly fleet: SimulatorScenario['fleet'] & {
    readonly enrollConcurrency: number;
    readonly startPerSecond: number;
    readonly checkinIntervalSeconds: number;
    readonly checkinJitterPercent: number;
    readonly connections: 'afterSync' | 'keepAlive';
    readonly signals: boolean;
    readonly readyTimeoutSeconds: number;
  };
}

function invalid(source: string, message: string): AttacheError {
  return new AttacheError('SCHEMA_INVALID', `scenario ${source} is invalid: ${message}`);
}

/** Loads and checks a scenario file. */
export async function loadScenario(path: string): Promise<Scenario> {
  const source = resolve(path);
  let data: unknown;
  try {
    data = JSON.parse(await readFile(source, 'utf8'));
  } catch (err) {
    throw new AttacheError('SCHEMA_INVALID', `cannot read scenario ${source}: ${(err as Error).message}`, { cause: err });
  }
  // Tags first: a misspelt action or expectation type is one clear line, not the schema's view of it.
  const tag = unknownTag(data);
  if (tag) throw invalid(source, tag);
  return checkScenario(validate(SimulatorScenario, data, `scenario ${source}`), source);
}

/** Semantic checks and defaults of a schema-valid scenario. */
export async function checkScenario(raw: SimulatorScenario, source: string): Promise<Scenario> {
  const documents = new Map<string, PolicyDocument>();
  const advisoryFiles = new Map<string, string>();
  const groups = new Set([ALL_GROUP, ...(raw.groups ?? []).map((g) => g.name)]);
  if (groups.size !== 1 + (raw.groups ?? []).length) throw invalid(source, 'group names must be unique and not "all"');
  const policies = new Set<string>();
  const compliancePolicies = new Set<string>();
  /** Security task names (createSecurityTask) and exposure labels (recordExposure) later steps and expectations name. */
  const tasks = new Set<string>();
  const labels = new Set<string>();
  const steps = [...(raw.setup ?? []), ...raw.timeline];
  for (const [i, step] of steps.entries()) {
    const where = i < (raw.setup ?? []).length ? `setup[${i}]` : `timeline[${i - (raw.setup ?? []).length}]`;
    if ('file' in step && 'document' in step && step.file && step.document) throw invalid(source, `${where}: give "file" or "document", not both`);
    if ('file' in step && step.file) documents.set(step.file, await loadDocument(step.file, source, where));
    const problem = stepProblem(step);
    if (problem) throw invalid(source, `${where} (${step.action}): ${problem}`);
    if (step.action === 'importAdvisories') advisoryFiles.set(step.advisoryFile, await findFile(step.advisoryFile, source, where, 'advisory'));
    switch (step.action) {
      case 'createPolicy':
        if (policies.has(step.policy)) throw invalid(source, `${where}: policy "${step.policy}" is created twice`);
        if (!step.file && !step.document) throw invalid(source, `${where}: createPolicy needs "file" or "document"`);
        policies.add(step.policy);
        for (const g of step.assign ?? []) if (!groups.has(g)) throw invalid(source, `${where}: unknown group "${g}"`);
        break;
      case 'updatePolicy':
        if (!step.file && !step.document && !step.settings) throw invalid(source, `${where}: updatePolicy needs "file", "document" or "settings"`);
        if (!policies.has(step.policy)) throw invalid(source, `${where}: policy "${step.policy}" is not created before this step`);
        break;
      case 'assignPolicy':
      case 'unassignPolicy':
        if (!groups.has(step.group)) throw invalid(source, `${where}: unknown group "${step.group}"`);
        if (!policies.has(step.policy)) throw invalid(source, `${where}: policy "${step.policy}" is not created before this step`);
        break;
      case 'deletePolicy':
        if (!policies.delete(step.policy)) throw invalid(source, `${where}: policy "${step.policy}" is not created before this step`);
        break;
      case 'createCompliancePolicy':
        if (compliancePolicies.has(step.policy)) throw invalid(source, `${where}: compliance policy "${step.policy}" is created twice`);
        compliancePolicies.add(step.policy);
        for (const g of step.assign ?? []) if (!groups.has(g)) throw invalid(source, `${where}: unknown group "${g}"`);
        break;
      case 'deleteCompliancePolicy':
        if (!compliancePolicies.delete(step.policy)) throw invalid(source, `${where}: compliance policy "${step.policy}" is not created before this step`);
        break;
      case 'groupPolicyOverride': {
        const platforms = [...new Set(raw.fleet.hosts.filter((h) => h.count > 0 && (!step.platform || h.platform === step.platform)).map((h) => h.platform))];
        const has = settingById(step.setting)?.platforms ?? [];
        if (!platforms.some((p) => has.includes(p)))
          throw invalid(
            source,
            `${where} (${step.action}): "setting": ${JSON.stringify(step.setting)} exists on none of the fleet's platforms (${platforms.join(', ') || 'none'}; it is on ${has.join(', ')})`,
          );
        break;
      }
      case 'createSecurityTask':
        if (i < (raw.setup ?? []).length) throw invalid(source, `${where}: createSecurityTask needs exposed devices: put it on the timeline`);
        if (tasks.has(step.task)) throw invalid(source, `${where}: security task "${step.task}" is created twice`);
        tasks.add(step.task);
        break;
      case 'waitSecurityTask':
        if (!tasks.has(step.task)) throw invalid(source, `${where}: security task "${step.task}" is not created before this step`);
        break;
      case 'recordExposure':
        labels.add(step.label);
        break;
      case 'injectThreat':
      case 'clearThreats':
        if (!raw.fleet.signals) throw invalid(source, `${where}: ${step.action} needs "fleet": { "signals": true }`);
        break;
      default:
        break;
    }
  }
  const created = new Set(steps.flatMap((s) => (s.action === 'createPolicy' ? [s.policy] : [])));
  for (const [i, e] of raw.expectations.entries()) {
    const problem =
      expectationProblem(e, created) ??
      (e.type === 'securityTask' && !tasks.has(e.task) ? `security task "${e.task}" is not created by a createSecurityTask step` : undefined) ??
      ((e.type === 'exposureLevel' || e.type === 'complianceState') && e.at && !labels.has(e.at)
        ? `"at": no recordExposure step is labelled "${e.at}"`
        : undefined);
    if (problem) throw invalid(source, `expectations[${i}] (${e.type}): ${problem}`);
  }
  const hosts = raw.fleet.hosts.reduce((n, h) => n + h.count, 0);
  if (hosts === 0) throw invalid(source, 'the fleet has no hosts');
  return {
    ...raw,
    source,
    seed: raw.seed ?? 1,
    settleSeconds: raw.settleSeconds ?? 60,
    idleSeconds: raw.idleSeconds ?? 0,
    setup: raw.setup ?? [],
    documents,
    advisoryFiles,
    fleet: {
      ...raw.fleet,
      enrollConcurrency: raw.fleet.enrollConcurrency ?? 64,
      startPerSecond: raw.fleet.startPerSecond ?? 0,
      checkinIntervalSeconds: raw.fleet.checkinIntervalSeconds ?? 5400,
      checkinJitterPercent: raw.fleet.checkinJitterPercent ?? 10,
      connections: raw.fleet.connections ?? 'afterSync',
      signals: raw.fleet.signals ?? false,
      readyTimeoutSeconds: raw.fleet.readyTimeoutSeconds ?? 300,
    },
  };
}

/** A file a step names, relative to the scenario file first, then to the repository root; its path when readable. */
async function findFile(file: string, source: string, where: string, what: string): Promise<string> {
  const candidates = isAbsolute(file) ? [file] : [resolve(dirname(source), file), resolve(REPO_ROOT, file)];
  for (const candidate of candidates) {
    if (
      await access(candidate, constants.R_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  throw invalid(source, `${where}: ${what} file ${file} not found (looked in ${candidates.join(', ')})`);
}

/** A policy file, relative to the scenario file first, then to the repository root. */
async function loadDocument(file: string, source: string, where: string): Promise<PolicyDocument> {
  const candidates = isAbsolute(file) ? [file] : [resolve(dirname(source), file), resolve(REPO_ROOT, file)];
  for (const candidate of candidates) {
    let text: string;
    try {
      text = await readFile(candidate, 'utf8');
    } catch {
      continue;
    }
    try {
      return validate(PolicyDocument, JSON.parse(text), `policy file ${candidate}`);
    } catch (err) {
      throw invalid(source, `${where}: ${(err as Error).message}`);
    }
  }
  throw invalid(source, `${where}: policy file ${file} not found (looked in ${candidates.join(', ')})`);
}
