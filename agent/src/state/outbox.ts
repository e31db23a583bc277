// A durable outbox: messages for the endpoint wait here, one JSON file each, until it acknowledges them. The state
// store keeps two (status reports in `outbox/`, risk signals in `signals-outbox/`); both are this one class.

import { join } from 'node:path';
import { parseJsonText } from '../../../common/json-text.js';
import type { FileStore } from '../system/file-store.js';

export interface OutboxOptions<T> {
  /** The directory holding the queued files (created by the state store's init). */
  readonly dir: string;
  /**
   * What follows the sequence number in a file name, before `.json` (e.g. the report id). File names are
   * `<sequence, 16 digits>-<tag>.json`: the zero padding makes name order the queue order, across restarts.
   */
  readonly tag: RegExp;
  /** Most files kept; queuing one more drops the oldest (a long outage must not fill the disk). */
  readonly limit: number;
  /** What is written for a message (default: the message itself, as JSON). */
  readonly encode?: (message: T) => unknown;
  /** True when a newly queued message (`tag`) makes an older queued one (`oldTag`) pointless to send. */
  readonly supersedes?: (tag: string, oldTag: string) => boolean;
  /** Checks a queued message read back; throwing sets the file aside (it could never be sent). */
  readonly decode: (data: unknown, tag: string) => T;
  /** Told about every file set aside as unreadable, with where it was kept and why (the state store logs it). */
  readonly onCorrupt?: (name: string, keptAs: string, error: string) => void;
}

/** One queued message and the file name that acknowledges it. */
export interface Queued<T> {
  readonly name: string;
  readonly message: T;
}

const SEQUENCE_DIGITS = 16;

export class Outbox<T> {
  private readonly fileName: RegExp;
  /**
   * What this process queued, by file name: a file read back with exactly the text written is not parsed and decoded
   * again (the agent flushes after every enqueue). A file changed on disk is decoded as any other.
   */
  private readonly written = new Map<string, { readonly text: string; readonly message: T }>();

  constructor(
    private readonly options: OutboxOptions<T>,
    private readonly files: FileStore,
  ) {
    this.fileName = new RegExp(`^\\d{${SEQUENCE_DIGITS}}-(${options.tag.source})\\.json$`);
  }

  /**
   * Queues a message durably (atomic write, owner-only), then drops the queued messages it supersedes and the oldest
   * beyond the limit. Returns its file name.
   */
  async enqueue(sequence: number, tag: string, message: T): Promise<string> {
    if (!Number.isSafeInteger(sequence) || sequence < 0 || String(sequence).length > SEQUENCE_DIGITS)
      throw new RangeError(`outbox sequence must be a whole number of at most ${SEQUENCE_DIGITS} digits, got ${sequence}`);
    const name = `${String(sequence).padStart(SEQUENCE_DIGITS, '0')}-${tag}.json`;
    if (!this.fileName.test(name)) throw new RangeError(`outbox tag ${JSON.stringify(tag)} does not match ${this.options.tag.source}`);
    const text = JSON.stringify(this.options.encode ? this.options.encode(message) : message);
    this.written.delete(name);
    await this.files.writeAtomic(join(this.options.dir, name), text, { mode: 0o600 });
    this.written.set(name, { text, message });
    const supersedes = this.options.supersedes;
    let names = await this.names();
    if (supersedes) {
      const older = names.filter((old) => old !== name && supersedes(tag, this.tagOf(old) as string));
      for (const old of older) await this.remove(old);
      names = names.filter((n) => !older.includes(n));
    }
    for (const old of names.slice(0, Math.max(0, names.length - this.options.limit))) await this.remove(old);
    return name;
  }

  /**
   * Queued messages, oldest first. A file that cannot be read or decoded could never be sent: it is set aside as
   * `<name>.corrupt` (out of the queue, kept for whoever investigates) and reported through `onCorrupt`.
   */
  async pending(): Promise<Queued<T>[]> {
    const out: Queued<T>[] = [];
    for (const name of await this.names()) {
      const path = join(this.options.dir, name);
      let text: string | undefined;
      try {
        text = await this.files.read(path);
      } catch {
        continue; // the read failed (EIO, EMFILE…), not the file: it stays queued for the next flush
      }
      if (text === undefined) continue; // removed meanwhile (acknowledged)
      const mine = this.written.get(name);
      if (mine?.text === text) {
        out.push({ name, message: mine.message });
        continue;
      }
      try {
        out.push({ name, message: this.options.decode(parseJsonText(text, name, 'STATE_CORRUPT'), this.tagOf(name) as string) });
      } catch (err) {
        const keptAs = `${name}.corrupt`;
        try {
          await this.files.writeAtomic(join(this.options.dir, keptAs), text, { mode: 0o600 });
        } catch {
          continue; // no copy, no removal: it is skipped until the copy can be made
        }
        await this.remove(name);
        this.options.onCorrupt?.(name, keptAs, (err as Error).message);
      }
    }
    return out;
  }

  /** Acknowledges (removes) a queued message; absent is fine. */
  async remove(name: string): Promise<void> {
    this.written.delete(name);
    await this.files.remove(join(this.options.dir, name));
  }

  /** Removes every queued message. */
  async clear(): Promise<void> {
    for (const name of await this.names()) await this.remove(name);
  }

  /** Highest sequence number queued (0 when empty), so a restarted agent keeps the order. */
  async lastSequence(): Promise<number> {
    const last = (await this.names()).at(-1);
    return last ? Number.parseInt(last.slice(0, SEQUENCE_DIGITS), 10) : 0;
  }

  /** The tag of a queued file's name. */
  tagOf(name: string): string | undefined {
    return this.fileName.exec(name)?.[1];
  }

  /** Names of the queued files, oldest first; other files in the directory (temp files) are ignored. */
  async names(): Promise<string[]> {
    let names: string[];
    try {
      names = await this.files.list(this.options.dir);
    } catch {
      return [];
    }
    return names.filter((n) => this.fileName.test(n)).sort();
  }
}
