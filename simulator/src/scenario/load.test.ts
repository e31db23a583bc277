import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../endpoint/endpoint-process.js';
import { loadScenario } from './load.js';

const SCENARIOS = join(REPO_ROOT, 'simulator', 'scenarios');

let dir = '';
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-scenario-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function scenarioFile(body: unknown): Promise<string> {
  const file = join(dir, `s${n++}.json`);
  await writeFile(file, JSON.stringify(body));
  return file;
}

const base = {
  name: 't',
  fleet: { hosts: [{ platform: 'linux', count: 2 }] },
  timeline: [] as unknown[],
  expectations: [],
};

describe('scenario loading', () => {
  it('accepts every shipped scenario and loads its policy files', async () => {
    const files = (await readdir(SCENARIOS)).filter((f) => f.endsWith('.json'));
    expect(files).toContain('smoke.json');
    for (const file of files) {
      const scenario = await loadScenario(join(SCENARIOS, file));
      expect(scenario.fleet.hosts.length).toBeGreaterThan(0);
      for (const step of [...scenario.setup, ...scenario.timeline]) {
        if ('file' in step && step.file) expect(scenario.documents.get(step.file)?.kind).toBeDefined();
      }
    }
  });

  it('resolves importAdvisories files at load time and refuses a missing one', async () => {
    const advisories = join(dir, 'osv-openssl.json');
    await writeFile(advisories, '[]');
    const s = await loadScenario(await scenarioFile({ ...base, setup: [{ action: 'importAdvisories', advisoryFile: 'osv-openssl.json' }] }));
    expect(s.advisoryFiles.get('osv-openssl.json')).toBe(advisories);
    await expect(loadScenario(await scenarioFile({ ...base, timeline: [{ action: 'importAdvisories', advisoryFile: 'nope.zip' }] }))).rejects.toThrow(
      /timeline\[0\]: advisory file nope\.zip not found/,
    );
  });

  it('checks security task steps: a task is created once, on the timeline, before it is waited for or expected; exposure labels exist', async () => {
    const create = { action: 'createSecurityTask', task: 'ssl', software: 'openssl', remediate: true };
    const wait = { action: 'waitSecurityTask', task: 'ssl', status: 'completed', timeoutSeconds: 60 };
    const record = { action: 'recordExposure', label: 'before', timeoutSeconds: 30 };
    const ok = await loadScenario(
      await scenarioFile({
        ...base,
        timeline: [record, create, wait],
        expectations: [
          { type: 'securityTask', task: 'ssl', status: 'completed', completion: 'automatic', minFixedShare: 1 },
          { type: 'exposureLevel', at: 'before', level: 'high', minShare: 0.5 },
        ],
      }),
    );
    expect(ok.timeline.map((s) => s.action)).toEqual(['recordExposure', 'createSecurityTask', 'waitSecurityTask']);
    await expect(loadScenario(await scenarioFile({ ...base, timeline: [wait] }))).rejects.toThrow(
      /timeline\[0\]: security task "ssl" is not created before this step/,
    );
    await expect(loadScenario(await scenarioFile({ ...base, timeline: [create, create] }))).rejects.toThrow(/security task "ssl" is created twice/);
    await expect(loadScenario(await scenarioFile({ ...base, setup: [create] }))).rejects.toThrow(/setup\[0\]: createSecurityTask needs exposed devices/);
    await expect(loadScenario(await scenarioFile({ ...base, expectations: [{ type: 'securityTask', task: 'ssl', status: 'completed' }] }))).rejects.toThrow(
      /expectations\[0\] \(securityTask\): security task "ssl" is not created by a createSecurityTask step/,
    );
    await expect(
      loadScenario(await scenarioFile({ ...base, timeline: [record], expectations: [{ type: 'exposureLevel', at: 'after', level: 'none', minShare: 1 }] })),
    ).rejects.toThrow(/expectations\[0\] \(exposureLevel\): "at": no recordExposure step is labelled "after"/);
  });

  it('fills in defaults', async () => {
    const s = await loadScenario(await scenarioFile(base));
    expect(s).toMatchObject({
      seed: 1,
      settleSeconds: 60,
      idleSeconds: 0,
      fleet: { enrollConcurrency: 64, checkinIntervalSeconds: 5400, connections: 'afterSync' },
    });
  });

  it('rejects schema errors, unknown names and missing files, naming the problem', async () => {
    await expect(loadScenario(await scenarioFile({ ...base, fleet: { hosts: [{ platform: 'beos', count: 1 }] } }))).rejects.toMatchObject({
      code: 'SCHEMA_INVALID',
    });
    await expect(loadScenario(await scenarioFile({ ...base, timeline: [{ action: 'updatePolicy', policy: 'x', settings: {} }] }))).rejects.toThrow(
      /policy "x" is not created before this step/,
    );
    await expect(
      loadScenario(
        await scenarioFile({ ...base, timeline: [{ action: 'createPolicy', policy: 'x', file: 'examples/policies/linux-firewall.json', assign: ['nope'] }] }),
      ),
    ).rejects.toThrow(/unknown group "nope"/);
    await expect(loadScenario(await scenarioFile({ ...base, timeline: [{ action: 'createPolicy', policy: 'x', file: 'no/such.json' }] }))).rejects.toThrow(
      /policy file no\/such.json not found/,
    );
    await expect(loadScenario(await scenarioFile({ ...base, fleet: { hosts: [{ platform: 'linux', count: 0 }] } }))).rejects.toThrow(/no hosts/);
    await expect(loadScenario(await scenarioFile({ ...base, timeline: [{ action: 'explode' }] }))).rejects.toMatchObject({ code: 'SCHEMA_INVALID' });
    await expect(loadScenario(await scenarioFile({ ...base, timeline: [{ action: 'injectThreat', share: 0.5 }] }))).rejects.toThrow(
      /needs "fleet": \{ "signals": true \}/,
    );
  });

  it('refuses a misspelt setting id, naming it (it would touch nothing and pass)', async () => {
    const refused = async (step: unknown) => loadScenario(await scenarioFile({ ...base, timeline: [{ action: 'wait', seconds: 1 }, step] }));
    await expect(refused({ action: 'failWrites', rates: { 'defender.CloudExtendedTimeot': 0.3 } })).rejects.toThrow(
      /timeline\[1\] \(failWrites\): unknown setting id "defender\.CloudExtendedTimeot" \(not in the settings catalog\)/,
    );
    await expect(refused({ action: 'drift', share: 0.1, setting: 'defender.AllowRealtimeMonitorin', value: 0 })).rejects.toThrow(
      /unknown setting id "defender\.AllowRealtimeMonitorin"/,
    );
    await expect(refused({ action: 'drift', count: 1, platform: 'linux', setting: 'defender.CloudExtendedTimeout', value: 0 })).rejects.toThrow(
      /setting "defender\.CloudExtendedTimeout" does not exist on linux/,
    );
    // groupPolicyOverride: a setting of another platform than the step's, or than any of the fleet's, is refused.
    await expect(refused({ action: 'groupPolicyOverride', count: 1, platform: 'linux', setting: 'defender.PUAProtection', value: 0 })).rejects.toThrow(
      /timeline\[1\] \(groupPolicyOverride\): "setting": setting "defender\.PUAProtection" does not exist on linux/,
    );
    await expect(refused({ action: 'groupPolicyOverride', share: 0.1, setting: 'defender.PUAProtection', value: null })).rejects.toThrow(
      /timeline\[1\] \(groupPolicyOverride\): "setting": "defender\.PUAProtection" exists on none of the fleet's platforms \(linux; it is on windows\)/,
    );
    await expect(
      loadScenario(
        await scenarioFile({
          ...base,
          expectations: [{ type: 'hostsWithSettingState', setting: 'no.such.setting', state: 'error', count: 1 }],
        }),
      ),
    ).rejects.toThrow(/expectations\[0\] \(hostsWithSettingState\): unknown setting id "no\.such\.setting"/);
    const ok = await loadScenario(await scenarioFile({ ...base, timeline: [{ action: 'failWrites', counts: { 'defender.CloudExtendedTimeout': 2 } }] }));
    expect(ok.timeline).toHaveLength(1);
  });

  it('names a misspelt action or expectation type in one line, and a wrong field of a known action without the other branches', async () => {
    const err = await loadScenario(
      await scenarioFile({
        ...base,
        timeline: [
          { action: 'wait', seconds: 1 },
          { action: 'failWrite', rates: {} },
        ],
      }),
    ).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'SCHEMA_INVALID' });
    expect((err as Error).message).toMatch(
      /: timeline\[1\]\.action: unknown action "failWrite" \(expected one of: createPolicy, .*failWrites, .*waitConverged, waitSecurityTask, recordExposure\)$/,
    );
    expect((err as Error).message.split('\n')).toHaveLength(1);
    await expect(loadScenario(await scenarioFile({ ...base, expectations: [{ type: 'convergd' }] }))).rejects.toThrow(
      /expectations\[0\]\.type: unknown expectation type "convergd" \(expected one of: pushToApplied, /,
    );
    const branch = (await loadScenario(await scenarioFile({ ...base, timeline: [{ action: 'partition', share: 0.5, durationSecs: 3 }] })).catch(
      (e: unknown) => e,
    )) as { details: { path: string; message: string }[] };
    // The missing durationSeconds and the unknown property, and nothing from the 19 other actions.
    expect(branch.details.map((d) => `${d.path} ${d.message}`).sort()).toEqual([
      '/timeline/0 missing required property "durationSeconds"',
      '/timeline/0 unknown property "durationSecs"',
    ]);
  });

  it('wants "share" or "count" (not both) on targeted steps and on end-state expectations', async () => {
    await expect(loadScenario(await scenarioFile({ ...base, timeline: [{ action: 'partition', share: 0.5, count: 2, durationSeconds: 1 }] }))).rejects.toThrow(
      /timeline\[0\] \(partition\): give "share" or "count", not both/,
    );
    await expect(loadScenario(await scenarioFile({ ...base, timeline: [{ action: 'crashHosts', downSeconds: 1 }] }))).rejects.toThrow(
      /needs "share" \(0–1\) or "count" \(hosts\)/,
    );
    await expect(
      loadScenario(await scenarioFile({ ...base, expectations: [{ type: 'policyStatus', policy: 'av', state: 'succeeded', minShare: 1 }] })),
    ).rejects.toThrow(/policy "av" is not created by the scenario/);
    await expect(
      loadScenario(
        await scenarioFile({ ...base, expectations: [{ type: 'hostsWithSettingState', setting: 'defender.CloudExtendedTimeout', state: 'error' }] }),
      ),
    ).rejects.toThrow(/needs "minShare", "maxShare" or "count"/);
  });

  it('checks action steps: the request body of runAction, a known error code for failActions, a share or a count', async () => {
    const step = (s: unknown) => scenarioFile({ ...base, timeline: [s] });
    await expect(loadScenario(await step({ action: 'runAction', type: 'stopAndQuarantineFile', count: 1, comment: 'c' }))).rejects.toThrow(
      /timeline\[0\] \(runAction\): "parameters": .*sha256/,
    );
    await expect(
      loadScenario(await step({ action: 'runAction', type: 'runAntivirusScan', count: 1, comment: 'c', parameters: { sha256: 'a'.repeat(64) } })),
    ).rejects.toThrow(/timeline\[0\] \(runAction\): "parameters": .*sha256/);
    await expect(loadScenario(await step({ action: 'failActions', type: 'isolate', count: 1, code: 'NOT_A_CODE' }))).rejects.toThrow(
      /timeline\[0\] \(failActions\): "code": "NOT_A_CODE" is not an error code/,
    );
    await expect(loadScenario(await step({ action: 'cancelActions', type: 'runAntivirusScan' }))).rejects.toThrow(/needs "share" \(0–1\) or "count"/);
    const ok = await loadScenario(
      await scenarioFile({
        ...base,
        timeline: [
          { action: 'failActions', type: 'isolate', share: 0.5, code: 'ISOLATION_ENDPOINT_UNRESOLVED' },
          { action: 'runAction', type: 'runAntivirusScan', count: 1, comment: 'c', parameters: { scanType: 'full' } },
          { action: 'cancelActions', type: 'runAntivirusScan', count: 1 },
        ],
        expectations: [
          { type: 'actionStates', action: 'runAntivirusScan', counts: { cancelled: 1 } },
          { type: 'actionsDone', percentile: 99, maxMs: 1000 },
        ],
      }),
    );
    expect(ok.timeline).toHaveLength(3);
  });
});
