// No tattooing at policy level (review 16b F1): when no policy manages a Defender setting any more, the agent clears
// what it wrote — the MDM store property, its Policies-key value, its ASR pair — instead of writing the effective value
// recorded before management as a new policy; a local-preference setting gets its recorded value back.
import { describe, expect, it } from 'vitest';
import type { PolicyKind, SettingValue } from '../../../../policy-schemas/src/index.js';
import { planRestores, recordBaseline } from '../../core/baseline.js';
import { applyRestores, restoresFor } from '../../sync/restore.js';
import { WindowsDefenderProvider } from './defender-provider.js';
import { DEFENDER } from './testing/defender-apply.js';
import { DefenderEmulator } from './testing/defender-emulator.js';

const EMAIL = 'be9ba2d9-53ea-4cdc-84e5-9b1eeee46550';

/** Records the baseline, applies the policy, then restores every setting (the policy was unassigned). */
async function applyThenRestore(host: DefenderEmulator, kind: PolicyKind, policy: Record<string, SettingValue>) {
  const provider = new WindowsDefenderProvider(kind, { runner: host.runner });
  const ids = Object.keys(policy);
  const before = await provider.observe(ids);
  const baseline = recordBaseline(
    {},
    ids.map((settingId) => ({ settingId, kind })),
    before,
    '2026-12-05T10:00:00.000Z',
  );
  const results = await provider.apply(ids.map((settingId) => ({ settingId, kind, from: before.get(settingId), to: policy[settingId] })));
  expect(results.every((r) => r.ok)).toBe(true);
  const planned = planRestores([], baseline);
  const result = await applyRestores(planned, [provider]);
  return { provider, before, planned, result };
}

describe('restoring a policy-level Defender setting clears the agent’s policy value', () => {
  it('leaves no property of ours in the MDM store although the baseline recorded the effective defaults', async () => {
    const host = new DefenderEmulator();
    const { before, planned, provider, result } = await applyThenRestore(host, 'antivirus', {
      'defender.EnableNetworkProtection': 1,
      'defender.PUAProtection': 1,
      'defender.CloudBlockLevel': 2,
    });
    // The baseline holds the effective defaults (what made the old restore write them as policy).
    expect(before.get('defender.PUAProtection')).toBe(0);
    expect(planned.find((r) => r.settingId === 'defender.PUAProtection')?.to).toBe(0);
    expect(restoresFor(planned, [provider]).map((r) => r.to)).toEqual([undefined, undefined, undefined]);
    expect(result.failed.size).toBe(0);
    const ours = Object.entries(host.bridge.Defender ?? {}).filter(([k, v]) => k !== 'InstanceID' && k !== 'ParentID' && v !== null);
    expect(ours).toEqual([]);
    // Defender's effective value is its default again, from no store at all.
    expect(result.restored.find((r) => r.settingId === 'defender.PUAProtection')?.after).toBe(0);
  });

  it('deletes the Policies-key values and ASR pairs it wrote', async () => {
    const host = new DefenderEmulator();
    await applyThenRestore(host, 'antivirus', { 'defenderConfig.DisableLocalAdminMerge': 1 });
    expect(host.read(DEFENDER, 'DisableLocalAdminMerge')).toBeUndefined();
    await applyThenRestore(host, 'asr', { [`asr.${EMAIL}`]: 'block' });
    expect(host.bridge.Defender?.AttackSurfaceReductionRules ?? null).toBeNull();
  });

  it('writes the recorded value back for a local-preference setting (no policy store involved)', async () => {
    const host = new DefenderEmulator();
    host.local.DisableCpuThrottleOnIdleScans = false;
    const { planned, provider } = await applyThenRestore(host, 'antivirus', { 'defenderConfig.DisableCpuThrottleOnIdleScans': 1 });
    expect(restoresFor(planned, [provider])).toEqual(planned);
    expect(host.local.DisableCpuThrottleOnIdleScans).toBe(false);
  });
});
