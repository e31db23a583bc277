// Shared helpers of the Defender boundary tests: apply a policy as the sync engine does and pin the PowerShell run.
import { expect } from 'vitest';
import type { PolicyKind, SettingValue } from '../../../../../policy-schemas/src/index.js';
import type { SettingChange } from '../../../core/plan.js';
import { WindowsDefenderProvider } from '../defender-provider.js';
import { POWERSHELL } from '../powershell.js';
import { DefenderEmulator, recordedRuns } from './defender-emulator.js';

export const DEFENDER = 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Defender';
export const CENTER = 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Defender Security Center';
export const PER_RULE = `${DEFENDER}\\Windows Defender Exploit Guard\\ASR\\ASROnlyPerRuleExclusions`;

/** Applies a policy the way the sync engine does: observe, then one change per setting from the observed value. */
export async function applyPolicy(kind: PolicyKind, policy: Record<string, SettingValue>, host = new DefenderEmulator()) {
  const provider = new WindowsDefenderProvider(kind, { runner: host.runner });
  const ids = Object.keys(policy);
  const before = await provider.observe(ids);
  const changes: SettingChange[] = ids.map((settingId) => ({ settingId, kind, from: before.get(settingId), to: policy[settingId] }));
  const results = await provider.apply(changes);
  const after = await provider.observe(ids);
  return { host, provider, results, after, runs: recordedRuns(host.runner) };
}

export function expectOnePowerShellApply(runs: ReturnType<typeof recordedRuns>) {
  expect(runs.map((r) => r.script)).toEqual(['defender-observe', 'defender-apply', 'defender-observe']);
  const apply = runs[1] as (typeof runs)[number];
  expect(apply.spec.file).toBe(POWERSHELL);
  expect(apply.spec.args.slice(0, 6)).toEqual(['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand']);
  expect(apply.spec.args).toHaveLength(7);
  return apply.input;
}

export function expectReadBack(policy: Record<string, SettingValue>, after: Map<string, SettingValue | undefined>, skip: string[] = []) {
  for (const [id, value] of Object.entries(policy)) if (!skip.includes(id)) expect(after.get(id), id).toEqual(value);
}
