// The provider used for a policy kind that has no real implementation on this OS yet: every setting is reported
// notApplicable with the reason, never a silent success.
import type { PolicyKind, SettingValue } from '../../../policy-schemas/src/index.js';
import type { SettingChange } from '../core/plan.js';
import type { ApplyResult, SettingsProvider } from './provider.js';

export class UnavailableProvider implements SettingsProvider {
  constructor(
    readonly kind: PolicyKind,
    private readonly reason: string,
  ) {}

  unsupportedReason(): string {
    return this.reason;
  }

  async observe(settingIds: readonly string[]): Promise<Map<string, SettingValue | undefined>> {
    return new Map(settingIds.map((id) => [id, undefined]));
  }

  async apply(changes: readonly SettingChange[]): Promise<ApplyResult[]> {
    return changes.map((c) => ({ settingId: c.settingId, ok: false, code: 'SETTING_NOT_APPLICABLE', message: this.reason }));
  }
}
