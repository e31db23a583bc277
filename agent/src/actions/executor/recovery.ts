// What becomes of an action the agent was running (or had queued) when it was killed, decided at the next start:
// isolate, release and offboard are idempotent and run again; a scan, a package collection or a software update cannot
// be resumed and fails ACTION_INTERRUPTED; a stop-and-quarantine succeeded if the quarantine holds the file it was after.
import { ACTION_EXPIRY_SKEW_MS } from '../../core/action-verify.js';
import type { ResponseHost } from '../response-host.js';
import type { AgentActionEntry } from './ledger.js';

const RERUN: ReadonlySet<string> = new Set(['isolate', 'release', 'offboard']);

export type Recovery = { readonly kind: 'run' } | { readonly kind: 'end'; readonly outcome: Pick<AgentActionEntry, 'status' | 'result' | 'error'> };

const interrupted = (what: string): Recovery => ({
  kind: 'end',
  outcome: { status: 'failed', error: { code: 'ACTION_INTERRUPTED', message: `the agent stopped while ${what}; run the action again` } },
});

/** The recovery of one `pending` or `inProgress` entry found at start. */
export async function recoverEntry(
  actionId: string,
  entry: AgentActionEntry,
  deps: { readonly host: ResponseHost | undefined; readonly nowMs: number },
): Promise<Recovery> {
  if (entry.status === 'pending') {
    if (Date.parse(entry.expiresAt) + ACTION_EXPIRY_SKEW_MS <= deps.nowMs)
      return { kind: 'end', outcome: { status: 'failed', error: { code: 'ACTION_EXPIRED', message: `expired at ${entry.expiresAt} before it could start` } } };
    return { kind: 'run' };
  }
  if (RERUN.has(entry.type)) return { kind: 'run' };
  if (entry.type === 'stopAndQuarantineFile' && entry.sha256 && deps.host?.quarantinedBy) {
    const items = await deps.host.quarantinedBy(actionId, entry.sha256).catch(() => []);
    if (items.length > 0) return { kind: 'end', outcome: { status: 'succeeded', result: { sha256: entry.sha256, killed: [], items } } };
    return interrupted('stopping and quarantining the file, and the quarantine does not hold it');
  }
  switch (entry.type) {
    case 'runAntivirusScan':
      return interrupted('the scan ran');
    case 'collectInvestigationPackage':
      return interrupted('the investigation package was collected or uploaded');
    case 'updateSoftware':
      // Never re-run blindly: dpkg may be half-way (review 18 M5); the next updateSoftware repairs it first.
      return interrupted('the package manager ran (the next updateSoftware runs dpkg --configure -a first)');
    default:
      return interrupted(`running ${entry.type}`);
  }
}

/**
 * True when the last updateSoftware that started before `actionId` was ended by a restart (ACTION_INTERRUPTED: only
 * recovery ends one so, as it cannot be cancelled). Its package manager was killed mid-run, so dpkg may have packages
 * unpacked but not configured: the next run repairs them first. A finished run after it clears this.
 */
export function interruptedUpdateBefore(entries: readonly (readonly [string, AgentActionEntry])[], actionId: string): boolean {
  let last: AgentActionEntry | undefined;
  for (const [id, entry] of entries) {
    if (id === actionId || entry.type !== 'updateSoftware' || entry.startedAt === undefined) continue;
    if (!last || (last.startedAt as string) < entry.startedAt) last = entry;
  }
  return last?.status === 'failed' && last.error?.code === 'ACTION_INTERRUPTED';
}
