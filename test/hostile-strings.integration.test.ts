// `attache-agent status` (the shipped bundle) on a state dir whose status.json carries a hostile policy name, setting
// id and messages (issue 12, terminal injection): the text output shows them escaped, --json keeps them exact.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasUnsafeCharacters } from '../common/terminal-text.js';
import { agentCommand, removeDir, tempDir } from './harness.js';

const ATTACK = 'evil\x1b[2J\x1b[H\nFAKE-POLICY-ROW  1  succeeded\u202Eexe.gpj';
const ESCAPED = 'evil\\x1b[2J\\x1b[H\\nFAKE-POLICY-ROW  1  succeeded\\u202eexe.gpj';

let dir: string;
let args: string[];

beforeAll(async () => {
  dir = await tempDir('attache-hostile-');
  const stateDir = join(dir, 'agent-state');
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const at = '2026-01-01T00:00:00.000Z';
  const outcome = {
    formatVersion: 1,
    startedAt: at,
    finishedAt: at,
    trigger: 'manual',
    source: 'endpoint',
    error: { code: 'ENDPOINT_ERROR', message: `endpoint said ${ATTACK}` },
    policies: [{ policyId: '00000000-0000-4000-8000-000000000001', version: 1, name: ATTACK, kind: 'antivirus', state: 'error' }],
    settings: [
      {
        settingId: 'defender.AllowRealtimeMonitoring',
        kind: 'antivirus',
        state: 'error',
        policyIds: ['00000000-0000-4000-8000-000000000001'],
        desired: ATTACK,
        code: 'SETTING_APPLY_FAILED',
        message: ATTACK,
      },
    ],
  };
  await writeFile(join(stateDir, 'status.json'), JSON.stringify(outcome), { mode: 0o600 });
  await writeFile(join(dir, 'agent.json'), JSON.stringify({ logLevel: 'error' }));
  args = ['--config', join(dir, 'agent.json'), '--state-dir', stateDir, '--simulated', 'windows'];
});

afterAll(async () => {
  await removeDir(dir);
});

describe('attache-agent status with hostile stored strings', () => {
  it('prints them escaped, with no forged row', async () => {
    const res = await agentCommand([...args, 'status']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(ESCAPED);
    expect(hasUnsafeCharacters(res.stdout.replaceAll('\n', ''))).toBe(false);
    expect(res.stdout.split('\n').some((line) => line.startsWith('FAKE-POLICY-ROW'))).toBe(false);
  });

  it('keeps --json exact', async () => {
    const res = await agentCommand([...args, 'status', '--json']);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout).lastSync.policies[0].name).toBe(ATTACK);
  });
});
