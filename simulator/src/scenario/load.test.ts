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
});
