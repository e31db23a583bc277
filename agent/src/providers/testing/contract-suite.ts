// The one contract every SettingsProvider honours, run against each implementation: the simulated host for all three
// OS profiles, the real Linux providers (nftables in a network namespace, mdatp_managed.json in a temp dir) and the
// Windows/macOS providers over recorded tool behaviour. A provider that passes can be trusted by the sync engine.
import { describe, expect, it } from 'vitest';
import { validatePolicySettings } from '../../../../common/validation.js';
import { type Platform, type PolicyKind, SETTINGS, type SettingDefinition, type SettingValue } from '../../../../policy-schemas/src/index.js';
import { type SettingChange, valuesEqual } from '../../core/plan.js';
import type { SettingsProvider } from '../provider.js';
import { sampleValues } from './sample-values.js';

export interface ContractTarget {
  readonly provider: SettingsProvider;
  /** Undo whatever the run left on the host (delete a namespace, a temp dir). */
  cleanup?(): Promise<void>;
}

export interface ContractOptions {
  /** e.g. "linux nftables (netns)". */
  readonly name: string;
  readonly kind: PolicyKind;
  readonly platform: Platform;
  /** A fresh, unmanaged host for each test. */
  create(): Promise<ContractTarget>;
  /** Settings to exercise (default: every catalog setting of the kind and platform the provider supports). */
  readonly settingIds?: readonly string[];
  /** Per-test timeout for slow real hosts. */
  readonly timeoutMs?: number;
}

function change(setting: SettingDefinition, from: SettingValue | undefined, to: SettingValue | undefined): SettingChange {
  return { settingId: setting.id, kind: setting.kind, from, to };
}

/** Registers the contract tests for one provider implementation. */
export function describeProviderContract(options: ContractOptions): void {
  const settings = SETTINGS.filter(
    (s) => s.kind === options.kind && s.platforms.includes(options.platform) && (!options.settingIds || options.settingIds.includes(s.id)),
  );
  const foreign = SETTINGS.find((s) => s.kind === options.kind && !s.platforms.includes(options.platform));
  const timeout = options.timeoutMs ?? 20_000;

  describe(`${options.kind} provider contract: ${options.name}`, () => {
    it('has settings to exercise, with valid samples', () => {
      expect(settings.length).toBeGreaterThan(0);
      for (const s of settings) {
        const samples = sampleValues(s);
        if (!samples) continue;
        validatePolicySettings({ kind: s.kind, settings: { [s.id]: samples[0] } }, `sample for ${s.id}`);
        validatePolicySettings({ kind: s.kind, settings: { [s.id]: samples[1] } }, `sample for ${s.id}`);
      }
    });

    it(
      'applies each supported setting, reads it back, changes it, and removing it restores the unmanaged value',
      async () => {
        const target = await options.create();
        try {
          const { provider } = target;
          expect(provider.kind).toBe(options.kind);
          const supported = settings.filter((s) => provider.unsupportedReason(s.id) === undefined && sampleValues(s) !== undefined);
          expect(supported.length, 'provider supports none of its settings').toBeGreaterThan(0);
          const ids = supported.map((s) => s.id);
          const original = await provider.observe(ids);
          expect([...original.keys()].sort()).toEqual([...ids].sort());

          for (const step of [0, 1] as const) {
            const changes = supported.map((s) => change(s, undefined, (sampleValues(s) as [SettingValue, SettingValue])[step]));
            const results = await provider.apply(changes);
            expect(results.map((r) => r.settingId)).toEqual(ids);
            for (const r of results) expect(r, `apply ${r.settingId} (step ${step})`).toMatchObject({ ok: true });
            const seen = await provider.observe(ids);
            for (const c of changes)
              expect(valuesEqual(seen.get(c.settingId), c.to), `${c.settingId} read back ${JSON.stringify(seen.get(c.settingId))}`).toBe(true);
          }

          // Applying the same values again changes nothing and still succeeds (idempotence).
          const again = supported.map((s) => change(s, undefined, (sampleValues(s) as [SettingValue, SettingValue])[1]));
          expect((await provider.apply(again)).every((r) => r.ok)).toBe(true);

          const removed = await provider.apply(supported.map((s) => change(s, undefined, undefined)));
          for (const r of removed) expect(r, `remove ${r.settingId}`).toMatchObject({ ok: true });
          const after = await provider.observe(ids);
          for (const id of ids) expect(valuesEqual(after.get(id), original.get(id)), `${id} after remove: ${JSON.stringify(after.get(id))}`).toBe(true);
        } finally {
          await target.cleanup?.();
        }
      },
      timeout,
    );

    it(
      'returns one result per change, in order, for an empty and a mixed batch',
      async () => {
        const target = await options.create();
        try {
          expect(await target.provider.apply([])).toEqual([]);
          const supported = settings.filter((s) => target.provider.unsupportedReason(s.id) === undefined && sampleValues(s) !== undefined).slice(0, 3);
          const changes = supported.map((s) => change(s, undefined, (sampleValues(s) as [SettingValue, SettingValue])[0])).reverse();
          expect((await target.provider.apply(changes)).map((r) => r.settingId)).toEqual(changes.map((c) => c.settingId));
        } finally {
          await target.cleanup?.();
        }
      },
      timeout,
    );

    if (foreign) {
      it(`says why it cannot enforce a setting of another platform (${foreign.id})`, async () => {
        const target = await options.create();
        try {
          expect(target.provider.unsupportedReason(foreign.id)).toMatch(/\w/);
        } finally {
          await target.cleanup?.();
        }
      });
    }
  });
}
