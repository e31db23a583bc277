import { describe, expect, it } from 'vitest';
import type { RunResults } from '../run/results.js';
import { renderHtml } from './html.js';
import { renderJunit, xmlText } from './junit.js';
import { renderSummary } from './summary.js';

const neverFired = 'timeline[2] (drift): the fault never fired (it was aimed at no host); add "mayNotFire": true if that is expected';
const results = {
  scenario: { name: 'qa', source: '/s/qa.json', seed: 3, hosts: 4, composition: '4 windows' },
  machine: { cpus: 2, cpuModel: 'cpu', memoryGb: 4, os: 'Linux', node: 'v22' },
  startedAt: '2025-01-01T00:00:00.000Z',
  durationSeconds: 12.5,
  phases: [],
  enrollment: { enrolled: 4, failed: 0, seconds: 1, perSecond: 4 },
  checkins: { total: 8, notModified: 0, bursts: [] },
  pushToApplied: { count: 0, histogram: [] },
  changes: [],
  reports: { queued: 1, acked: 1, lost: 0, duplicates: 0 },
  syncs: 4,
  errors: { SETTING_APPLY_FAILED: 2 },
  errorSamples: { SETTING_APPLY_FAILED: 'x' },
  events: {},
  push: { connectedAtEnd: 4, connects: 4, disconnects: 0 },
  endpoint: { managed: true },
  fleet: { processes: 1, idleSeconds: 0, peakRssMb: 1 },
  alerts: { acked: 0, duplicates: 0 },
  timeline: [],
  faults: [
    {
      step: 0,
      action: 'failWrites',
      at: 1.5,
      note: 'cloud <timeout>',
      targeted: 2,
      hosts: [1, 3],
      deviceIds: ['dev-1', 'dev-3'],
      fired: true,
      mayNotFire: false,
    },
    { step: 1, action: 'partition', at: 2, targeted: 1, hosts: [], deviceIds: [], fired: false, mayNotFire: true },
    { step: 2, action: 'drift', at: 3, targeted: 0, hosts: [], deviceIds: [], fired: false, mayNotFire: false, problem: neverFired },
  ],
  failingHosts: [
    {
      host: 1,
      deviceId: 'dev-1',
      platform: 'windows',
      lastError: { code: 'SETTING_APPLY_FAILED', message: 'defender.X: <denied>' },
      lastReportAt: Date.parse('2025-01-01T00:00:05Z'),
    },
    { host: 3, platform: 'windows', lastError: { code: 'ENDPOINT_UNREACHABLE', message: 'down\u0007' } },
  ],
  failingHostCount: 2,
  expectations: [
    { expectation: 'every host enrolled', passed: true, detail: '4/4 enrolled' },
    { expectation: 'exactly 1 hosts with defender.X error', passed: false, detail: '2/4 & more' },
  ],
  problems: [neverFired, 'fleet not ready within 5 s'],
  passed: false,
} as unknown as RunResults;

describe('JUnit XML', () => {
  const xml = renderJunit(results);

  it('has one test case per expectation, fault and other problem, with failures and skips counted', () => {
    expect(xml).toContain('<testsuite name="simulator.qa" tests="6" failures="3" errors="0" skipped="1"');
    expect(xml).toContain('<testcase classname="simulator.qa.expectations" name="exactly 1 hosts with defender.X error">');
    expect(xml).toContain('<failure message="2/4 &amp; more">');
    expect(xml).toContain('name="timeline[0] failWrites (cloud &lt;timeout&gt;)"');
    expect(xml).toContain('aimed at 2 hosts, touched 2: dev-1, dev-3');
    expect(xml).toContain('<skipped message="never fired (the step allows it)"/>');
    expect(xml).toContain(`<failure message="${xmlText(neverFired)}">`);
    // The never-fired problem is the fault's test case, not a second "run" case.
    expect(xml.match(/the fault never fired \(it was/g)).toHaveLength(2); // message attribute + text of one failure
    expect(xml).toContain('classname="simulator.qa.run" name="fleet not ready within 5 s"');
  });

  it('is well-formed XML without characters XML cannot carry', () => {
    expect(xmlText('a\u0000b\u001bc<')).toBe('abc&lt;');
    // Structure check: every opened element is closed in order.
    const stack: string[] = [];
    for (const [, close, name, selfClosing] of xml.matchAll(/<(\/?)([a-z-]+)[^>]*?(\/?)>/g)) {
      if (selfClosing) continue;
      if (close) expect(stack.pop()).toBe(name);
      else stack.push(name as string);
    }
    expect(stack).toEqual([]);
  });
});

describe('HTML report and summary', () => {
  it('shows the fault timeline with the hosts each touched and the failing-hosts table', () => {
    const html = renderHtml({ results, curves: [] }, []);
    expect(html).toContain('<h2>Timeline: injected faults</h2>');
    expect(html).toMatch(
      /<td>t\+1\.5 s<\/td><td>0<\/td><td>failWrites \(cloud &lt;timeout&gt;\)<\/td><td>2<\/td><td>2<\/td><td><small>dev-1, dev-3<\/small><\/td>/,
    );
    expect(html).toContain('never fired (allowed)');
    expect(html).toContain('<span class="fail">never fired</span>');
    expect(html).toContain('<h2>Failing hosts (2)</h2>');
    expect(html).toContain(
      '<td>1</td><td>dev-1</td><td>windows</td><td>SETTING_APPLY_FAILED: defender.X: &lt;denied&gt;</td><td>2025-01-01T00:00:05.000Z</td>',
    );
    expect(html).toContain('<td>3</td><td>not enrolled</td><td>windows</td>');
    expect(html).toContain('<td>never</td>');
  });

  it('prints faults and failing hosts in the terminal summary', () => {
    const text = renderSummary(results);
    expect(text).toContain('t+1.5s fault failWrites (cloud <timeout>): 2/2 hosts touched');
    expect(text).toContain('t+3.0s fault drift: NEVER FIRED');
    expect(text).toContain('failing hosts  2');
    expect(text).toContain('host 1 dev-1 (windows): SETTING_APPLY_FAILED defender.X: <denied>');
  });
});
