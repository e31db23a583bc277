// No tattooing, the effectful half: puts settings no policy manages any more back to their pre-management value
// through their providers and reads them back. Planning is pure (core/baseline.ts).
import type { SettingValue } from '../../../policy-schemas/src/index.js';
import type { RestoreChange } from '../core/baseline.js';
import type { SettingsProvider } from '../providers/provider.js';

/** One restore that took effect: the value before and the value read back after (undefined: none). */
export interface Restored {
  readonly settingId: string;
  readonly before: SettingValue | undefined;
  readonly after: SettingValue | undefined;
}

/** What happened to the planned restores; failed ones keep their baseline and are retried at the next sync. */
export interface RestoreResult {
  readonly restored: readonly Restored[];
  readonly failed: ReadonlyMap<string, string>;
}

/** The restores as their providers carry them out: a setting whose provider clears on restore goes to `undefined`. */
export function restoresFor(restores: readonly RestoreChange[], providers: readonly SettingsProvider[]): RestoreChange[] {
  return restores.map((r) => (providers.find((p) => p.kind === r.kind)?.restoreClears?.(r.settingId) === true ? { ...r, to: undefined } : r));
}

/** Applies the restores (as `restoresFor` says), grouped by provider. */
export async function applyRestores(planned: readonly RestoreChange[], providers: readonly SettingsProvider[]): Promise<RestoreResult> {
  const restores = restoresFor(planned, providers);
  const restored: Restored[] = [];
  const failed = new Map<string, string>();
  for (const provider of providers) {
    const mine = restores.filter((r) => r.kind === provider.kind);
    if (mine.length === 0) continue;
    const ids = mine.map((r) => r.settingId);
    try {
      const before = await provider.observe(ids);
      const results = await provider.apply(mine.map((r) => ({ settingId: r.settingId, kind: r.kind, from: before.get(r.settingId), to: r.to })));
      const after = await provider.observe(ids);
      for (const [i, r] of results.entries()) {
        const id = mine[i]?.settingId ?? r.settingId;
        if (r.ok) restored.push({ settingId: id, before: before.get(id), after: after.get(id) });
        else failed.set(id, `${r.code}: ${r.message}`);
      }
    } catch (err) {
      for (const id of ids) failed.set(id, `${provider.kind} provider failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  for (const r of restores) if (!providers.some((p) => p.kind === r.kind)) failed.set(r.settingId, `no ${r.kind} provider on this host`);
  return { restored, failed };
}
