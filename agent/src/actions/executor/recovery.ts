// What becomes of an action the agent was running (or had queued) when it was killed, decided at the next start:
// isolate, release and offboard are idempotent and run again; a scan or a package collection cannot be resumed and
// fails ACTION_INTERRUPTED; a stop-and-quarantine succeeded if the quarantine holds the file it was after.
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
    default:
      return interrupted(`running ${entry.type}`);
  }
}
