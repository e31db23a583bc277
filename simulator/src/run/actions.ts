// Response actions in a scenario (runAction, cancelActions): created and cancelled through the admin API, followed by
// polling the endpoint's open actions, and measured at the end from the endpoint's own timestamps (create →
// deliveredAt, create → terminal), so polling adds no error to what is measured.
import { isTerminal } from '../../../common/action-state.js';
import { type Clock, systemClock, type TimerHandle } from '../../../common/clock.js';
import { toAttacheError } from '../../../common/errors.js';
import type { ActionStatus, ActionType, MachineAction, Platform } from '../../../policy-schemas/src/index.js';
import type { AdminApi } from '../endpoint/admin-api.js';
import { pool } from '../pool.js';
import { type Summary, summarize } from '../stats.js';

/** Admin calls in flight at once when a step creates or cancels many actions. */
const CONCURRENCY = 16;
const POLL_MS = 1_000;

/** One action the run created, as last seen at the endpoint. */
export interface TrackedAction {
  readonly id: string;
  readonly type: ActionType;
  readonly host: number;
  readonly platform: Platform;
  readonly step: number;
  readonly createdAt: number;
  /** Created on a host where a failActions fault makes its type hang: not waited for. */
  readonly mayHang: boolean;
  status: ActionStatus;
  deliveredAt?: number;
  /** When the endpoint had the terminal status: the first view showing it (its updatedAt), a cancel's time. */
  doneAt?: number;
  /** completedAt: the `at` of the device's terminal update (the device's clock). */
  completedAt?: number;
  /** The error a failed action ended with, as `CODE: message`. */
  error?: string;
}

/** Per action type (and `all`): how many, in which status at the end, and the measured times in ms. */
export interface ActionTypeResults {
  readonly created: number;
  readonly statuses: Readonly<Partial<Record<ActionStatus, number>>>;
  /** create → deliveredAt (the first push acknowledgement or policies answer carrying it). */
  readonly delivered: Summary;
  /** create → terminal status (succeeded, failed, cancelled, timeOut) at the endpoint: the terminal update stored, or the cancel. */
  readonly done: Summary;
  /** create → completedAt, the device's own time of its terminal update (the simulated hosts use the machine's clock). */
  readonly completed: Summary;
  /** Actions whose deliveredAt is later than their terminal time (the endpoint marked delivery after the outcome). */
  readonly deliveredAfterDone?: number;
  /** Failed actions by error code, with one message each. */
  readonly errors?: Readonly<Record<string, { readonly count: number; readonly example: string }>>;
}

/** results.json `actions`. */
export interface ActionRunResults {
  readonly created: number;
  /** Creates the endpoint refused, by error code. */
  readonly refused: Readonly<Record<string, number>>;
  readonly cancels: { readonly requested: number; readonly accepted: number; readonly refused: Readonly<Record<string, number>> };
  readonly byType: Readonly<Record<string, ActionTypeResults>>;
  readonly all: ActionTypeResults;
}

/** What an expectation needs per action: its type, end status and create → terminal time (undefined: unfinished). */
export interface ActionSample {
  readonly type: ActionType;
  readonly status: ActionStatus;
  readonly doneMs?: number;
}

export class ActionTracker {
  private readonly tracked = new Map<string, TrackedAction>();
  private readonly refused: Record<string, number> = {};
  private readonly cancels = { requested: 0, accepted: 0, refused: {} as Record<string, number> };
  /** Action type → hosts where a failActions fault makes it hang (replaced by each failActions step of the type). */
  private readonly hangs = new Map<string, ReadonlySet<number>>();
  private poller: TimerHandle | undefined;
  private polling = false;

  constructor(
    private readonly admin: AdminApi,
    private readonly clock: Clock = systemClock,
  ) {}

  /** A failActions step ran: `hosts` now hang on `type` (none: its hang was cleared). */
  armed(type: string, hosts: readonly number[]): void {
    if (hosts.length === 0) this.hangs.delete(type);
    else this.hangs.set(type, new Set(hosts));
  }

  /** Creates `type` on each device (host → device id), a few at a time; refusals are counted by code, not thrown. */
  async create(
    targets: readonly { readonly host: number; readonly deviceId: string; readonly platform: Platform }[],
    request: { readonly type: ActionType; readonly step: number; readonly body: { readonly comment: string } & Readonly<Record<string, unknown>> },
  ): Promise<{ created: number; refused: number }> {
    let created = 0;
    await pool(targets, CONCURRENCY, async (t) => {
      try {
        this.adopt(await this.admin.createAction(t.deviceId, request.type, request.body), t, request.step);
        created++;
      } catch (err) {
        const code = toAttacheError(err).code;
        this.refused[code] = (this.refused[code] ?? 0) + 1;
      }
    });
    this.startPolling();
    return { created, refused: targets.length - created };
  }

  /** Tracks an action created on the run's behalf (a security task's remediation, or one of create()'s). */
  adopt(action: MachineAction, target: { readonly host: number; readonly platform: Platform }, step: number): void {
    this.tracked.set(action.id, {
      id: action.id,
      type: action.type,
      host: target.host,
      platform: target.platform,
      step,
      createdAt: Date.parse(action.createdAt),
      mayHang: this.hangs.get(action.type)?.has(target.host) ?? false,
      status: action.status,
    });
    this.startPolling();
  }

