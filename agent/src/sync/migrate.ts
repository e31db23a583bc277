// Upgrade clean-up: baseline entries written under an older write scheme of their provider (an earlier agent version
// that stored values elsewhere, e.g. local preferences before policy level) go to the provider's `migrate` once.
import type { PolicyKind } from '../../../policy-schemas/src/index.js';
import { type Baseline, entriesToMigrate } from '../core/baseline.js';
import type { Logger } from '../logging.js';
import type { SettingsProvider } from '../providers/provider.js';

/** The current write scheme of each kind's provider (undefined: none declared, scheme 1). */
export function schemeLookup(providers: readonly SettingsProvider[]): (kind: PolicyKind) => number | undefined {
  return (kind) => providers.find((p) => p.kind === kind)?.writeScheme;
}

/** Runs the providers' migrations for the entries that need one; the ids cleaned up (a failure is retried next sync). */
export async function migrateBaseline(baseline: Baseline, providers: readonly SettingsProvider[], logger: Logger): Promise<Set<string>> {
  const done = new Set<string>();
  for (const provider of providers) {
    const scheme = provider.writeScheme ?? 1;
    if (!provider.migrate || scheme <= 1) continue;
    const entries = entriesToMigrate(baseline, provider.kind, scheme);
    if (entries.size === 0) continue;
    try {
      const cleaned = [...(await provider.migrate(entries))].filter((id) => entries.has(id));
      for (const id of cleaned) done.add(id);
      if (cleaned.length > 0) logger.info('removed what an earlier agent version wrote', { kind: provider.kind, settingIds: cleaned });
    } catch (err) {
      logger.warn('upgrade clean-up failed, will retry', { kind: provider.kind, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return done;
}
