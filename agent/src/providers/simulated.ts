// Providers for a simulated host: every policy kind, backed by the host's in-memory state.
import type { PolicyKind, SettingValue } from '../../../policy-schemas/src/index.js';
import { POLICY_KINDS } from '../../../policy-schemas/src/index.js';
import type { SettingOverride } from '../core/outcome.js';
import type { SettingChange } from '../core/plan.js';
import type { SimulatedHost } from '../hosts/simulated-host.js';
import { catalogRefusal } from './catalog-check.js';
import type { ApplyResult, SettingsProvider } from './provider.js';

class SimulatedProvider implements SettingsProvider {
  private lastOverrides: ReadonlyMap<string, SettingOverride> = new Map();

  constructor(
    readonly kind: PolicyKind,
    private readonly host: SimulatedHost,
  ) {}

  unsupportedReason(settingId: string): string | undefined {
    return this.host.has(settingId) ? undefined : `simulated ${this.host.platform} host has no such setting`;
  }

  async observe(settingIds: readonly string[]): Promise<Map<string, SettingValue | undefined>> {
    await this.host.refresh();
    const overrides = new Map<string, SettingOverride>();
    for (const id of settingIds) {
      const gpo = this.host.groupPolicyOf(id);
      if (gpo) overrides.set(id, { source: gpo.source, effective: gpo.value });
    }
    this.lastOverrides = overrides;
    return new Map(settingIds.map((id) => [id, this.host.read(id)]));
  }

  /** Settings of the last observe a simulated Group Policy imposes (the host's `groupPolicyOverride` fault). */
  overrides(): ReadonlyMap<string, SettingOverride> {
    return this.lastOverrides;
  }

  async apply(changes: readonly SettingChange[]): Promise<ApplyResult[]> {
    await this.host.refresh();
    const results = changes.map((change): ApplyResult => {
      // As the real providers: a value the catalog refuses never reaches the host (the endpoint refused it too).
      const refused = catalogRefusal(change);
      if (refused) return refused;
      try {
        if (change.to === undefined) this.host.remove(change.settingId);
        else this.host.write(change.settingId, change.to);
        return { settingId: change.settingId, ok: true };
      } catch (err) {
        return { settingId: change.settingId, ok: false, code: 'SETTING_APPLY_FAILED', message: err instanceof Error ? err.message : String(err) };
      }
    });
    if (changes.length > 0) await this.host.persist();
    return results;
  }
}

/** One provider per policy kind for the given simulated host. */
export function createSimulatedProviders(host: SimulatedHost): SettingsProvider[] {
  return POLICY_KINDS.map((kind) => new SimulatedProvider(kind, host));
}
