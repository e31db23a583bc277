// What a run asks at its end, after settling and before the fleet stops: which hosts each fault really touched, the
// agents' per-setting end state and failing hosts (from the fleet processes), and the endpoint's per-policy status.
import type { AdminApi } from '../endpoint/admin-api.js';
import type { Fleet } from '../fleet/fleet.js';
import type { Scenario } from '../scenario/load.js';
import { type FaultRun, finishFaults } from './faults.js';
import type { RunResults } from './results.js';

/** The failing-hosts table keeps this many rows (the count says how many there were). */
export const FAILING_HOSTS_KEPT = 200;

type EndResults = Pick<RunResults, 'faults' | 'failingHosts' | 'failingHostCount' | 'settingStates' | 'policyStatus'>;

export async function collectEndState(options: {
  readonly scenario: Scenario;
  readonly fleet: Fleet;
  readonly admin: AdminApi;
  /** Scenario policy name → policy id, for the policies that exist at the end. */
  readonly policyIds: ReadonlyMap<string, string>;
  readonly faults: readonly FaultRun[];
  readonly deviceOfHost: ReadonlyMap<number, string>;
}): Promise<EndResults & { problems: string[] }> {
  const { scenario, fleet, admin } = options;
  const { faults, problems } = finishFaults(options.faults, await fleet.faultHits(), options.deviceOfHost);
  const settings = [...new Set(scenario.expectations.flatMap((e) => (e.type === 'hostsWithSettingState' ? [e.setting] : [])))];
  const end = await fleet.endState(settings);
  const policyStatus: Record<string, { policyId: string; devices: number; counts: Record<string, number> }> = {};
  for (const e of scenario.expectations) {
    const policyId = e.type === 'policyStatus' ? options.policyIds.get(e.policy) : undefined;
    if (e.type !== 'policyStatus' || !policyId || policyStatus[e.policy]) continue;
    const report = await admin.policyStatus(policyId);
    policyStatus[e.policy] = { policyId, devices: report.devices.length, counts: { ...report.counts } };
  }
  return {
    problems,
    faults,
    failingHosts: end.failing.slice(0, FAILING_HOSTS_KEPT),
    failingHostCount: end.failing.length,
    ...(settings.length > 0 ? { settingStates: end.settingStates } : {}),
    ...(Object.keys(policyStatus).length > 0 ? { policyStatus } : {}),
  };
}
