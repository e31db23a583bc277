// The durable record of every response action this device has seen (<stateDir>/actions.json, owner-only, written
// atomically after each change): what the replay check, the re-sent outcomes and the recovery after a kill read.
import { join } from 'node:path';
import { AttacheError } from '../../../../common/errors.js';
import { parseJsonText } from '../../../../common/json-text.js';
import { validate } from '../../../../common/validation.js';
import { type AgentActionEntry, AgentActionLedger } from '../../../../policy-schemas/src/index.js';
import { ACTIONS_FILE } from '../../state/state-store.js';
import type { FileStore } from '../../system/file-store.js';

export { ACTIONS_FILE };
/** An entry is forgotten this long after its expiresAt (a later re-delivery is refused as expired anyway). */
export const LEDGER_RETENTION_MS = 24 * 3600_000;

export type { AgentActionEntry };

export class ActionLedger {
  private entries = new Map<string, AgentActionEntry>();
  /** The replay floor in ms (0: none): envelopes expiring at or before it are replays (review 17b #13). */
  private floorMs = 0;
  private writing: Promise<void> = Promise.resolve();
  private readonly path: string;

  constructor(
    stateDir: string,
    private readonly files: FileStore,
    private readonly onProblem: (message: string, details: Record<string, string>) => void = () => undefined,
  ) {
    this.path = join(stateDir, ACTIONS_FILE);
  }

  /**
   * Reads actions.json. An unreadable file is kept aside as actions.json.corrupt and the ledger starts empty: signature
   * and expiry checks still hold, and refusing every action forever would be worse than re-running an idempotent one.
   */
  async load(): Promise<void> {
    const text = await this.files.read(this.path);
    if (text === undefined) return;
    try {
      const ledger = validate(AgentActionLedger, parseJsonText(text, this.path, 'STATE_CORRUPT'), ACTIONS_FILE, 'STATE_CORRUPT');
      this.entries = new Map(Object.entries(ledger.actions));
      this.floorMs = ledger.expiryFloor ? Date.parse(ledger.expiryFloor) : 0;
    } catch (err) {
      await this.files.writeAtomic(`${this.path}.corrupt`, text, { mode: 0o600 });
      this.onProblem('actions.json unreadable, set aside', { keptAs: `${ACTIONS_FILE}.corrupt`, error: (err as Error).message });
      this.entries = new Map();
      this.resetAt = true;
    }
  }

  /** Set by load() after a corrupt ledger: the next prune (at start) puts the floor at that moment. */
  private resetAt = false;

  /** True when an envelope expiring at `expiresAt` is older than what the ledger has forgotten (a replay). */
  belowFloor(expiresAt: string): boolean {
    return this.floorMs > 0 && Date.parse(expiresAt) <= this.floorMs;
  }

  get(actionId: string): AgentActionEntry | undefined {
    return this.entries.get(actionId);
  }

  all(): [string, AgentActionEntry][] {
    return [...this.entries];
  }

  /** Records the entry and writes the file before resolving (writes are serialised, the last state wins). */
  async put(actionId: string, entry: AgentActionEntry): Promise<void> {
    this.entries.set(actionId, entry);
    await this.save();
  }

  /** Drops entries whose expiresAt is more than LEDGER_RETENTION_MS before `nowMs`; returns how many. */
  async prune(nowMs: number): Promise<number> {
    let dropped = 0;
    const floorBefore = this.floorMs;
    // A reset ledger forgot everything: whatever expired before now cannot be told from a replay any more.
    if (this.resetAt) this.floorMs = Math.max(this.floorMs, nowMs);
    this.resetAt = false;
    for (const [id, entry] of this.entries) {
      if (entry.status === 'inProgress' || entry.status === 'pending') continue;
      if (Date.parse(entry.expiresAt) + LEDGER_RETENTION_MS < nowMs) {
        this.entries.delete(id);
        this.floorMs = Math.max(this.floorMs, Date.parse(entry.expiresAt));
        dropped++;
      }
    }
    if (dropped > 0 || this.floorMs !== floorBefore) await this.save();
    return dropped;
  }

  private save(): Promise<void> {
    const run = async () => {
      const body: AgentActionLedger = {
        formatVersion: 1,
        actions: Object.fromEntries(this.entries),
        ...(this.floorMs > 0 ? { expiryFloor: new Date(this.floorMs).toISOString() } : {}),
      };
      try {
        await this.files.writeAtomic(this.path, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
      } catch (err) {
        throw new AttacheError('STATE_WRITE_FAILED', `cannot write ${ACTIONS_FILE}: ${(err as Error).message}`, { cause: err });
      }
    };
    const next = this.writing.then(run, run);
    this.writing = next.catch(() => undefined);
    return next;
  }
}
