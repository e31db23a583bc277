// Shared helpers of the Defender boundary tests: apply a policy as the sync engine does (observe, apply, observe, then
// the provider's overrides), turn that into per-setting statuses with the core's rules, and pin the PowerShell runs.
import { expect } from 'vitest';
import type { OsType, PolicyKind, SettingValue } from '../../../../../policy-schemas/src/index.js';
import { settingStatuses } from '../../../core/outcome.js';
import type { SettingChange } from '../../../core/plan.js';
import { WindowsDefenderProvider } from '../defender-provider.js';
import { POWERSHELL } from '../powershell.js';
import { DefenderEmulator, recordedRuns } from './defender-emulator.js';

export const DEFENDER = 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Defender';
export const CENTER = 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Defender Security Center';

/** Applies a policy the way the sync engine does: observe, then one change per setting from the observed value. */
export async function applyPolicy(kind: PolicyKind, policy: Record<string, SettingValue>, host = new DefenderEmulator(), osType?: OsType) {
  const provider = new WindowsDefenderProvider(kind, { runner: host.runner, ...(osType ? { osType } : {}) });
  const ids = Object.keys(policy);
  const supported = ids.filter((id) => provider.unsupportedReason(id) === undefined);
  const before = await provider.observe(ids);
  const changes: SettingChange[] = ids.map((settingId) => ({ settingId, kind, from: before.get(settingId), to: policy[settingId] }));
  const results = await provider.apply(changes.filter((c) => supported.includes(c.settingId)));
  const after = await provider.observe(ids);
  const overrides = provider.overrides();
  const statuses = settingStatuses(
    ids.map((settingId) => ({ settingId, kind, policyIds: ['p1'], outcome: 'enforce' as const, value: policy[settingId] as SettingValue })),
    {
      unsupported: new Map(ids.flatMap((id) => (supported.includes(id) ? [] : [[id, provider.unsupportedReason(id) as string] as const]))),
      failed: new Map(results.flatMap((r) => (r.ok ? [] : [[r.settingId, { code: r.code, message: r.message }] as const]))),
      observedAfter: after,
      overridden: overrides,
      mismatchReasons: provider.mismatchReasons(),
    },
  );
  return { host, provider, results, after, overrides, statuses, runs: recordedRuns(host.runner) };
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
