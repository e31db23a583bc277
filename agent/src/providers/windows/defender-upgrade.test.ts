// Upgrade from the previous agent version (review 16b F3): it wrote local preferences (Set-/Add-MpPreference) and a
// few Policies-key values (WDSC, DisableOnAccessProtection) and kept baseline.json without a write scheme. The first
// sync after the upgrade removes exactly what it wrote from there — once — and writes the settings at policy level,
// so removing the policy later leaves nothing of ours in force. Items and values it did not write stay.
import { describe, expect, it } from 'vitest';
import type { SettingValue } from '../../../../policy-schemas/src/index.js';
import type { EffectiveSetting } from '../../core/effective.js';
import { silentLogger } from '../../logging.js';
import type { AgentHost } from '../../platform/index.js';
import { StateStore } from '../../state/state-store.js';
import { enforce } from '../../sync/enforce.js';
import { MemoryFileStore } from '../../system/file-store.js';
import { createWindowsDefenderProviders } from './defender-provider.js';
import { CENTER, DEFENDER } from './testing/defender-apply.js';
import { DefenderEmulator } from './testing/defender-emulator.js';

const AT = '2026-12-05T10:00:00.000Z';
const EMAIL = 'be9ba2d9-53ea-4cdc-84e5-9b1eeee46550';
const VIRUS_UI = `${CENTER}\\Virus and threat protection`;
const ASR = `${DEFENDER}\\Windows Defender Exploit Guard\\ASR`;
const P1 = '11111111-1111-4111-8111-111111111111';

/** The previous agent's end state: its baseline.json (no `scheme`) and what it wrote on the device. */
async function oldAgentDevice() {
  const host = new DefenderEmulator();
  host.local.ExclusionPath = ['C:\\Admin', 'C:\\Old'];
  host.local.PUAProtection = 1;
  host.local.AttackSurfaceReductionRules_Ids = [EMAIL];
  host.local.AttackSurfaceReductionRules_Actions = [1];
  host.registry.set(VIRUS_UI, { name: 'UILockdown', type: 'DWord', value: 1 });
  const store = new StateStore('/state', { posixPermissions: false, files: new MemoryFileStore() });
  await store.writeBaseline({
    'defender.ExcludedPaths': { kind: 'antivirusExclusions', original: ['C:\\Admin'], applied: ['C:\\Admin', 'C:\\Old'], recordedAt: AT },
    'defender.PUAProtection': { kind: 'antivirus', original: 0, applied: 1, recordedAt: AT },
    [`asr.${EMAIL}`]: { kind: 'asr', applied: 'block', recordedAt: AT },
    'securityCenter.DisableVirusUI': { kind: 'securityExperience', applied: 1, recordedAt: AT },
  });
  const agentHost = { platform: 'windows', providers: createWindowsDefenderProviders({ runner: host.runner }) } as unknown as AgentHost;
  return { host, store, deps: { store, host: agentHost, logger: silentLogger() } };
}

const managed = (policy: Record<string, [EffectiveSetting['kind'], SettingValue]>): EffectiveSetting[] =>
  Object.entries(policy).map(([settingId, [kind, value]]) => ({ settingId, kind, policyIds: [P1], outcome: 'enforce', value }));

const POLICY = managed({
  'defender.ExcludedPaths': ['antivirusExclusions', ['C:\\Admin', 'C:\\Old']],
  'defender.PUAProtection': ['antivirus', 1],
  [`asr.${EMAIL}`]: ['asr', 'block'],
  'securityCenter.DisableVirusUI': ['securityExperience', 1],
});

