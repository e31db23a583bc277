// Untrusted strings in a run's results (scenario and change names, error samples from hosts and the endpoint) reach the
// terminal summary escaped visibly and the HTML report escaped as HTML with bidi controls neutralised.
import { describe, expect, it } from 'vitest';
import { hasUnsafeCharacters } from '../../../common/terminal-text.js';
import type { RunResults } from '../run/results.js';
import { renderHtml } from './html.js';
import { renderSummary } from './summary.js';

const ATTACK = 'evil\x1b[2J\nFAKE-LINE <script>x</script>\u202Etxt';

const summary = { count: 1, p50: 1, p95: 1, p99: 1, max: 1 };
const results = {
  scenario: { name: ATTACK, source: 'x.json', seed: 1, hosts: 1, composition: 'windows 1' },
  machine: { cpus: 2, cpuModel: 'cpu', memoryGb: 4, os: 'linux', node: '22' },
  startedAt: '2026-01-01T00:00:00.000Z',
  durationSeconds: 1,
  phases: [{ name: ATTACK, start: 0, end: 1 }],
  enrollment: { enrolled: 1, failed: 0, seconds: 1, perSecond: 1 },
  checkins: { total: 1, notModified: 0, bursts: [] },
  pushToApplied: { ...summary, histogram: [] },
  changes: [{ label: ATTACK, stepIndex: 0, at: 0, targets: 1, applied: 1, latencyMs: summary }],
  reports: { queued: 1, acked: 1, lost: 0, duplicates: 0 },
  syncs: 1,
  errors: { ENDPOINT_ERROR: 1 },
  errorSamples: { ENDPOINT_ERROR: ATTACK },
  events: {},
  push: { connectedAtEnd: 1, connects: 1, disconnects: 0 },
  endpoint: { managed: true },
  fleet: { processes: 1, idleSeconds: 0, peakRssMb: 1 },
  alerts: { acked: 0, duplicates: 0 },
  timeline: [],
  expectations: [{ expectation: ATTACK, passed: false, detail: ATTACK }],
  problems: [ATTACK],
  faults: [{ step: 0, action: 'drift', at: 1, note: ATTACK, targeted: 1, hosts: [0], deviceIds: [ATTACK], fired: true, mayNotFire: false }],
  failingHosts: [{ host: 0, deviceId: ATTACK, platform: 'windows', lastError: { code: 'SETTING_APPLY_FAILED', message: ATTACK } }],
  failingHostCount: 1,
  passed: false,
} as unknown as RunResults;

describe('report escaping', () => {
  it('escapes control and bidi characters in the terminal summary', () => {
    const text = renderSummary(results);
    expect(text).toContain('scenario evil\\x1b[2J\\nFAKE-LINE');
    expect(text).toContain('\\u202etxt');
    expect(hasUnsafeCharacters(text.replaceAll('\n', ''))).toBe(false);
    expect(text.split('\n').some((line) => line.startsWith('FAKE-LINE'))).toBe(false);
  });

  it('escapes markup and neutralises bidi controls in the HTML report', () => {
    const html = renderHtml({ results, curves: [] }, []);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('\\u202etxt');
    expect(hasUnsafeCharacters(html.replaceAll('\n', ''))).toBe(false);
  });
});
