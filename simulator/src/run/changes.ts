// Push-to-applied: every admin change is a Change with its start time (just before the admin request) and the hosts it
// must reach; a host has applied it when the endpoint acknowledges a report, generated after the change, that carries
// the new version (or no longer carries a removed policy). Latency = acknowledgement time − change time.
import type { AckRecord } from '../fleet/protocol.js';
import { type Summary, summarize } from '../stats.js';

/** What a target host must report. */
export type Expectation = { readonly kind: 'version'; readonly version: number } | { readonly kind: 'absent' };

export interface Change {
  readonly id: number;
  readonly label: string;
  readonly stepIndex: number;
  readonly policyId: string;
  readonly t0: number;
  /** Host index → what it must report. Filled once the endpoint says whom the change reached. */
  readonly targets: Map<number, Expectation>;
  /** Host index → latency in ms. */
  readonly applied: Map<number, number>;
}

/** One change's outcome for the results file. */
export interface ChangeResult {
  readonly label: string;
  readonly stepIndex: number;
  readonly at: number;
  readonly targets: number;
  readonly applied: number;
  readonly latencyMs: Summary;
  /** Sorted latencies (ms), for the convergence chart. */
  readonly curve: number[];
}

function satisfies(ack: AckRecord, change: Change, expectation: Expectation): boolean {
  // generatedAt has millisecond resolution; t0 is fractional.
  if (ack.generated < Math.floor(change.t0)) return false;
  const entry = ack.policies.find(([policyId]) => policyId === change.policyId);
  return expectation.kind === 'absent' ? entry === undefined : entry !== undefined && entry[1] >= expectation.version;
}

export class ChangeTracker {
  private readonly changes: Change[] = [];
  /** Every acknowledged report per host, oldest first (targets are learnt after the change, so history is needed). */
  private readonly history = new Map<number, AckRecord[]>();
  private nextId = 1;

  /** Starts a change now (call right before the admin request that makes it). */
  begin(label: string, stepIndex: number, policyId: string, t0: number): Change {
    const change: Change = { id: this.nextId++, label, stepIndex, policyId, t0, targets: new Map(), applied: new Map() };
    this.changes.push(change);
    return change;
  }

  /** Drops a change that turned out to reach nobody (e.g. an assignment to an empty group). */
  discardIfEmpty(change: Change): void {
    if (change.targets.size === 0) this.changes.splice(this.changes.indexOf(change), 1);
  }

  /** Sets the hosts a change must reach and credits the reports that already arrived. */
  target(change: Change, hosts: ReadonlyMap<number, Expectation>): void {
    for (const [host, expectation] of hosts) {
      change.targets.set(host, expectation);
      for (const ack of this.history.get(host) ?? []) {
        if (ack.t >= change.t0 && satisfies(ack, change, expectation)) {
          change.applied.set(host, ack.t - change.t0);
          break;
        }
      }
    }
    this.discardIfEmpty(change);
  }

  onAck(ack: AckRecord): void {
    let list = this.history.get(ack.host);
    if (!list) {
      list = [];
      this.history.set(ack.host, list);
    }
    list.push(ack);
    for (const change of this.changes) {
      const expectation = change.targets.get(ack.host);
      if (!expectation || change.applied.has(ack.host) || ack.t < change.t0) continue;
      if (satisfies(ack, change, expectation)) change.applied.set(ack.host, ack.t - change.t0);
    }
  }

  /** (change, host) pairs not applied yet. */
  get pending(): number {
    return this.changes.reduce((n, c) => n + c.targets.size - c.applied.size, 0);
  }

  get targeted(): number {
    return this.changes.reduce((n, c) => n + c.targets.size, 0);
  }

  /** Every latency sample (ms) of every change. */
  latencies(): number[] {
    return this.changes.flatMap((c) => [...c.applied.values()]);
  }

  results(runStart: number): ChangeResult[] {
    return this.changes.map((c) => {
      const curve = [...c.applied.values()].sort((a, b) => a - b);
      return {
        label: c.label,
        stepIndex: c.stepIndex,
        at: (c.t0 - runStart) / 1000,
        targets: c.targets.size,
        applied: c.applied.size,
        latencyMs: summarize(curve),
        curve,
      };
    });
  }

  /** Hosts that never applied some change, with the change label (first 20), for the failure message. */
  stragglers(limit = 20): { host: number; change: string }[] {
    const out: { host: number; change: string }[] = [];
    for (const c of this.changes) {
      for (const host of c.targets.keys()) {
        if (!c.applied.has(host)) out.push({ host, change: c.label });
        if (out.length >= limit) return out;
      }
    }
    return out;
  }
}
