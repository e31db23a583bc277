// The groupPolicyOverride fault against a real endpoint: scenarios/gpo-override.json (50 Windows hosts) makes a GPO
// override PUA protection on 10 % (conflict, then cleared: every host converges) and real-time monitoring on another
// 10 % (kept: the policy is in conflict and the compliance policy requiring real-time protection says `conflict`);
// a variant removes that GPO too and the compliance state returns to compliant.
// No timing is asserted (that is bench/'s job).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SimulatorScenario } from '../policy-schemas/src/index.js';
import { REPO_ROOT } from './src/endpoint/endpoint-process.js';
import type { RunResults } from './src/run/results.js';
import { simulate } from './testing/simulate-command.js';

/** Hosts (by index) whose sequence holds an entry matching `pattern`. */
function hostsWith(sequences: readonly string[][], pattern: RegExp): number[] {
  return sequences.flatMap((s, host) => (s.some((e) => pattern.test(e)) ? [host] : []));
}

describe('fleet simulator Group Policy override', () => {
  it('reports the overridden hosts in conflict (settings, policy and compliance) and converges once the GPO is removed', {
    timeout: 120_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attache-sim-gpo-'));
    try {
      const run = await simulate(['--scenario', join(REPO_ROOT, 'simulator', 'scenarios', 'gpo-override.json'), '--out', dir]);
      const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as RunResults;
      const failed = results.expectations.filter((e) => !e.passed).map((e) => `${e.expectation}: ${e.detail}`);
      expect({ failed, problems: results.problems, code: run.code }, `${run.stdout}\n${run.stderr}`).toEqual({ failed: [], problems: [], code: 0 });
      const [pua, rtp, cleared] = results.faults;
      expect(pua).toMatchObject({ action: 'groupPolicyOverride', targeted: 5, fired: true });
      expect(rtp).toMatchObject({ action: 'groupPolicyOverride', targeted: 5, fired: true });
      // Clearing is aimed at every host but touches only those that had the PUA GPO.
      expect(cleared).toMatchObject({ action: 'groupPolicyOverride', targeted: 50, hosts: pua?.hosts });
      expect(pua?.hosts).toHaveLength(5);
      // The PUA hosts reported the policy in conflict, then succeeded again once the GPO was gone; nobody else did.
      const sequences = JSON.parse(await readFile(join(dir, 'host-sequences.json'), 'utf8')) as string[][];
      expect(hostsWith(sequences, /pua@v1=conflict/)).toEqual(pua?.hosts);
      for (const host of pua?.hosts ?? []) expect(sequences[host]?.at(-1)).toMatch(/pua@v1=succeeded/);
      // The real-time monitoring GPO stays: exactly its hosts end in conflict, and none of them is an error.
      expect(sequences.flatMap((s, host) => (/rtp@v1=conflict/.test(s.at(-1) ?? '') ? [host] : []))).toEqual(rtp?.hosts);
      expect(results.settingStates?.['defender.AllowRealtimeMonitoring']).toEqual({ succeeded: 45, conflict: 5 });
      expect(results.compliance?.states).toEqual({ compliant: 45, conflict: 5 });
      expect(results.errors).toEqual({});
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('brings the compliance conflict back to compliant once the real-time monitoring GPO is removed too', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attache-sim-gpo-clear-'));
    try {
      // The same scenario (same seed, same hosts), with the second GPO removed at the end as well.
      const shipped = JSON.parse(await readFile(join(REPO_ROOT, 'simulator', 'scenarios', 'gpo-override.json'), 'utf8')) as SimulatorScenario;
      const scenario = join(dir, 'gpo-cleared.json');
      await writeFile(
        scenario,
        JSON.stringify({
          ...shipped,
          $schema: undefined,
          name: 'gpo-cleared',
          timeline: [
            ...shipped.timeline,
            { action: 'groupPolicyOverride', share: 1, setting: 'defender.AllowRealtimeMonitoring', value: null },
            { action: 'wait', seconds: 4 },
          ],
          expectations: [
            { type: 'converged' },
            { type: 'hostsWithSettingState', setting: 'defender.AllowRealtimeMonitoring', state: 'succeeded', count: 50 },
            { type: 'policyStatus', policy: 'rtp', state: 'succeeded', count: 50 },
            { type: 'complianceState', state: 'compliant', minShare: 1 },
            { type: 'onlyErrorCodes', codes: [] },
          ],
        }),
      );
      const run = await simulate(['--scenario', scenario, '--out', join(dir, 'out')]);
      const results = JSON.parse(await readFile(join(dir, 'out', 'results.json'), 'utf8')) as RunResults;
      const failed = results.expectations.filter((e) => !e.passed).map((e) => `${e.expectation}: ${e.detail}`);
      expect({ failed, problems: results.problems, code: run.code }, `${run.stdout}\n${run.stderr}`).toEqual({ failed: [], problems: [], code: 0 });
      const [, rtp, , cleared] = results.faults;
      expect(cleared?.hosts).toEqual(rtp?.hosts);
      // Those hosts went through conflict before ending succeeded.
      const sequences = JSON.parse(await readFile(join(dir, 'out', 'host-sequences.json'), 'utf8')) as string[][];
      expect(hostsWith(sequences, /rtp@v1=conflict/)).toEqual(rtp?.hosts);
      for (const host of rtp?.hosts ?? []) expect(sequences[host]?.at(-1)).toMatch(/rtp@v1=succeeded/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