describe('first sync after upgrading from the local-preference agent', () => {
  it('moves what the old agent wrote to policy level and leaves what it did not write', async () => {
    const { host, store, deps } = await oldAgentDevice();
    const { evidence } = await enforce(POLICY, deps, { at: AT, restore: true });
    expect(evidence.failed.size).toBe(0);
    // Old local items and values gone; the admin's own exclusion (there before the old agent) stays.
    expect(host.local.ExclusionPath).toEqual(['C:\\Admin']);
    expect(host.local.PUAProtection).toBe(0);
    expect(host.local.AttackSurfaceReductionRules_Ids ?? null).toBeNull();
    expect(host.read(VIRUS_UI, 'UILockdown')).toBeUndefined();
    // Written at policy level although the effective values already matched.
    expect(host.bridge.Defender).toMatchObject({ ExcludedPaths: 'C:\\Admin|C:\\Old', PUAProtection: 1, AttackSurfaceReductionRules: `${EMAIL}=1` });
    expect(host.bridge.WindowsDefenderSecurityCenter).toMatchObject({ DisableVirusUI: 1 });
    const baseline = await store.readBaseline();
    expect(Object.values(baseline).map((e) => e.scheme)).toEqual([2, 2, 2, 2]);
  });

  it('runs once: an item put back locally afterwards is not removed again', async () => {
    const { host, deps } = await oldAgentDevice();
    await enforce(POLICY, deps, { at: AT, restore: true });
    host.local.ExclusionPath = ['C:\\Admin', 'C:\\Old'];
    await enforce(POLICY, deps, { at: AT, restore: true });
    expect(host.local.ExclusionPath).toEqual(['C:\\Admin', 'C:\\Old']);
  });

  it('then removing the policy leaves nothing the agent wrote in force', async () => {
    const { host, deps } = await oldAgentDevice();
    await enforce(POLICY, deps, { at: AT, restore: true });
    await enforce([], deps, { at: AT, restore: true });
    expect(host.preference().ExclusionPath).toEqual(['C:\\Admin']);
    expect(host.preference().PUAProtection).toBe(0);
    expect(host.preference().AttackSurfaceReductionRules_Ids ?? null).toBeNull();
    expect(host.read(VIRUS_UI, 'UILockdown')).toBeUndefined();
    const ours = Object.entries(host.bridge.Defender ?? {}).filter(([k, v]) => k !== 'InstanceID' && k !== 'ParentID' && v !== null);
    expect(ours).toEqual([]);
  });

  it('deletes the per-rule ASR exclusions it wrote under an undocumented key (no longer written), and their flag', async () => {
    const { host, store, deps } = await oldAgentDevice();
    const perRule = `${ASR}\\ASROnlyPerRuleExclusions`;
    host.registry.set(perRule, { name: EMAIL, type: 'String', value: 'C:\\CI>C:\\Build' });
    host.registry.set(ASR, { name: 'ExploitGuard_ASR_ASROnlyPerRuleExclusions', type: 'DWord', value: 1 });
    const entries = await store.readBaseline();
    await store.writeBaseline({ ...entries, [`asrExclusions.${EMAIL}`]: { kind: 'asr', original: [], applied: ['C:\\CI', 'C:\\Build'], recordedAt: AT } });
    await enforce([], deps, { at: AT, restore: true });
    expect(host.subkey(perRule)).toEqual([]);
    expect(host.read(ASR, 'ExploitGuard_ASR_ASROnlyPerRuleExclusions')).toBeUndefined();
  });

  it('keeps a Policies value a GPO owns, and retries a clean-up that failed', async () => {
    const { host, store, deps } = await oldAgentDevice();
    host.setGpo('Contoso UI', VIRUS_UI, 'UILockdown', 'DWord', 1);
    host.failSteps.set('remove:ExclusionPath', 'access denied');
    await enforce(POLICY, deps, { at: AT, restore: true });
    expect(host.read(VIRUS_UI, 'UILockdown')?.value).toBe(1);
    expect((await store.readBaseline())['defender.ExcludedPaths']?.scheme).toBeUndefined();
    host.failSteps.clear();
    await enforce(POLICY, deps, { at: AT, restore: true });
    expect(host.local.ExclusionPath).toEqual(['C:\\Admin']);
    expect((await store.readBaseline())['defender.ExcludedPaths']?.scheme).toBe(2);
  });
});
