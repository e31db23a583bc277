// Decides each expectation of a scenario from the measured results. Pure: same results, same verdicts.
import type { ScenarioExpectation } from '../../../policy-schemas/src/index.js';
import { percentile } from '../stats.js';
import type { ActionSample } from './actions.js';
import type { ExpectationResult, RunResults } from './results.js';

/** What the verdicts need beyond results.json. */
export interface Evidence {
  readonly latencies: readonly number[];
  readonly pending: number;
  readonly stragglers: readonly { host: number; change: string }[];
  readonly hosts: number;
  /** The run's response actions: type, end status, create → terminal ms (absent: unfinished). */
  readonly actions?: readonly ActionSample[];
}

type Measured = Omit<RunResults, 'expectations' | 'passed'>;

const share = (v: number) => `${Number((v * 100).toFixed(1))} %`;

/** Short text of an expectation, as the failure message names it. */
export function describeExpectation(e: ScenarioExpectation): string {
  switch (e.type) {
    case 'pushToApplied':
      return `p${e.percentile} push-to-applied ≤ ${e.maxMs} ms`;
    case 'allEnrolled':
      return 'every host enrolled';
    case 'converged':
      return 'every host converged';
    case 'noReportLost':
      return 'no report lost';
    case 'errorCount':
      return `${e.code} seen ${e.min ?? 0}…${e.max ?? '∞'} times`;
    case 'onlyErrorCodes':
      return `only error codes ${e.codes.join(', ') || '(none)'}`;
    case 'eventsSeen':
      return `≥ ${e.min} ${e.event} events`;
    case 'minRate':
      return `${e.metric} ≥ ${e.min}`;
    case 'pushConnected':
      return `≥ ${(e.minShare * 100).toFixed(0)} % push-connected at the end`;
    case 'maxBytesPerHost':
      return `≤ ${e.bytes} bytes per simulated host`;
    case 'maxEndpointRssMb':
      return `endpoint RSS ≤ ${e.mb} MB`;
    case 'complianceState':
      return `${share(e.minShare)}${e.maxShare === undefined ? '' : `…${share(e.maxShare)}`} of hosts ${e.state}${e.at ? ` at "${e.at}"` : ''}`;
    case 'riskLevel':
      return `${share(e.minShare)}${e.maxShare === undefined ? '' : `…${share(e.maxShare)}`} of hosts at risk ${e.level}`;
    case 'exposureLevel':
      return `${share(e.minShare)}${e.maxShare === undefined ? '' : `…${share(e.maxShare)}`} of hosts at exposure ${e.level}${e.at ? ` at "${e.at}"` : ''}`;
    case 'securityTask':
      return `security task ${e.task} ${e.status}${e.completion ? ` (${e.completion})` : ''}${e.minFixedShare === undefined ? '' : `, ≥ ${share(e.minFixedShare)} of its devices fixed`}`;
    case 'hostsWithSettingState':
      return `${bounds(e)} hosts with ${e.setting} ${e.state}`;
    case 'policyStatus':
      return `${bounds(e)} devices of policy ${e.policy} ${e.state}`;
    case 'actionsDone':
      return `p${e.percentile} create → ${e.status ?? 'done'} of ${e.action ?? 'all'} actions ≤ ${e.maxMs} ms`;
    case 'actionStates':
      return `${e.action ?? 'all'} actions: ${listCounts(e.counts as Record<string, number>)}`;
  }
}

/** "exactly 3", "≥ 50 %", "10 %…20 %". */
function bounds(e: { count?: number; minShare?: number; maxShare?: number }): string {
  if (e.count !== undefined) return `exactly ${e.count}`;
  if (e.maxShare === undefined) return `≥ ${share(e.minShare ?? 0)} of`;
  return `${share(e.minShare ?? 0)}…${share(e.maxShare)} of`;
}

