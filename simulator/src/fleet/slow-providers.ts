// Slow applies: wraps a host's providers so every apply waits first, as a busy or slow OS store would; every other
// member of the provider contract passes through unchanged.
import type { SettingChange } from '../../../agent/src/core/plan.js';
import type { ApplyResult, SettingsProvider } from '../../../agent/src/providers/provider.js';
import { sleep, systemClock } from '../../../common/clock.js';

/** The providers with an apply delay read from `delayMs()` at each call (0: no delay). */
export function withApplyDelay(providers: readonly SettingsProvider[], delayMs: () => number): SettingsProvider[] {
  return providers.map((inner) => ({
    kind: inner.kind,
    ...(inner.prepare ? { prepare: () => inner.prepare?.() ?? Promise.resolve() } : {}),
    unsupportedReason: (settingId: string) => inner.unsupportedReason(settingId),
    observe: (settingIds: readonly string[]) => inner.observe(settingIds),
    // Without it a Group Policy override the host reports would read as SETTING_NOT_ENFORCED instead of conflict.
    ...(inner.overrides ? { overrides: () => inner.overrides?.() ?? new Map() } : {}),
    async apply(changes: readonly SettingChange[]): Promise<ApplyResult[]> {
      const delay = changes.length > 0 ? delayMs() : 0;
      if (delay > 0) await sleep(systemClock, delay);
      return inner.apply(changes);
    },
  }));
}
