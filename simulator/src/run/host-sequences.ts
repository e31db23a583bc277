// Per-host event sequences: what each simulated host reported over a run, in order, in terms that do not depend on
// the run (scenario policy names instead of the endpoint's ids, no times, no report ids). A scenario replayed with the
// same seed gives the same sequences (host-sequences.json); QA diffs two runs' files to find what changed.
import type { AckRecord } from '../fleet/protocol.js';

/** One reported state of a host: its policies (name@version=state, sorted) and the events the report carried. */
export type SequenceEntry = string;

export class HostSequences {
  private readonly byHost = new Map<number, AckRecord[]>();

  /** Records an acknowledged report (duplicates, the same report acknowledged again, are skipped). */
  onAck(ack: AckRecord): void {
    if (ack.duplicate) return;
    let list = this.byHost.get(ack.host);
    if (!list) {
      list = [];
      this.byHost.set(ack.host, list);
    }
    list.push(ack);
  }

  /**
   * Every host's sequence, by host index: consecutive equal entries collapse (a report re-sent after a restart or an
   * outage says nothing new); policy ids the scenario did not create show as "?".
   */
  sequences(policyNames: ReadonlyMap<string, string>, hosts: number): SequenceEntry[][] {
    return Array.from({ length: hosts }, (_, host) => {
      const out: SequenceEntry[] = [];
      for (const ack of this.byHost.get(host) ?? []) {
        const entry = describe(ack, policyNames);
        if (out.at(-1) !== entry) out.push(entry);
      }
      return out;
    });
  }
}

function describe(ack: AckRecord, policyNames: ReadonlyMap<string, string>): SequenceEntry {
  const policies = ack.policies.map(([id, version, state]) => `${policyNames.get(id) ?? '?'}@v${version}=${state}`).sort();
  const events = Object.entries(ack.events ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([type, n]) => `${type}×${n}`);
  return [policies.join(' ') || '(no policies)', ...events].join(' | ');
}
