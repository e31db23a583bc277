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
});
