// Drives the providers for one set of decisions: observe, apply the diff, read back. Effects live here; the
// decisions (core/effective) and the verdicts (core/outcome) stay pure.
import type { SettingValue } from '../../../policy-schemas/src/index.js';
import type { EffectiveSetting } from '../core/effective.js';
import type { ApplyEvidence } from '../core/outcome.js';
import { planChanges } from '../core/plan.js';
import type { SettingsProvider } from '../providers/provider.js';

/** Applies every enforceable setting through the provider of its kind and collects the evidence. */
export async function applyEffective(effective: readonly EffectiveSetting[], providers: readonly SettingsProvider[]): Promise<ApplyEvidence> {
  const unsupported = new Map<string, string>();
  const failed = new Map<string, { code: string; message: string }>();
  const observedAfter = new Map<string, SettingValue | undefined>();
  for (const provider of providers) {
    const mine = effective.filter((s) => s.kind === provider.kind && s.outcome === 'enforce');
    const supported = mine.filter((s) => {
      const reason = provider.unsupportedReason(s.settingId);
      if (reason !== undefined) unsupported.set(s.settingId, reason);
      return reason === undefined;
    });
    if (supported.length === 0) continue;
    const ids = supported.map((s) => s.settingId);
    try {
      const before = await provider.observe(ids);
      const results = await provider.apply(planChanges(supported, before));
      for (const r of results) if (!r.ok) failed.set(r.settingId, { code: r.code, message: r.message });
      for (const [id, value] of await provider.observe(ids)) observedAfter.set(id, value);
    } catch (err) {
      // A provider that throws is a bug or a broken host; every setting it owns is reported, none silently lost.
      const message = `${provider.kind} provider failed: ${err instanceof Error ? err.message : String(err)}`;
      for (const id of ids) if (!failed.has(id)) failed.set(id, { code: 'SETTING_APPLY_FAILED', message });
    }
  }
  for (const setting of effective) {
    if (setting.outcome === 'enforce' && !providers.some((p) => p.kind === setting.kind))
      unsupported.set(setting.settingId, `no ${setting.kind} provider on this host`);
  }
  return { unsupported, failed, observedAfter };
}
