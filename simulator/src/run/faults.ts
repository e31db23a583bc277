// Fault steps on the coordinator's side: which hosts each one is aimed at (an exact share or count of the eligible
// hosts, from the scenario seed), and at the end which hosts each really touched; a fault that touched none fails the
// run unless its step says `mayNotFire`.
import { settingById } from '../../../policy-schemas/src/index.js';
import type { FaultStep, FaultTargets, HostSpec } from '../fleet/protocol.js';
import { chooseHosts } from '../select.js';

/** A fault step as results.json lists it: when, what, and whom it was aimed at and really touched. */
export interface FaultResult {
  /** Timeline index of the step. */
  readonly step: number;
  readonly action: string;
  /** Seconds after the start of the run. */
  readonly at: number;
  readonly note?: string;
  /** Hosts the step was aimed at (for failWrites: armed on). */
  readonly targeted: number;
  /** Hosts it really touched (a write failed, a value changed, an agent crashed…), by index and device id. */
  readonly hosts: readonly number[];
  readonly deviceIds: readonly string[];
  /** False: the fault touched no host (fails the run unless `mayNotFire`). The endpoint restart always fires. */
  readonly fired: boolean;
  readonly mayNotFire: boolean;
  /** Why this fault fails the run (it never fired and the step does not allow that). */
  readonly problem?: string;
}

/** A fault step as run, before its hits are known. */
export interface FaultRun {
  readonly step: number;
  readonly action: string;
  readonly at: number;
  readonly note?: string;
  readonly targeted: readonly number[];
  readonly mayNotFire: boolean;
  /** The endpoint restart or a replica kill: no host to count, it always happens. */
  readonly endpoint?: boolean;
}

/** The hosts a fault step is aimed at, among the enrolled `hosts`: per setting for failWrites, else one list. */
export function faultTargets(step: FaultStep, stepIndex: number, seed: number, hosts: readonly HostSpec[]): FaultTargets {
  const onPlatform = hosts.filter((h) => !step.platform || h.platform === step.platform);
  const having = (settingId: string) => onPlatform.filter((h) => settingById(settingId)?.platforms.includes(h.platform)).map((h) => h.index);
  if (step.action === 'failWrites') {
    const entries = [
      ...Object.entries(step.rates ?? {}).map(([id, share]) => [id, { share }] as const),
      ...Object.entries(step.counts ?? {}).map(([id, count]) => [id, { count }] as const),
    ];
    const bySetting = Object.fromEntries(entries.map(([id, selection], k) => [id, chooseHosts(seed, stepIndex * 1000 + k, having(id), selection)]));
    return { hosts: [...new Set(Object.values(bySetting).flat())].sort((a, b) => a - b), bySetting };
  }
  const eligible = step.action === 'drift' || step.action === 'groupPolicyOverride' ? having(step.setting) : onPlatform.map((h) => h.index);
  return { hosts: chooseHosts(seed, stepIndex, eligible, step) };
}

/** Faults with the hosts they touched (`hits`: step → hosts), and a problem line for each that never fired. */
export function finishFaults(
  runs: readonly FaultRun[],
  hits: ReadonlyMap<number, readonly number[]>,
  deviceOfHost: ReadonlyMap<number, string>,
): { faults: FaultResult[]; problems: string[] } {
  const problems: string[] = [];
  const faults = runs.map((run): FaultResult => {
    const hosts = run.endpoint ? [] : [...(hits.get(run.step) ?? [])];
    const fired = run.endpoint === true || hosts.length > 0;
    let problem: string | undefined;
    if (!fired && !run.mayNotFire) {
      const why = run.targeted.length === 0 ? 'it was aimed at no host' : `aimed at ${run.targeted.length} hosts, it changed nothing on them`;
      problem = `timeline[${run.step}] (${run.action}${run.note ? `: ${run.note}` : ''}): the fault never fired (${why}); add "mayNotFire": true if that is expected`;
      problems.push(problem);
    }
    return {
      step: run.step,
      action: run.action,
      at: run.at,
      ...(run.note ? { note: run.note } : {}),
      targeted: run.targeted.length,
      hosts,
      deviceIds: hosts.flatMap((h) => deviceOfHost.get(h) ?? []),
      fired,
      mayNotFire: run.mayNotFire,
      ...(problem ? { problem } : {}),
    };
  });
  return { faults, problems };
}
