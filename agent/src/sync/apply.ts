// Drives the providers for one set of decisions: observe, apply the diff, read back. Effects live here; the
// decisions (core/effective) and the verdicts (core/outcome) stay pure.
import type { SettingValue } from '../../../policy-schemas/src/index.js';
import type { EffectiveSetting } from '../core/effective.js';
import type { ApplyEvidence, SettingOverride } from '../core/outcome.js';
import { planChanges, type SettingChange } from '../core/plan.js';
import { catalogRefusal } from '../providers/catalog-check.js';
import type { SettingsProvider } from '../providers/provider.js';

/** Evidence of one apply plus the changes that were attempted. */
export interface ApplyReport extends ApplyEvidence {
  readonly changes: readonly SettingChange[];
}

/** Called with a provider's observed values before it changes anything (the baseline is recorded durably here). */
export type BeforeApply = (managed: readonly EffectiveSetting[], observed: ReadonlyMap<string, SettingValue | undefined>) => Promise<void>;

/**
 * Applies every enforceable setting through the provider of its kind and collects the evidence. Settings in `rewrite`
 * are written even when the value read equals the policy's (moved to a new store by an upgrade clean-up).
 */
export async function applyEffective(
  effective: readonly EffectiveSetting[],
  providers: readonly SettingsProvider[],
  beforeApply: BeforeApply = async () => undefined,
  rewrite: ReadonlySet<string> = new Set(),
): Promise<ApplyReport> {
  const unsupported = new Map<string, string>();
  const failed = new Map<string, { code: string; message: string }>();
  const observedAfter = new Map<string, SettingValue | undefined>();
  const overridden = new Map<string, SettingOverride>();
  const mismatchReasons = new Map<string, string>();
  const changes: SettingChange[] = [];
  for (const provider of providers) {
    if (!effective.some((s) => s.kind === provider.kind)) continue;
    await prepareQuietly(provider);
    const supported = supportedBy(provider, effective, unsupported);
    if (supported.length === 0) continue;
    const ids = supported.map((s) => s.settingId);
    try {
      const before = asDesired(provider, supported, await provider.observe(ids));
      await beforeApply(supported, before);
      const planned = planChanges(supported, new Map([...before].map(([id, v]) => [id, rewrite.has(id) ? undefined : v])));
      changes.push(...planned);
      // The catalog checks every value before any provider sees it (a cached set's values are checked here only): a
      // refused one fails alone and the device keeps what it has.
      const refused = new Set<string>();
      for (const r of planned.flatMap((c) => catalogRefusal(c) ?? [])) {
        if (!r.ok) failed.set(r.settingId, { code: r.code, message: r.message });
        refused.add(r.settingId);
      }
      const results = await provider.apply(planned.filter((c) => !refused.has(c.settingId)));
      for (const r of results) if (!r.ok) failed.set(r.settingId, { code: r.code, message: r.message });
      for (const [id, value] of asDesired(provider, supported, await provider.observe(ids))) observedAfter.set(id, value);
      for (const [id, override] of provider.overrides?.() ?? []) if (ids.includes(id)) overridden.set(id, override);
      for (const [id, reason] of provider.mismatchReasons?.() ?? []) if (ids.includes(id)) mismatchReasons.set(id, reason);
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
  return { unsupported, failed, observedAfter, overridden, mismatchReasons, changes };
}

/** The observed values, each one the provider says means its desired value replaced by that value (`sameValue`). */
export function asDesired(
  provider: SettingsProvider,
  settings: readonly EffectiveSetting[],
  observed: Map<string, SettingValue | undefined>,
): Map<string, SettingValue | undefined> {
  if (!provider.sameValue) return observed;
  const out = new Map(observed);
  for (const s of settings) {
    if (s.outcome === 'enforce' && out.has(s.settingId) && provider.sameValue(s.settingId, out.get(s.settingId), s.value)) out.set(s.settingId, s.value);
  }
  return out;
}

/** Runs the provider's prepare hook; a failure only leaves its unsupportedReason answers as they were. */
export async function prepareQuietly(provider: SettingsProvider): Promise<void> {
  try {
    await provider.prepare?.();
  } catch {
    // observe/apply will report the broken host per setting
  }
}

/** The enforceable settings of the provider's kind it can handle; the others go to `unsupported` with the reason. */
export function supportedBy(provider: SettingsProvider, effective: readonly EffectiveSetting[], unsupported: Map<string, string>): EffectiveSetting[] {
  return effective.filter((s) => {
    if (s.kind !== provider.kind || s.outcome !== 'enforce') return false;
    const reason = provider.unsupportedReason(s.settingId);
    if (reason !== undefined) unsupported.set(s.settingId, reason);
    return reason === undefined;
  });
}
