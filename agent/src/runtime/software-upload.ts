// The software inventory's schedule and upload (issue 18), off the sync path: a first collection 2–5 min after start
// (jittered, so a fleet restarted together does not list its packages at once), then every interval, and at once after
// an updateSoftware action. Uploaded over HTTPS only when the digest differs from the last one the endpoint
// acknowledged, which is kept in software-inventory.json in the state dir; failures are retried on the sync backoff.
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../../../common/clock.js';
import { isoNow } from '../../../common/clock.js';
import { AttacheError, toAttacheError } from '../../../common/errors.js';
import { parseJsonText } from '../../../common/json-text.js';
import { validate } from '../../../common/validation.js';
import { AgentSoftwareState, MAX_SOFTWARE_UPLOAD_BYTES, SOFTWARE_RESEND_AFTER_MS, type SoftwareInventory } from '../../../policy-schemas/src/index.js';
import { fitSoftwareUpload, type SoftwareCollector, softwareDelta } from '../inventory/software/software-inventory.js';
import type { Logger } from '../logging.js';
import { SOFTWARE_STATE_FILE } from '../state/state-store.js';
import type { FileStore } from '../system/file-store.js';
import type { AgentTransport } from '../transport/channel-transport.js';
import { SyncRetry, type SyncRetryOptions } from './sync-retry.js';

/** The state file, in the agent's state dir. */
/** The daemon's first collection: 2–5 min after start (the sync and the first checks go first). */
export const SOFTWARE_FIRST_DELAY_MS = { min: 2 * 60_000, max: 5 * 60_000 } as const;

export interface SoftwareUploadOptions {
  /** Period of the collection (agent.json softwareInventoryIntervalHours). */
  readonly intervalMs: number;
  /** Window of the first collection after start, drawn from the clock's jitter (default SOFTWARE_FIRST_DELAY_MS). */
  readonly firstDelayMs?: { readonly min: number; readonly max: number };
  /** The backoff of a failed collection or upload (the sync retry's; defaults 15 s doubling to 15 min). */
  readonly retry?: SyncRetryOptions;
}

export interface SoftwareUploadDeps {
  readonly collector: SoftwareCollector;
  readonly client: Pick<AgentTransport, 'postSoftware'>;
  /** The state dir's files (disk, or the simulator's memory) and where the state dir is. */
  readonly files: FileStore;
  readonly stateDir: string;
  readonly deviceId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Told after each run (tests, the simulator's counters): what was collected and whether it was uploaded. */
  readonly onRun?: (outcome: SoftwareRunOutcome) => void;
}

/** One run: uploaded (the endpoint acknowledged it), unchanged (digest already acknowledged) or failed. */
export type SoftwareRunOutcome =
  | { readonly kind: 'uploaded' | 'unchanged'; readonly digest: string; readonly items: number }
  | { readonly kind: 'failed'; readonly code: string; readonly message: string };

const EMPTY_STATE: AgentSoftwareState = { formatVersion: 1, acknowledgedDigest: null, acknowledgedAt: null, lastCollection: null, lastError: null };

/** Reads software-inventory.json; undefined when absent; throws STATE_CORRUPT when unreadable. */
export async function readSoftwareState(files: Pick<FileStore, 'read'>, stateDir: string): Promise<AgentSoftwareState | undefined> {
  const text = await files.read(join(stateDir, SOFTWARE_STATE_FILE));
  if (text === undefined) return undefined;
  return validate(AgentSoftwareState, parseJsonText(text, SOFTWARE_STATE_FILE, 'STATE_CORRUPT'), SOFTWARE_STATE_FILE, 'STATE_CORRUPT');
}

export class SoftwareUploader {
  private readonly retry: SyncRetry;
  private readonly timers: TimerHandle[] = [];
  private readonly controller = new AbortController();
  private running: Promise<void> | undefined;
  /** A request that came while a run was in progress: one more run follows it (an update's new versions). */
  private again = false;
  private stopped = false;

  constructor(
    private readonly options: SoftwareUploadOptions,
    private readonly deps: SoftwareUploadDeps,
  ) {
    if (!(options.intervalMs > 0)) throw new RangeError(`software inventory interval must be > 0 ms, got ${options.intervalMs}`);
    this.retry = new SyncRetry(options.retry ?? {}, {
      run: () => void this.collectNow(),
      random: deps.clock.random,
      setTimer: (fn, ms) => deps.clock.setTimer(fn, ms),
    });
  }

  /** Schedules the first collection (jittered within the first-delay window), then one every interval. */
  start(): void {
    const { min, max } = this.options.firstDelayMs ?? SOFTWARE_FIRST_DELAY_MS;
    const { clock } = this.deps;
    const first = Math.round(min + (max - min) * clock.random());
    this.timers.push(
      clock.setTimer(() => {
        if (this.stopped) return;
        this.timers.push(clock.every(this.options.intervalMs, () => this.collectNow()));
        return this.collectNow();
      }, first),
    );
  }

