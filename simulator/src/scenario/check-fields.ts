// Scenario checks the schema cannot make: a misspelt action or expectation type named in one line (before the schema
// runs), every setting id looked up in the settings catalog (a misspelt id would touch nothing and pass), and the
// share/count pairs that must be given one way or the other.
import { isErrorCode } from '../../../common/errors.js';
import { validate } from '../../../common/validation.js';
import {
  ActionRequestBodies,
  type Platform,
  ScenarioAdminActions,
  ScenarioControlActions,
  type ScenarioExpectation,
  ScenarioExpectations,
  ScenarioFaultActions,
  type ScenarioStep,
  settingById,
  tagsOf,
} from '../../../policy-schemas/src/index.js';

const ACTIONS = tagsOf('action', [...ScenarioAdminActions, ...ScenarioFaultActions, ...ScenarioControlActions]);
const ADMIN_ACTIONS = tagsOf('action', ScenarioAdminActions);
const EXPECTATION_TYPES = tagsOf('type', ScenarioExpectations);

/**
 * The first step or expectation whose `action` / `type` is not a known one, as one line such as
 * `timeline[3].action: unknown action "failWrite" (expected one of: …)`; undefined when all are known.
 */
export function unknownTag(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const lists: [string, string, readonly string[]][] = [
    ['setup', 'action', ADMIN_ACTIONS],
    ['timeline', 'action', ACTIONS],
    ['expectations', 'type', EXPECTATION_TYPES],
  ];
  for (const [list, tag, known] of lists) {
    const items = (data as Record<string, unknown>)[list];
    if (!Array.isArray(items)) continue;
    for (const [i, item] of items.entries()) {
      const value = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[tag] : undefined;
      if (typeof value === 'string' && !known.includes(value)) {
        return `${list}[${i}].${tag}: unknown ${list === 'expectations' ? 'expectation type' : 'action'} ${JSON.stringify(value)} (expected one of: ${known.join(', ')})`;
      }
    }
  }
  return undefined;
}

/** A setting id the catalog must know (and, with a platform, that platform must have); the problem, or undefined. */
function settingProblem(id: string, platform: Platform | undefined): string | undefined {
  const setting = settingById(id);
  if (!setting) return `unknown setting id ${JSON.stringify(id)} (not in the settings catalog)`;
  if (platform && !setting.platforms.includes(platform))
    return `setting ${JSON.stringify(id)} does not exist on ${platform} (only ${setting.platforms.join(', ')})`;
  return undefined;
}

/** What is wrong with one step beyond the schema, or undefined. */
export function stepProblem(step: ScenarioStep): string | undefined {
  switch (step.action) {
    case 'failWrites': {
      const rates = Object.keys(step.rates ?? {});
      const counts = Object.keys(step.counts ?? {});
      if (rates.length + counts.length === 0) return 'failWrites needs "rates" or "counts"';
      const both = rates.find((id) => counts.includes(id));
      if (both) return `setting ${JSON.stringify(both)} is in both "rates" and "counts"`;
      for (const id of [...rates, ...counts]) {
        const problem = settingProblem(id, step.platform);
        if (problem) return problem;
      }
      return undefined;
    }
    case 'drift':
      return settingProblem(step.setting, step.platform) ?? selectionProblem(step);
    case 'groupPolicyOverride': {
      const problem = settingProblem(step.setting, step.platform);
      return problem ? `"setting": ${problem}` : selectionProblem(step);
    }
    case 'updatePolicy':
      for (const id of Object.keys(step.settings ?? {})) {
        const problem = settingProblem(id, undefined);
        if (problem) return problem;
      }
      return undefined;
    case 'failActions':
      if (step.code !== undefined && !isErrorCode(step.code)) return `"code": ${JSON.stringify(step.code)} is not an error code of docs/errors.md`;
      return selectionProblem(step);
    case 'runAction': {
      const problem = selectionProblem(step);
      if (problem) return problem;
      try {
        validate(ActionRequestBodies[step.type], { comment: step.comment, ...step.parameters }, `a ${step.type} request`);
        return undefined;
      } catch (err) {
        return `"parameters": ${(err as Error).message}`;
      }
    }
    case 'cancelActions':
    case 'syncNow':
    case 'slowApply':
    case 'crashHosts':
    case 'partition':
    case 'diskFull':
    case 'clockSkew':
    case 'injectThreat':
    case 'clearThreats':
      return selectionProblem(step);
    default:
      return undefined;
  }
}

function selectionProblem(step: { share?: number | undefined; count?: number | undefined }): string | undefined {
  if (step.share !== undefined && step.count !== undefined) return 'give "share" or "count", not both';
  if (step.share === undefined && step.count === undefined) return 'needs "share" (0–1) or "count" (hosts)';
  return undefined;
}

/** What is wrong with one expectation beyond the schema (`policies`: every policy name the scenario creates), or undefined. */
export function expectationProblem(e: ScenarioExpectation, policies: ReadonlySet<string>): string | undefined {
  if (e.type !== 'hostsWithSettingState' && e.type !== 'policyStatus') return undefined;
  if (e.count !== undefined && (e.minShare !== undefined || e.maxShare !== undefined)) return 'give "count" or "minShare"/"maxShare", not both';
  if (e.count === undefined && e.minShare === undefined && e.maxShare === undefined) return 'needs "minShare", "maxShare" or "count"';
  if (e.type === 'hostsWithSettingState') return settingProblem(e.setting, undefined);
  return policies.has(e.policy) ? undefined : `policy ${JSON.stringify(e.policy)} is not created by the scenario`;
}