  /** The run's actions (of `type`, on `platform`) still pending or in progress at the endpoint, oldest first. */
  async open(filter: { readonly type?: ActionType | undefined; readonly platform?: Platform | undefined }): Promise<TrackedAction[]> {
    await this.poll();
    return [...this.tracked.values()]
      .filter((a) => !isTerminal(a.status) && (!filter.type || a.type === filter.type) && (!filter.platform || a.platform === filter.platform))
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  /** Cancels these actions; a refusal (the action finished meanwhile: ACTION_NOT_CANCELLABLE) is counted by code. */
  async cancel(actions: readonly TrackedAction[], comment: string): Promise<number> {
    let accepted = 0;
    await pool(actions, CONCURRENCY, async (a) => {
      this.cancels.requested++;
      try {
        a.status = (await this.admin.cancelAction(a.id, comment)).status;
        accepted++;
      } catch (err) {
        const code = toAttacheError(err).code;
        this.cancels.refused[code] = (this.cancels.refused[code] ?? 0) + 1;
      }
    });
    this.cancels.accepted += accepted;
    return accepted;
  }

  /** Actions still open at the last poll that are expected to finish (hung ones are not waited for). */
  get outstanding(): number {
    let n = 0;
    for (const a of this.tracked.values()) if (!isTerminal(a.status) && !a.mayHang) n++;
    return n;
  }

  /** Stops polling (the run ends). */
  stop(): void {
    this.poller?.cancel();
    this.poller = undefined;
  }

  /** Reads every action of the run once more (its final status and times) and stops polling. */
  async finish(): Promise<void> {
    this.stop();
    if (this.tracked.size === 0) return;
    for (const view of await this.admin.allActions()) this.see(view);
  }

  results(): ActionRunResults {
    const all = [...this.tracked.values()];
    const types = [...new Set(all.map((a) => a.type))].sort();
    return {
      created: all.length,
      refused: { ...this.refused },
      cancels: { ...this.cancels, refused: { ...this.cancels.refused } },
      byType: Object.fromEntries(types.map((t) => [t, typeResults(all.filter((a) => a.type === t))])),
      all: typeResults(all),
    };
  }

  samples(): ActionSample[] {
    return [...this.tracked.values()].map((a) => ({
      type: a.type,
      status: a.status,
      ...(a.doneAt !== undefined ? { doneMs: a.doneAt - a.createdAt } : {}),
    }));
  }

  private startPolling(): void {
    this.poller ??= this.clock.every(POLL_MS, () => this.poll().catch(() => undefined));
  }

  /** Statuses of the run's open actions: those the endpoint lists as pending or in progress stay open, the others are re-read. */
  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const open = [...(await this.admin.allActions({ status: 'pending' })), ...(await this.admin.allActions({ status: 'inProgress' }))];
      const stillOpen = new Set<string>();
      for (const view of open) {
        stillOpen.add(view.id);
        this.see(view);
      }
      const closed = [...this.tracked.values()].filter((a) => !isTerminal(a.status) && !stillOpen.has(a.id));
      await pool(closed, CONCURRENCY, async (a) => this.see(await this.admin.action(a.id)));
    } finally {
      this.polling = false;
    }
  }

  private see(view: MachineAction): void {
    const a = this.tracked.get(view.id);
    if (!a) return;
    a.status = view.status;
    if (view.deliveredAt) a.deliveredAt = Date.parse(view.deliveredAt);
    if (isTerminal(view.status)) {
      // The first view showing it terminal: later (late or stale) updates move updatedAt, never the cancel time.
      a.doneAt ??= Date.parse(view.status === 'cancelled' && view.cancellation ? view.cancellation.at : view.updatedAt);
      if (view.completedAt) a.completedAt = Date.parse(view.completedAt);
    }
    if (view.error) a.error = `${view.error.code}: ${view.error.message}`;
  }
}

function typeResults(actions: readonly TrackedAction[]): ActionTypeResults {
  const statuses: Partial<Record<ActionStatus, number>> = {};
  const errors: Record<string, { count: number; example: string }> = {};
  for (const a of actions) {
    statuses[a.status] = (statuses[a.status] ?? 0) + 1;
    if (a.status !== 'failed' || !a.error) continue;
    const code = a.error.slice(0, a.error.indexOf(':'));
    errors[code] = { count: (errors[code]?.count ?? 0) + 1, example: errors[code]?.example ?? a.error.slice(0, 300) };
  }
  const late = actions.filter((a) => a.deliveredAt !== undefined && a.doneAt !== undefined && a.deliveredAt > a.doneAt).length;
  return {
    ...(late > 0 ? { deliveredAfterDone: late } : {}),
    ...(Object.keys(errors).length > 0 ? { errors } : {}),
    created: actions.length,
    statuses,
    delivered: summarize(actions.flatMap((a) => (a.deliveredAt === undefined ? [] : [a.deliveredAt - a.createdAt]))),
    done: summarize(actions.flatMap((a) => (a.doneAt === undefined ? [] : [a.doneAt - a.createdAt]))),
    completed: summarize(actions.flatMap((a) => (a.completedAt === undefined ? [] : [a.completedAt - a.createdAt]))),
  };
}
