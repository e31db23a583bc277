// Response actions end to end at 100 hosts (issue 17): the real endpoint's action routes, the real agent executor on
// simulated hosts (simulated-responder.ts), push delivery and updates back. A small actions-1k.json: isolate, scans
// with injected failures and cancels while they run, packages collected and uploaded in chunks, and an isolate that
// hangs on every macOS host (never waited for). Every count is exact; no timing is asserted (that is bench/'s job).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SimulatorScenario } from '../policy-schemas/src/index.js';
import { simulateScenario } from './testing/simulate-command.js';

const scenario: SimulatorScenario = {
  name: 'actions-100',
  seed: 17,
  fleet: {
    hosts: [
      { platform: 'windows', count: 60 },
      { platform: 'macos', count: 25 },
      { platform: 'linux', count: 15 },
    ],
    readyTimeoutSeconds: 120,
    scanSeconds: { quick: 8 },
  },
  timeline: [
    { at: 0, action: 'failActions', type: 'runAntivirusScan', platform: 'linux', share: 1, code: 'SCAN_FAILED' },
    { action: 'failActions', type: 'isolate', platform: 'macos', share: 1, hang: true },
    { at: 1, action: 'runAction', type: 'isolate', platform: 'windows', count: 8, comment: 'isolate' },
    { action: 'runAction', type: 'isolate', platform: 'macos', count: 2, comment: 'isolate (hangs)' },
    { action: 'runAction', type: 'runAntivirusScan', platform: 'windows', count: 15, parameters: { scanType: 'quick' }, comment: 'scan' },
    { action: 'runAction', type: 'runAntivirusScan', platform: 'linux', count: 5, comment: 'scan (fails)' },
    { action: 'runAction', type: 'collectInvestigationPackage', platform: 'linux', count: 2, comment: 'collect' },
    { at: 4, action: 'cancelActions', type: 'runAntivirusScan', platform: 'windows', count: 3, comment: 'cancel running scans' },
  ],
  settleSeconds: 60,
  expectations: [
    { type: 'allEnrolled' },
    { type: 'noReportLost' },
    { type: 'actionStates', action: 'isolate', counts: { succeeded: 8, inProgress: 2 } },
    { type: 'actionStates', action: 'runAntivirusScan', counts: { succeeded: 12, cancelled: 3, failed: 5 } },
    { type: 'actionStates', action: 'collectInvestigationPackage', counts: { succeeded: 2 } },
  ],
};

describe('fleet simulator response actions', () => {
  it('isolates, scans (failures injected, some cancelled while running), collects packages, and leaves hung actions in progress', {
    timeout: 240_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'attache-sim-actions-'));
    try {
      const file = join(dir, 'actions-100.json');
      await writeFile(file, JSON.stringify(scenario));
      const { run, results, failed } = await simulateScenario(file, join(dir, 'out'));
      expect({ failed, problems: results.problems, code: run.code }, `${run.stdout}\n${run.stderr}`).toEqual({ failed: [], problems: [], code: 0 });
      // The scan fault fired on the 5 Linux hosts whose scan ran, the isolate hang on the 2 macOS hosts isolated.
      const [scanFault, hangFault] = results.faults;
      expect(scanFault).toMatchObject({ action: 'failActions', targeted: 15, fired: true });
      expect(scanFault?.hosts).toHaveLength(5);
      expect(hangFault?.hosts).toHaveLength(2);
      const actions = results.actions;
      expect(actions?.created).toBe(32);
      expect(actions?.refused).toEqual({});
      expect(actions?.cancels).toEqual({ requested: 3, accepted: 3, refused: {} });
      // Every action was delivered (the hung ones too); each finished one has a create → terminal time.
      expect(actions?.all.delivered.count).toBe(32);
      expect(actions?.all.done.count).toBe(30);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
