// CI smoke of the fleet simulator: the `simulate` command runs scenarios/smoke.json (50 hosts, apply failures, a
// partition, an endpoint restart, drift), scenarios/risk-compliance.json (signals engine on, threats injected) and
// scenarios/qa-faults.json (exact fault counts, fault hits, per-host end state, per-policy status) against a real
// endpoint it starts, and every expectation must hold; a fault that never fires fails the run; a scenario that cannot
// run exits 64 (bad command line) or 65 (invalid scenario). No timing is asserted (that is bench/'s job).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './src/endpoint/endpoint-process.js';
import type { RunResults } from './src/run/results.js';
import { simulate } from './testing/simulate-command.js';

let out: string | undefined;
afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

/** Writes a scenario file into `dir` and returns its path. */
async function writeScenario(dir: string, name: string, body: unknown): Promise<string> {
  const file = join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(body));
  return file;
}

describe('fleet simulator chaos', () => {
  it('agents killed mid-apply, a partition, the endpoint killed, full disks and apply failures: converged, zero reports lost', {
    timeout: 180_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attache-sim-chaos-'));
    try {
      const run = await simulate(['--scenario', join(REPO_ROOT, 'simulator', 'scenarios', 'chaos.json'), '--out', dir]);
      const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as RunResults;
      const failed = results.expectations.filter((e) => !e.passed).map((e) => `${e.expectation}: ${e.detail}`);
      expect({ failed, problems: results.problems, code: run.code }, `${run.stdout}\n${run.stderr}`).toEqual({ failed: [], problems: [], code: 0 });
      // Every fault fired, and the full disks reached the endpoint as STATE_WRITE_FAILED.
      expect(results.faults?.every((f) => f.fired || f.mayNotFire)).toBe(true);
      expect(results.errors.STATE_WRITE_FAILED).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('fleet simulator replay', () => {
  it('replays a scenario with the same seed: identical per-host event sequences', { timeout: 180_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attache-sim-replay-'));
    try {
      const runs: string[][][] = [];
      for (const name of ['first', 'second']) {
        const outDir = join(dir, name);
        const run = await simulate(['--scenario', join(REPO_ROOT, 'simulator', 'scenarios', 'qa-faults.json'), '--out', outDir]);
        expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
        runs.push(JSON.parse(await readFile(join(outDir, 'host-sequences.json'), 'utf8')) as string[][]);
      }
      const [first, second] = runs;
      expect(second).toEqual(first);
      // Not trivially equal: the faults show in the sequences (3 hosts fail a write, 2 repair drift).
      expect(first?.filter((s) => s.some((e) => e.includes('=error')))).toHaveLength(3);
      expect(first?.filter((s) => s.some((e) => e.includes('remediated')))).toHaveLength(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('fleet simulator smoke scenario', () => {
  it('runs 50 hosts with faults against a real endpoint and meets every expectation', { timeout: 120_000 }, async () => {
    out = await mkdtemp(join(tmpdir(), 'attache-sim-smoke-'));
    const run = await simulate(['--scenario', join(REPO_ROOT, 'simulator', 'scenarios', 'smoke.json'), '--out', out]);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as RunResults;
    const failed = results.expectations.filter((e) => !e.passed).map((e) => `${e.expectation}: ${e.detail}`);
    expect({ failed, problems: results.problems, code: run.code }, `${run.stdout}\n${run.stderr}`).toEqual({ failed: [], problems: [], code: 0 });
    expect(results.scenario.hosts).toBe(50);
    // The faults really happened: failed applies, an outage seen by the agents, a repaired drift.
    expect(results.errors.SETTING_APPLY_FAILED).toBeGreaterThan(0);
    expect(results.errors.ENDPOINT_UNREACHABLE).toBeGreaterThan(0);
    expect(results.events.remediated).toBeGreaterThan(0);
    expect(results.changes.every((c) => c.applied === c.targets)).toBe(true);
    expect(run.stdout).toContain('RESULT: PASS');
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|src="http/);
    const png = await readFile(join(out, 'latency.png'));
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
  });

  it('sees risk and compliance transitions when the agents run their signals engine', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attache-sim-risk-'));
    try {
      const run = await simulate(['--scenario', join(REPO_ROOT, 'simulator', 'scenarios', 'risk-compliance.json'), '--out', dir]);
      const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as RunResults;
      expect({ failed: results.expectations.filter((e) => !e.passed), code: run.code }, `${run.stdout}\n${run.stderr}`).toEqual({ failed: [], code: 0 });
      // Every host that still has the detection is high risk and noncompliant; the others are clear and compliant.
      expect(results.compliance?.riskLevels.high).toBe(results.compliance?.states.noncompliant);
      expect(results.alerts.acked).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 and names the expectation that failed', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attache-sim-fail-'));
    try {
      const scenario = await writeScenario(dir, 'fail', {
        name: 'must-fail',
        fleet: { hosts: [{ platform: 'linux', count: 3 }] },
        timeline: [],
        settleSeconds: 1,
        expectations: [{ type: 'allEnrolled' }, { type: 'eventsSeen', event: 'restored', min: 1 }],
      });
      const run = await simulate(['--scenario', scenario, '--out', join(dir, 'out')]);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stdout).toContain('PASS every host enrolled');
      expect(run.stdout).toContain('RESULT: FAIL (≥ 1 restored events)');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('counts the hosts each fault touched and checks per-host end state and per-policy status', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attache-sim-qa-'));
    try {
      const junit = join(dir, 'ci', 'simulator.xml');
      const run = await simulate(['--scenario', join(REPO_ROOT, 'simulator', 'scenarios', 'qa-faults.json'), '--out', dir, '--junit', junit]);
      const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as RunResults;
      const failed = results.expectations.filter((e) => !e.passed).map((e) => `${e.expectation}: ${e.detail}`);
      expect({ failed, problems: results.problems, code: run.code }, `${run.stdout}\n${run.stderr}`).toEqual({ failed: [], problems: [], code: 0 });
      // failWrites on exactly 3 hosts: those 3 are the hosts whose write failed, and the failing hosts of the run.
      const [failWrites, sameValue, drift] = results.faults;
      expect(failWrites).toMatchObject({ action: 'failWrites', targeted: 3, fired: true });
      expect(failWrites?.hosts).toHaveLength(3);
      expect(results.failingHosts.map((h) => h.host)).toEqual(failWrites?.hosts);
      expect(results.failingHosts.map((h) => h.deviceId)).toEqual(failWrites?.deviceIds);
      expect(results.failingHosts[0]?.lastError.code).toBe('SETTING_APPLY_FAILED');
      // A drift to the value already there touches nothing (allowed by mayNotFire); a real one touches its 2 hosts.
      expect(sameValue).toMatchObject({ action: 'drift', targeted: 2, fired: false, hosts: [] });
      expect(drift).toMatchObject({ action: 'drift', targeted: 2, fired: true });
      expect(results.settingStates?.['defender.CloudExtendedTimeout']).toEqual({ succeeded: 7, error: 3 });
      expect(results.policyStatus?.av?.counts).toMatchObject({ succeeded: 7, error: 3 });
      const html = await readFile(join(dir, 'report.html'), 'utf8');
      expect(html).toContain('Timeline: injected faults');
      expect(html).toContain('Failing hosts (3)');
      const xml = await readFile(junit, 'utf8');
      expect(xml).toMatch(/<testsuite name="simulator.qa-faults" tests="11" failures="0" errors="0" skipped="1"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails the run when a fault never fired, naming the step', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attache-sim-nofire-'));
    try {
      const scenario = await writeScenario(dir, 'nofire', {
        name: 'never-fires',
        fleet: { hosts: [{ platform: 'linux', count: 3 }] },
        // No policy manages this setting: the agent never writes it, so the injected failure can never happen.
        timeline: [
          { action: 'failWrites', counts: { 'mdatp.antivirusEngine.scanArchives': 2 } },
          { action: 'wait', seconds: 1 },
        ],
        settleSeconds: 1,
        expectations: [{ type: 'allEnrolled' }],
      });
      const run = await simulate(['--scenario', scenario, '--out', join(dir, 'out')]);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stdout).toContain('PASS every host enrolled');
      expect(run.stdout).toContain('timeline[0] (failWrites): the fault never fired (aimed at 2 hosts, it changed nothing on them)');
      const xml = await readFile(join(dir, 'out', 'junit.xml'), 'utf8');
      expect(xml).toContain('failures="1"');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits 64 without --scenario and 65 for a scenario with a misspelt setting id (common/exit-codes.ts)', { timeout: 60_000 }, async () => {
    const missing = await simulate([]);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain("required option '--scenario <file>' not specified");
    const dir = await mkdtemp(join(tmpdir(), 'attache-sim-bad-'));
    try {
      const scenario = await writeScenario(dir, 'typo', {
        name: 'typo',
        fleet: { hosts: [{ platform: 'windows', count: 2 }] },
        timeline: [{ action: 'drift', share: 0.5, setting: 'defender.AllowRealtimeMonitorng', value: 0 }],
        expectations: [],
      });
      const typo = await simulate(['--scenario', scenario, '--out', join(dir, 'out')]);
      expect(typo.code).toBe(65);
      expect(typo.stderr).toContain('timeline[0] (drift): unknown setting id "defender.AllowRealtimeMonitorng" (not in the settings catalog)');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
