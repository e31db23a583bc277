// The rules of security tasks, pure (docs/vulnerabilities.md "Security tasks"): which status changes are allowed, when
// a targeted device counts as fixed, and the mitigation a recommendation's ecosystem calls for.

import { AttacheError } from '../../../../common/errors.js';
import { compareVersions } from '../../../../common/versions/index.js';
import type { SecurityTask, TaskStatus } from '../../../../policy-schemas/src/index.js';
import type { StoredPackage } from '../../store/vulnerability-store.js';

/** Graph's task life: pending → active (accepted) | rejected; active → completed | rejected; rejected → pending (reopen). */
export const TASK_TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  pending: ['active', 'rejected', 'completed'],
  active: ['completed', 'rejected'],
  rejected: ['pending'],
  completed: [],
};

/**
 * Refuses a change the task's life does not allow (TASK_TRANSITION_INVALID naming both statuses), a reject without a
 * note, and `remediate` with anything but `active`. An active task may be set active again only to remediate anew.
 * pending → completed is the automatic completion only (Defender completes a remediation activity once fixed).
 */
export function checkTransition(
  from: TaskStatus,
  to: TaskStatus,
  change: { readonly note?: string | undefined; readonly remediate?: boolean | undefined; readonly by: 'admin' | 'system' },
): void {
  if (change.remediate && to !== 'active') throw new AttacheError('TASK_INVALID', `remediate: only with status active, not ${to}`);
  if (from === 'active' && to === 'active' && change.remediate) return;
  const allowed = TASK_TRANSITIONS[from].filter((s) => change.by === 'system' || !(from === 'pending' && s === 'completed'));
  if (!allowed.includes(to)) {
    const options = allowed.length > 0 ? `it can become ${allowed.join(' or ')}` : 'it is final';
    throw new AttacheError('TASK_TRANSITION_INVALID', `a ${from} security task cannot become ${to}: ${options}`);
  }
  if (to === 'rejected' && !change.note?.trim()) throw new AttacheError('TASK_TRANSITION_INVALID', 'rejecting a security task needs a note saying why');
}

/** `manual` for macOS applications (no package manager updates them here), `update` for Linux packages and Windows. */
export function mitigationTypeOf(ecosystem: string): SecurityTask['mitigationType'] {
  return ecosystem === 'macos' ? 'manual' : 'update';
}

/** What the completion check knows of one targeted device. */
export interface DeviceEvidence {
  /** The device's packages of the task's (ecosystem, appName); undefined when it never uploaded software. */
  readonly packages: readonly Pick<StoredPackage, 'scheme' | 'matchedVersion'>[] | undefined;
  /** Whether a finding of the task's recommendation remains on the device. */
  readonly findingRemains: boolean;
  /**
   * Whether the device still has any package of the task's ecosystem (absent: yes). No package of it at all (Debian
   * 12 → 13: every package moved to `Debian:13`) is no evidence the software was updated: not fixed (review18 L5).
   */
  readonly inEcosystem?: boolean;
}

/** A device's progress: fixed, and the lowest installed version of the software (the one that still matters). */
export interface DeviceFix {
  readonly fixed: boolean;
  readonly installedVersion: string | null;
}

function below(p: Pick<StoredPackage, 'scheme' | 'matchedVersion'>, fixedVersion: string): boolean {
  try {
    return compareVersions(p.scheme, p.matchedVersion, fixedVersion) < 0;
  } catch {
    return true; // an unparsable version is never taken as fixed
  }
}

/**
 * A targeted device is fixed when its latest software has no package of the task's software below appVersion (by the
 * package's comparator), or, when the task has no appVersion (no update was published), when no finding of the
 * recommendation remains. A device without software is not fixed (nothing shows it), nor one with no package of the
 * task's ecosystem any more (its OS release changed). When some of the recommendation's advisories have no published
 * fix, appVersion is the highest fix among the others: a device at or above it counts as fixed (the task asked for
 * that update) although findings without a fix may remain on it (docs/vulnerabilities.md "Security tasks").
 */
export function deviceFix(appVersion: string | null, evidence: DeviceEvidence): DeviceFix {
  const packages = evidence.packages;
  if (!packages || (packages.length === 0 && evidence.inEcosystem === false)) return { fixed: false, installedVersion: null };
  const lowest = packages.reduce<(typeof packages)[number] | undefined>((low, p) => (!low || below(p, low.matchedVersion) ? p : low), undefined);
  const installedVersion = lowest?.matchedVersion ?? null;
  if (appVersion === null) return { fixed: !evidence.findingRemains, installedVersion };
  return { fixed: !packages.some((p) => below(p, appVersion)), installedVersion };
}

/** Admin-given text PostgreSQL cannot hold (NUL) is refused naming the field, never cut or stored differently. */
export function checkText(fields: Readonly<Record<string, string | undefined>>): void {
  for (const [name, value] of Object.entries(fields)) {
    if (value?.includes('\u0000')) throw new AttacheError('TASK_INVALID', `${name}: must not contain NUL characters`);
  }
}
