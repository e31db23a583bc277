import { describe, expect, it } from 'vitest';
import type { ScenarioExpectation } from '../../../policy-schemas/src/index.js';
import { evaluateExpectations } from './expectations.js';
import type { RunResults } from './results.js';

const measured = {
  enrollment: { enrolled: 10, failed: 0, seconds: 1, perSecond: 10 },
  checkins: { total: 30, notModified: 0, bursts: [] },
  reports: { queued: 5, acked: 4, lost: 1, duplicates: 0 },
  errors: { SETTING_APPLY_FAILED: 3, ENDPOINT_UNREACHABLE: 2 },
  events: { remediated: 1 },
  push: { connectedAtEnd: 9, connects: 10, disconnects: 1 },
  endpoint: { managed: true, peakRssMb: 200 },
  fleet: { processes: 1, idleSeconds: 0, peakRssMb: 100, bytesPerHost: 500_000 },
} as unknown as Omit<RunResults, 'expectations' | 'passed'>;

const evidence = { latencies: [100, 200, 300, 4000], pending: 0, stragglers: [], hosts: 10 };

function verdicts(list: ScenarioExpectation[]) {
  return evaluateExpectations(list, measured, evidence).map((e) => [e.expectation, e.passed]);
}

describe('expectations', () => {
  it('passes and fails each kind on the measured values', () => {
    expect(
      verdicts([
        { type: 'pushToApplied', percentile: 75, maxMs: 300 },
        { type: 'pushToApplied', percentile: 99, maxMs: 1000 },
        { type: 'allEnrolled' },
        { type: 'converged' },
        { type: 'noReportLost' },
        { type: 'errorCount', code: 'SETTING_APPLY_FAILED', min: 1, max: 3 },
        { type: 'errorCount', code: 'REQUEST_EXPIRED', min: 1 },
        { type: 'onlyErrorCodes', codes: ['SETTING_APPLY_FAILED'] },
        { type: 'eventsSeen', event: 'remediated', min: 1 },
        { type: 'minRate', metric: 'checkinsPerSecond', min: 1 },
        { type: 'pushConnected', minShare: 0.9 },
        { type: 'maxBytesPerHost', bytes: 400_000 },
        { type: 'maxEndpointRssMb', mb: 250 },
      ]),
    ).toEqual([
      ['p75 push-to-applied ≤ 300 ms', true],
      ['p99 push-to-applied ≤ 1000 ms', false],
      ['every host enrolled', true],
      ['every host converged', true],
      ['no report lost', false],
      ['SETTING_APPLY_FAILED seen 1…3 times', true],
      ['REQUEST_EXPIRED seen 1…∞ times', false],
      ['only error codes SETTING_APPLY_FAILED', false],
      ['≥ 1 remediated events', true],
      ['checkinsPerSecond ≥ 1', false],
      ['≥ 90 % push-connected at the end', true],
      ['≤ 400000 bytes per simulated host', false],
      ['endpoint RSS ≤ 250 MB', true],
    ]);
  });

  it('says why a latency expectation cannot pass without samples', () => {
    const [result] = evaluateExpectations([{ type: 'pushToApplied', percentile: 50, maxMs: 1 }], measured, { ...evidence, latencies: [] });
    expect(result).toMatchObject({ passed: false, detail: 'no change was applied, nothing measured' });
  });

  it('decides per-host setting end states and per-policy status by share or exact count', () => {
    const end = {
      ...measured,
      settingStates: { 'defender.CloudExtendedTimeout': { succeeded: 7, error: 3 } },
      policyStatus: { av: { policyId: 'p1', devices: 8, counts: { succeeded: 6, error: 2, conflict: 0, notApplicable: 0, pending: 0 } } },
    } as typeof measured;
    const results = evaluateExpectations(
      [
        { type: 'hostsWithSettingState', setting: 'defender.CloudExtendedTimeout', state: 'error', count: 3 },
        { type: 'hostsWithSettingState', setting: 'defender.CloudExtendedTimeout', state: 'error', count: 2 },
        { type: 'hostsWithSettingState', setting: 'defender.CloudExtendedTimeout', state: 'succeeded', minShare: 0.7 },
        { type: 'hostsWithSettingState', setting: 'defender.AllowRealtimeMonitoring', state: 'succeeded', minShare: 0.1 },
        { type: 'policyStatus', policy: 'av', state: 'succeeded', minShare: 0.75, maxShare: 0.75 },
        { type: 'policyStatus', policy: 'av', state: 'error', count: 3 },
        { type: 'policyStatus', policy: 'gone', state: 'error', count: 0 },
      ],
      end,
      evidence,
    );
    expect(results.map((r) => [r.expectation, r.passed, r.detail])).toEqual([
      ['exactly 3 hosts with defender.CloudExtendedTimeout error', true, '3/10 (succeeded 7, error 3)'],
      ['exactly 2 hosts with defender.CloudExtendedTimeout error', false, '3/10 (succeeded 7, error 3)'],
      ['≥ 70 % of hosts with defender.CloudExtendedTimeout succeeded', true, '7/10 (succeeded 7, error 3)'],
      ['≥ 10 % of hosts with defender.AllowRealtimeMonitoring succeeded', false, 'not measured (no end state of the fleet)'],
      ['75 %…75 % of devices of policy av succeeded', true, '6/8 devices (succeeded 6, error 2, conflict 0, notApplicable 0, pending 0)'],
      ['exactly 3 devices of policy av error', false, '2/8 devices (succeeded 6, error 2, conflict 0, notApplicable 0, pending 0)'],
      ['exactly 0 devices of policy gone error', false, 'not measured (policy "gone" does not exist at the end)'],
    ]);
  });

  it('counts the conflict states a Group Policy override leads to: setting `conflict` and compliance `conflict`', () => {
    const end = {
      ...measured,
      settingStates: { 'defender.PUAProtection': { succeeded: 9, conflict: 1 } },
      compliance: { states: { compliant: 9, conflict: 1 }, riskLevels: { none: 10 } },
    } as typeof measured;
    const results = evaluateExpectations(
      [
        { type: 'hostsWithSettingState', setting: 'defender.PUAProtection', state: 'conflict', count: 1 },
        { type: 'complianceState', state: 'conflict', minShare: 0.1, maxShare: 0.1 },
        { type: 'complianceState', state: 'conflict', minShare: 0.2 },
      ],
      end,
      evidence,
    );
    expect(results.map((r) => [r.passed, r.detail])).toEqual([
      [true, '1/10 (succeeded 9, conflict 1)'],
      [true, '1/10 (compliant 9, conflict 1)'],
      [false, '1/10 (compliant 9, conflict 1)'],
    ]);
  });

  it('decides exposure expectations from the hosts per exposure level, and fails when the endpoint has no exposure list', () => {
    const end = { ...measured, exposure: { high: 2, none: 7, unknown: 1 } } as typeof measured;
    const list = [
      { type: 'exposureLevel' as const, level: 'none' as const, minShare: 0.7 },
      { type: 'exposureLevel' as const, level: 'high' as const, minShare: 0, maxShare: 0.1 },
      { type: 'exposureLevel' as const, level: 'unknown' as const, minShare: 0.1, maxShare: 0.1 },
    ];
    expect(evaluateExpectations(list, end, evidence).map((r) => [r.expectation, r.passed, r.detail])).toEqual([
      ['70 % of hosts at exposure none', true, '7/10 (high 2, none 7, unknown 1)'],
      ['0 %…10 % of hosts at exposure high', false, '2/10 (high 2, none 7, unknown 1)'],
      ['10 %…10 % of hosts at exposure unknown', true, '1/10 (high 2, none 7, unknown 1)'],
    ]);
    expect(evaluateExpectations([list[0] as ScenarioExpectation], measured, evidence)[0]?.detail).toBe(
      'not measured (the endpoint has no vulnerability exposure list)',
    );
  });

  it('decides exposure at a recordExposure label and security task expectations from the task at the end', () => {
    const end = {
      ...measured,
      exposure: { none: 10 },
      exposureSnapshots: [
        { label: 'before', atSeconds: 5, counts: { high: 3, none: 7 }, compliance: { noncompliant: 3, compliant: 7 } },
        { label: 'after', atSeconds: 9, counts: { none: 10 } },
      ],
      securityTasks: {
        ssl: { taskId: 't', title: 'Update openssl', status: 'completed', completion: 'automatic', managedDeviceCount: 3, fixedDeviceCount: 3, history: [] },
        curl: { taskId: 'u', title: 'Update curl', status: 'active', completion: null, managedDeviceCount: 4, fixedDeviceCount: 1, history: [] },
      },
    } as typeof measured;
    const list: ScenarioExpectation[] = [
      { type: 'exposureLevel', at: 'before', level: 'high', minShare: 0.3, maxShare: 0.3 },
      { type: 'exposureLevel', at: 'after', level: 'high', minShare: 0.3 },
      { type: 'exposureLevel', at: 'never', level: 'none', minShare: 0 },
      { type: 'complianceState', at: 'before', state: 'noncompliant', minShare: 0.3, maxShare: 0.3 },
      { type: 'complianceState', at: 'after', state: 'compliant', minShare: 1 },
      { type: 'securityTask', task: 'ssl', status: 'completed', completion: 'automatic', minFixedShare: 1 },
      { type: 'securityTask', task: 'ssl', status: 'completed', completion: 'manual' },
      { type: 'securityTask', task: 'curl', status: 'active', minFixedShare: 0.5 },
      { type: 'securityTask', task: 'gone', status: 'completed' },
    ];
    expect(evaluateExpectations(list, end, evidence).map((r) => [r.expectation, r.passed, r.detail])).toEqual([
      ['30 %…30 % of hosts at exposure high at "before"', true, '3/10 (high 3, none 7)'],
      ['30 % of hosts at exposure high at "after"', false, '0/10 (none 10)'],
      ['0 % of hosts at exposure none at "never"', false, 'not measured (no recordExposure "never" ran)'],
      ['30 %…30 % of hosts noncompliant at "before"', true, '3/10 (noncompliant 3, compliant 7)'],
      ['100 % of hosts compliant at "after"', false, 'not measured (no recordExposure "after" ran)'],
      ['security task ssl completed (automatic), ≥ 100 % of its devices fixed', true, 'completed (automatic), 3/3 devices fixed'],
      ['security task ssl completed (manual)', false, 'completed (automatic), 3/3 devices fixed'],
      ['security task curl active, ≥ 50 % of its devices fixed', false, 'active, 1/4 devices fixed'],
      ['security task gone completed', false, 'not measured (security task "gone" was not created)'],
    ]);
  });

  it('decides action expectations from each action end status and create → terminal time, an unfinished one never done', () => {
    const actions = [
      { type: 'isolate' as const, status: 'succeeded' as const, doneMs: 100 },
      { type: 'isolate' as const, status: 'succeeded' as const, doneMs: 300 },
      { type: 'runAntivirusScan' as const, status: 'failed' as const, doneMs: 50 },
      { type: 'runAntivirusScan' as const, status: 'inProgress' as const },
    ];
    const run = (list: ScenarioExpectation[]) => evaluateExpectations(list, measured, { ...evidence, actions }).map((e) => [e.passed, e.detail]);
    expect(
      run([
        { type: 'actionsDone', action: 'isolate', percentile: 50, maxMs: 100 },
        { type: 'actionsDone', action: 'isolate', percentile: 100, maxMs: 299 },
        { type: 'actionsDone', action: 'runAntivirusScan', percentile: 50, maxMs: 60 },
        { type: 'actionsDone', action: 'runAntivirusScan', percentile: 100, maxMs: 1e9 },
        { type: 'actionsDone', action: 'runAntivirusScan', status: 'failed', percentile: 100, maxMs: 60 },
        { type: 'actionsDone', action: 'offboard', percentile: 50, maxMs: 1 },
        { type: 'actionStates', counts: { succeeded: 2, failed: 1, inProgress: 1 } },
        { type: 'actionStates', action: 'runAntivirusScan', counts: { failed: 1, cancelled: 1 } },
      ]),
    ).toEqual([
      [true, 'measured 100 ms over 2 actions'],
      [false, 'measured 300 ms over 2 actions'],
      [true, 'measured 50 ms over 2 actions (1 unfinished)'],
      [false, 'measured unfinished over 2 actions (1 unfinished)'],
      [true, 'measured 50 ms over 1 actions'],
      [false, 'no such action, nothing measured'],
      [true, 'succeeded 2, failed 1, inProgress 1'],
      [false, 'failed 1, inProgress 1'],
    ]);
  });
});
