// Intune-like targeting, pure: dynamic group rules evaluated on a device record, and a device's assigned policies as
// the policies included through any of its groups minus those excluded through any of them (exclusion wins).
import type { AssignmentMode, DeviceOs, DynamicGroupRule, DynamicRuleCondition, OsType, Platform } from '../../../policy-schemas/src/index.js';

/** The device attributes a dynamic rule can look at. */
export interface RuleSubject {
  readonly platform: Platform;
  readonly osVersion: string;
  /** Absent for devices that did not state it: read as `workstation`. */
  readonly osType?: OsType | undefined;
  readonly agentVersion: string;
  readonly tags: readonly string[];
}

/** An assignment as targeting needs it. */
export interface TargetingAssignment {
  readonly policyId: string;
  readonly groupId: string;
  readonly mode: AssignmentMode;
}

/** Parses `major.minor.patch[-pre][+build]`; undefined when it is not semver. */
function parseSemver(version: string): { core: [number, number, number]; pre: string[] } | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(version);
  if (!m) return undefined;
  return { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ? m[4].split('.') : [] };
}

function comparePre(a: readonly string[], b: readonly string[]): number {
  // A release sorts after its pre-releases (semver §11).
  if (a.length === 0 || b.length === 0) return b.length - a.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny && Number(x) !== Number(y)) return Number(x) - Number(y);
    if (nx !== ny) return nx ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Semver order of two versions (build metadata ignored); NaN when either is not semver. */
export function compareSemver(a: string, b: string): number {
  const x = parseSemver(a);
  const y = parseSemver(b);
  if (!x || !y) return Number.NaN;
  for (let i = 0; i < 3; i++) if (x.core[i] !== y.core[i]) return (x.core[i] as number) - (y.core[i] as number);
  return comparePre(x.pre, y.pre);
}

/**
 * The device's OS as Intune's device-OS targeting sees it: on Windows the edition decides between `windows` (client)
 * and `windowsServer`; macOS and Linux are one OS each whatever their osType.
 */
export function deviceOs(device: Pick<RuleSubject, 'platform' | 'osType'>): DeviceOs {
  if (device.platform === 'windows') return device.osType === 'server' ? 'windowsServer' : 'windows';
  return device.platform;
}

/** True when the device satisfies one condition of a rule. */
export function conditionHolds(condition: DynamicRuleCondition, device: RuleSubject): boolean {
  switch (condition.attribute) {
    case 'platform':
      // Any Windows, client or server; `os` tells them apart.
      return device.platform === condition.equals;
    case 'os':
      return deviceOs(device) === condition.equals;
    case 'osVersion':
      return device.osVersion.startsWith(condition.startsWith);
    case 'tags':
      // Tags compare case-insensitively, as Defender device tags do.
      return device.tags.some((t) => t.toLowerCase() === condition.contains.toLowerCase());
    case 'agentVersion': {
      const c = compareSemver(device.agentVersion, condition.value);
      if (Number.isNaN(c)) return false;
      return { '>=': c >= 0, '>': c > 0, '<': c < 0, '<=': c <= 0, '==': c === 0 }[condition.op];
    }
  }
}

/** True when the device matches the rule (`all` conditions, or `any` one). */
export function ruleMatches(rule: DynamicGroupRule, device: RuleSubject): boolean {
  return rule.match === 'all' ? rule.conditions.every((c) => conditionHolds(c, device)) : rule.conditions.some((c) => conditionHolds(c, device));
}

/** The dynamic groups (by id) whose rule the device matches. */
export function matchingGroups(groups: readonly { readonly groupId: string; readonly rule: DynamicGroupRule }[], device: RuleSubject): string[] {
  return groups.filter((g) => ruleMatches(g.rule, device)).map((g) => g.groupId);
}

/** Policy ids assigned to a device in `groupIds`: included through any group, minus excluded through any group. Sorted. */
export function assignedPolicyIds(groupIds: Iterable<string>, assignments: readonly TargetingAssignment[]): string[] {
  const groups = new Set(groupIds);
  const included = new Set<string>();
  const excluded = new Set<string>();
  for (const a of assignments) {
    if (!groups.has(a.groupId)) continue;
    (a.mode === 'exclude' ? excluded : included).add(a.policyId);
  }
  return [...included].filter((id) => !excluded.has(id)).sort();
}

/** Normalised tag list: unique (case-insensitively, first spelling kept) and sorted. */
export function normaliseTags(tags: Iterable<string>): string[] {
  const byKey = new Map<string, string>();
  for (const tag of tags) if (!byKey.has(tag.toLowerCase())) byKey.set(tag.toLowerCase(), tag);
  return [...byKey.values()].sort();
}