  /** Collects (and uploads when changed) now; joins a run in progress and asks for one more after it. */
  collectNow(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = (async () => {
      do {
        this.again = false;
        await this.runOnce();
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
    });
    this.running = run;
    return run;
  }

  /** Stops timers and retries and aborts a collection in progress (its tool is killed); waits for the run to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.retry.cancel();
    for (const t of this.timers.splice(0)) t.cancel();
    this.controller.abort(new AttacheError('ACTION_INTERRUPTED', 'the agent is stopping'));
    await this.running;
  }

  private async runOnce(): Promise<void> {
    const state = await this.readState();
    let inventory: SoftwareInventory | undefined;
    try {
      const collected = await this.deps.collector.collect(this.controller.signal);
      // Cut to the route's body limit before the gate, so the digest compared is the one the endpoint acknowledges.
      const body = fitSoftwareUpload({ deviceId: this.deps.deviceId, inventory: collected });
      inventory = body.inventory;
      if (inventory !== collected) {
        const dropped = collected.items.length - inventory.items.length;
        this.deps.logger.warn('software inventory cut to fit the upload limit', {
          items: inventory.items.length,
          dropped,
          maxBytes: MAX_SOFTWARE_UPLOAD_BYTES,
        });
      }
      const { upload: changed, digest } = softwareDelta(state.acknowledgedDigest ?? undefined, inventory);
      // An unchanged inventory goes again once the last acknowledgement is old: the endpoint dates exposure by it.
      const acknowledged = state.acknowledgedAt === null ? Number.NaN : Date.parse(state.acknowledgedAt);
      const upload = changed || !(this.deps.clock.now() - acknowledged < SOFTWARE_RESEND_AFTER_MS);
      const lastCollection = { collectedAt: inventory.collectedAt, items: inventory.items.length, truncated: inventory.truncated, digest };
      if (!upload) {
        await this.writeState({ ...state, lastCollection, lastError: null });
        this.finish({ kind: 'unchanged', digest, items: inventory.items.length });
        return;
      }
      const postSoftware = this.deps.client.postSoftware;
      if (!postSoftware) throw new AttacheError('NOT_FOUND', 'this transport has no route for software uploads');
      const ack = await postSoftware.call(this.deps.client, body);
      await this.writeState({ ...state, acknowledgedDigest: ack.digest, acknowledgedAt: isoNow(this.deps.clock), lastCollection, lastError: null });
      this.deps.logger.info('software inventory uploaded', {
        digest: ack.digest,
        items: inventory.items.length,
        truncated: inventory.truncated,
        stored: ack.stored,
      });
      this.finish({ kind: 'uploaded', digest: ack.digest, items: inventory.items.length });
    } catch (err) {
      if (this.stopped) return;
      const e = toAttacheError(err);
      const during = inventory ? 'upload' : 'collection';
      this.deps.logger.error('software inventory failed', { code: e.code, during, error: e.message });
      const lastError = { at: isoNow(this.deps.clock), code: e.code, message: `${during}: ${e.message}`.slice(0, 2048) };
      const lastCollection = inventory
        ? { collectedAt: inventory.collectedAt, items: inventory.items.length, truncated: inventory.truncated, digest: inventory.digest }
        : state.lastCollection;
      await this.writeState({ ...state, lastCollection, lastError });
      this.retry.observe(e.code, e.retryAfterMs);
      this.deps.onRun?.({ kind: 'failed', code: e.code, message: e.message });
    }
  }

  private finish(outcome: SoftwareRunOutcome): void {
    this.retry.observe(undefined);
    this.deps.onRun?.(outcome);
  }

  /** The saved state; an unreadable or corrupt file counts as none (the next upload goes through) and is logged. */
  private async readState(): Promise<AgentSoftwareState> {
    try {
      return (await readSoftwareState(this.deps.files, this.deps.stateDir)) ?? EMPTY_STATE;
    } catch (err) {
      this.deps.logger.warn('software inventory state unreadable, treated as none', { file: SOFTWARE_STATE_FILE, error: (err as Error).message });
      return EMPTY_STATE;
    }
  }

  private async writeState(state: AgentSoftwareState): Promise<void> {
    try {
      await this.deps.files.writeAtomic(join(this.deps.stateDir, SOFTWARE_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    } catch (err) {
      // The next run uploads again (the gate has no digest): more traffic, nothing lost.
      this.deps.logger.warn('software inventory state not saved', { file: SOFTWARE_STATE_FILE, error: (err as Error).message });
    }
  }
}
