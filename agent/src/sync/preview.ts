// Dry run: what a sync would do with the last good policies on this host now. Reads state and observes the host;
// writes nothing (no host change, no state file, no outbox).
import { toAttacheError } from '../../../common/errors.js';
import { isoTime } from '../../../common/iso-time.js';
import type { AgentIdentity, SettingValue, SyncPlan } from '../../../policy-schemas/src/index.js';
import { planRestores } from '../core/baseline.js';
import { computeEffective } from '../core/effective.js';
import { previewPlan } from '../core/preview.js';
import type { Logger } from '../logging.js';
import type { AgentHost } from '../platform/index.js';
import type { StateStore } from '../state/state-store.js';
import { asDesired, prepareQuietly, supportedBy } from './apply.js';
import { readBaselineSafe } from './enforce.js';
import { loadPolicySet } from './policy-source.js';
import { restoresFor } from './restore.js';

export interface PreviewDeps {
  readonly store: StateStore;
  readonly host: AgentHost;
  readonly identity: AgentIdentity;
  readonly logger: Logger;
  readonly now: () => number;
}

/** Computes the plan from the cached policies; `computedBy` says whether the daemon or the CLI did. */
export async function buildPlan(deps: PreviewDeps, computedBy: SyncPlan['computedBy']): Promise<SyncPlan> {
  const { store, host, logger } = deps;
  let floor: Record<string, number> = {};
  try {
    floor = await store.readAppliedVersions();
  } catch (err) {
    logger.error('applied versions unreadable', { error: (err as Error).message });
  }
  const set = await loadPolicySet(deps, 'cache', floor);
  const effective = computeEffective(set.payloads, host.platform);
  const restores = set.trusted ? restoresFor(planRestores(effective, await readBaselineSafe(store, logger, {})), host.providers) : [];
  const observed = new Map<string, SettingValue | undefined>();
  const unsupported = new Map<string, string>();
  for (const provider of host.providers) {
    await prepareQuietly(provider);
    const supported = supportedBy(provider, effective, unsupported);
    const ids = [...supported.map((s) => s.settingId), ...restores.filter((r) => r.kind === provider.kind).map((r) => r.settingId)];
    if (ids.length === 0) continue;
    try {
      for (const [id, value] of asDesired(provider, supported, await provider.observe(ids))) observed.set(id, value);
    } catch (err) {
      logger.warn('cannot observe settings for the plan', { kind: provider.kind, error: toAttacheError(err).message });
    }
  }
  for (const s of effective)
    if (s.outcome === 'enforce' && !host.providers.some((p) => p.kind === s.kind)) unsupported.set(s.settingId, `no ${s.kind} provider on this host`);
  return {
    formatVersion: 1,
    generatedAt: isoTime(deps.now()),
    computedBy,
    policies: set.payloads.map((p) => ({ policyId: p.policyId, version: p.version, name: p.name, kind: p.kind })),
    ...previewPlan(effective, restores, { observed, unsupported }),
    ...(set.error ? { error: { code: set.error.code, message: set.error.message } } : {}),
  };
}