/** Whether `n` of `total` meets an exact count or share bounds. */
function within(e: { count?: number; minShare?: number; maxShare?: number }, n: number, total: number): boolean {
  if (e.count !== undefined) return n === e.count;
  const s = total > 0 ? n / total : 0;
  return s >= (e.minShare ?? 0) && s <= (e.maxShare ?? 1);
}

const listCounts = (counts: Readonly<Record<string, number>>) =>
  Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

function verdict(e: ScenarioExpectation, m: Measured, ev: Evidence): { passed: boolean; detail: string } {
  switch (e.type) {
    case 'pushToApplied': {
      const value = percentile(
        [...ev.latencies].sort((a, b) => a - b),
        e.percentile,
      );
      if (value === undefined) return { passed: false, detail: 'no change was applied, nothing measured' };
      return { passed: value <= e.maxMs, detail: `measured ${value.toFixed(0)} ms over ${ev.latencies.length} samples` };
    }
    case 'allEnrolled':
      return { passed: m.enrollment.enrolled === ev.hosts, detail: `${m.enrollment.enrolled}/${ev.hosts} enrolled, ${m.enrollment.failed} failed` };
    case 'converged': {
      const names = ev.stragglers.map((s) => `host ${s.host} (${s.change})`).join(', ');
      return { passed: ev.pending === 0, detail: ev.pending === 0 ? 'all changes applied everywhere' : `${ev.pending} not applied, e.g. ${names}` };
    }
    case 'noReportLost':
      return { passed: m.reports.lost === 0, detail: `${m.reports.queued} queued, ${m.reports.acked} acknowledged, ${m.reports.lost} unacknowledged` };
    case 'errorCount': {
      const n = m.errors[e.code] ?? 0;
      return { passed: n >= (e.min ?? 0) && n <= (e.max ?? Number.POSITIVE_INFINITY), detail: `seen ${n} times` };
    }
    case 'onlyErrorCodes': {
      const other = Object.keys(m.errors).filter((c) => !e.codes.includes(c));
      return { passed: other.length === 0, detail: other.length === 0 ? 'none other' : `also seen: ${other.map((c) => `${c} ×${m.errors[c]}`).join(', ')}` };
    }
    case 'eventsSeen': {
      const n = m.events[e.event] ?? 0;
      return { passed: n >= e.min, detail: `seen ${n}` };
    }
    case 'minRate': {
      const value = e.metric === 'enrollmentsPerSecond' ? m.enrollment.perSecond : m.checkins.perSecond;
      if (value === undefined) return { passed: false, detail: 'not measured (a checkinBurst step measures check-ins/s)' };
      return { passed: value >= e.min, detail: `measured ${value.toFixed(1)}/s` };
    }
    case 'pushConnected': {
      const share = ev.hosts > 0 ? m.push.connectedAtEnd / ev.hosts : 0;
      return { passed: share >= e.minShare, detail: `${m.push.connectedAtEnd}/${ev.hosts} connected` };
    }
    case 'maxBytesPerHost': {
      const value = m.fleet.bytesPerHost;
      if (value === undefined) return { passed: false, detail: 'not measured' };
      return { passed: value <= e.bytes, detail: `measured ${Math.round(value)} bytes` };
    }
    case 'maxEndpointRssMb': {
      const value = m.endpoint.peakRssMb;
      if (value === undefined) return { passed: false, detail: 'not measured (endpoint not started by the simulator, or not Linux)' };
      return { passed: value <= e.mb, detail: `peak ${value.toFixed(0)} MB` };
    }
    case 'complianceState':
    case 'riskLevel': {
      const at = e.type === 'complianceState' ? e.at : undefined;
      const counts = at
        ? m.exposureSnapshots?.findLast((x) => x.label === at)?.compliance
        : e.type === 'complianceState'
          ? m.compliance?.states
          : m.compliance?.riskLevels;
      if (!counts)
        return { passed: false, detail: at ? `not measured (no recordExposure "${at}" ran)` : 'not measured (the endpoint has no compliance overview)' };
      const n = counts[e.type === 'complianceState' ? e.state : e.level] ?? 0;
      const s = ev.hosts > 0 ? n / ev.hosts : 0;
      const detail = `${n}/${ev.hosts} (${listCounts(counts)})`;
      return { passed: s >= e.minShare && s <= (e.maxShare ?? 1), detail };
    }
    case 'exposureLevel': {
      const counts = e.at ? m.exposureSnapshots?.findLast((x) => x.label === e.at)?.counts : m.exposure;
      if (!counts)
        return {
          passed: false,
          detail: e.at ? `not measured (no recordExposure "${e.at}" ran)` : 'not measured (the endpoint has no vulnerability exposure list)',
        };
      const n = counts[e.level] ?? 0;
      const s = ev.hosts > 0 ? n / ev.hosts : 0;
      return { passed: s >= e.minShare && s <= (e.maxShare ?? 1), detail: `${n}/${ev.hosts} (${listCounts(counts)})` };
    }
    case 'securityTask': {
      const t = m.securityTasks?.[e.task];
      if (!t) return { passed: false, detail: `not measured (security task "${e.task}" was not created)` };
      const fixed = t.managedDeviceCount > 0 ? t.fixedDeviceCount / t.managedDeviceCount : 0;
      const passed = t.status === e.status && (!e.completion || t.completion === e.completion) && (e.minFixedShare === undefined || fixed >= e.minFixedShare);
      return { passed, detail: `${t.status}${t.completion ? ` (${t.completion})` : ''}, ${t.fixedDeviceCount}/${t.managedDeviceCount} devices fixed` };
    }
    case 'hostsWithSettingState': {
      const counts = m.settingStates?.[e.setting];
      if (!counts) return { passed: false, detail: 'not measured (no end state of the fleet)' };
      const n = counts[e.state] ?? 0;
      return { passed: within(e, n, ev.hosts), detail: `${n}/${ev.hosts} (${listCounts(counts)})` };
    }
    case 'actionsDone': {
      const of = (ev.actions ?? []).filter((a) => (!e.action || a.type === e.action) && (!e.status || a.status === e.status));
      if (of.length === 0) return { passed: false, detail: 'no such action, nothing measured' };
      // An unfinished action counts as never done, so a percentile reaching into them fails.
      const times = of.map((a) => a.doneMs ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
      const value = percentile(times, e.percentile) ?? Number.POSITIVE_INFINITY;
      const unfinished = of.filter((a) => a.doneMs === undefined).length;
      const measured = Number.isFinite(value) ? `${value.toFixed(0)} ms` : 'unfinished';
      return { passed: value <= e.maxMs, detail: `measured ${measured} over ${of.length} actions${unfinished ? ` (${unfinished} unfinished)` : ''}` };
    }
    case 'actionStates': {
      const counts: Record<string, number> = {};
      for (const a of ev.actions ?? []) if (!e.action || a.type === e.action) counts[a.status] = (counts[a.status] ?? 0) + 1;
      const passed = Object.entries(e.counts).every(([status, n]) => (counts[status] ?? 0) === n);
      return { passed, detail: listCounts(counts) };
    }
    case 'policyStatus': {
      const status = m.policyStatus?.[e.policy];
      if (!status) return { passed: false, detail: `not measured (policy "${e.policy}" does not exist at the end)` };
      const n = status.counts[e.state] ?? 0;
      return { passed: within(e, n, status.devices), detail: `${n}/${status.devices} devices (${listCounts(status.counts)})` };
    }
  }
}

export function evaluateExpectations(expectations: readonly ScenarioExpectation[], measured: Measured, evidence: Evidence): ExpectationResult[] {
  return expectations.map((e) => ({ expectation: describeExpectation(e), ...verdict(e, measured, evidence) }));
}
