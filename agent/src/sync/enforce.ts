// Enforcement with memory: records each managed setting's pre-management value before changing it, applies the
// effective settings, recognises drift repairs, and restores what no policy manages any more (no tattooing).
import { canonicalJson } from '../../../common/canonical-json.js';
import { systemError } from '../../../common/errors.js';
import type { SettingEvent } from '../../../policy-schemas/src/index.js';
import { type Baseline, forgetBaseline, isDriftRepair, markEnforced, planRestores, recordBaseline, stampScheme } from '../core/baseline.js';
import type { EffectiveSetting } from '../core/effective.js';
import { valuesEqual } from '../core/plan.js';
import type { Logger } from '../logging.js';
import type { AgentHost } from '../platform/index.js';
import type { StateStore } from '../state/state-store.js';
import { type ApplyReport, applyEffective } from './apply.js';
import { migrateBaseline, schemeLookup } from './migrate.js';
import { applyRestores } from './restore.js';

export interface EnforceDeps {
  readonly store: StateStore;
  readonly host: AgentHost;
  readonly logger: Logger;
}

/**
 * Reads the baseline. A corrupt file cannot be trusted, but it holds the only record of pre-management values: it is
 * set aside as `baseline.json.corrupt-<time>` for recovery by hand (never overwritten), logged naming that copy, and
 * the agent starts a new baseline (settings still managed get their current value recorded at their next change).
 */
export async function readBaselineSafe(store: StateStore, logger: Logger, options: { readonly setAsideAt?: string }): Promise<Baseline> {
  try {
    return await store.readBaseline();
  } catch (err) {
    // A read that failed (EIO, EMFILE…) says nothing about the file: fail this sync and retry, never start afresh.
    if (systemError(err)) throw err;
    // A dry run writes nothing: it only says what it would do. A copy that cannot be made stops the sync too.
    const keptAs = options.setAsideAt ? await store.setAside('baseline.json', Date.parse(options.setAsideAt)) : undefined;
    logger.error('baseline unreadable, set aside and starting a new one', { error: (err as Error).message, ...(keptAs ? { keptAs } : {}) });
    return {};
  }
}

/** Applies the effective settings; restores only when the policy set is trusted (never from a set we could not verify). */
export async function enforce(
  effective: readonly EffectiveSetting[],
  deps: EnforceDeps,
  options: { readonly at: string; readonly restore: boolean },
): Promise<{ evidence: ApplyReport; events: SettingEvent[] }> {
  const { store, host, logger } = deps;
  const { at } = options;
  const prior = await readBaselineSafe(store, logger, { setAsideAt: options.at });
  let baseline = prior;
  const schemeOf = schemeLookup(host.providers);
  // Upgrade clean-up first, so what an earlier version wrote elsewhere is gone before the settings are re-written.
  const migrated = await migrateBaseline(prior, host.providers, logger);
  const evidence = await applyEffective(
    effective,
    host.providers,
    async (managed, observed) => {
      const next = recordBaseline(baseline, managed, observed, at, schemeOf);
      if (Object.keys(next).length === Object.keys(baseline).length) return;
      baseline = next;
      await store.writeBaseline(baseline); // durable before the first change
    },
    migrated,
  );
  // A migrated setting whose re-write failed keeps its old scheme: the clean-up and re-write are tried again.
  baseline = stampScheme(
    baseline,
    [...migrated].filter((id) => !evidence.failed.has(id)),
    schemeOf,
  );
  const events: SettingEvent[] = [];
  for (const change of evidence.changes) {
    const after = evidence.observedAfter.get(change.settingId);
    if (!isDriftRepair(prior[change.settingId], change.to) || evidence.failed.has(change.settingId) || !valuesEqual(after, change.to)) continue;
    events.push(event('remediated', at, change.settingId, change.from, after));
    logger.warn('drift remediated', { settingId: change.settingId, before: change.from, after });
  }
  baseline = markEnforced(baseline, effective, evidence.observedAfter);
  if (options.restore) {
    const result = await applyRestores(planRestores(effective, baseline), host.providers);
    for (const r of result.restored) {
      events.push(event('restored', at, r.settingId, r.before, r.after));
      logger.info('setting restored', { settingId: r.settingId, before: r.before, after: r.after });
    }
    for (const [settingId, error] of result.failed) logger.warn('setting not restored, will retry', { settingId, error });
    baseline = forgetBaseline(
      baseline,
      result.restored.map((r) => r.settingId),
    );
  }
  if (canonicalJson(baseline) !== canonicalJson(prior)) await store.writeBaseline(baseline);
  return { evidence, events };
}

function event(type: 'restored' | 'remediated', at: string, settingId: string, before: unknown, after: unknown): SettingEvent {
  return {
    type,
    at,
    settingId,
    ...(before === undefined ? {} : { before: before as SettingEvent['before'] }),
    ...(after === undefined ? {} : { after: after as SettingEvent['after'] }),
  };
}
