// CI smoke of the fleet simulator: the `simulate` command runs scenarios/smoke.json (50 hosts, apply failures, a
// partition, an endpoint restart, drift) and scenarios/risk-compliance.json (signals engine on, threats injected)
// against a real endpoint it starts, and every expectation must hold. No timing is asserted (that is bench/'s job).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './src/endpoint/endpoint-process.js';
import type { RunResults } from './src/run/results.js';

let out: string | undefined;
afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

function simulate(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'simulator', 'src', 'main.ts'), ...args], { cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

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
      const scenario = join(dir, 'fail.json');
      const { writeFile } = await import('node:fs/promises');
      await writeFile(
        scenario,
        JSON.stringify({
          name: 'must-fail',
          fleet: { hosts: [{ platform: 'linux', count: 3 }] },
          timeline: [],
          settleSeconds: 1,
          expectations: [{ type: 'allEnrolled' }, { type: 'eventsSeen', event: 'restored', min: 1 }],
        }),
      );
      const run = await simulate(['--scenario', scenario, '--out', join(dir, 'out')]);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stdout).toContain('PASS every host enrolled');
      expect(run.stdout).toContain('RESULT: FAIL (≥ 1 restored events)');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
