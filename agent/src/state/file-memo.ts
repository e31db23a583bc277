// Memory of state files: the agent is the only writer of its state dir, so what it last read or wrote stands until its
// own next write. Spares the sync the disk read, JSON parse and schema check of files that did not change.

/** What is remembered of one file: the text the agent wrote (checked on first read) or the checked value. */
type Entry = { readonly text: string; value?: never } | { readonly value: unknown; text?: never };

/**
 * Remembers the checked content of each file by name. A write forgets the file first and remembers the new text only
 * once the write succeeded (a failed write — ENOSPC — leaves nothing that claims the new content); a read that raced a
 * write is not remembered. Values are deep-frozen: every caller shares them.
 */
export class FileMemo {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every write or removal of a file, so a read or write that finishes after a newer one is not kept. */
  private readonly generations = new Map<string, number>();

  /** The file's checked content: remembered, or `load`ed (from disk) and remembered; a failed load is not kept. */
  async read<T>(name: string, load: () => Promise<string | undefined>, check: (text: string) => T): Promise<T | undefined> {
    const entry = this.entries.get(name);
    if (entry?.text !== undefined) return this.keep(name, check(entry.text));
    if (entry) return entry.value as T | undefined;
    const generation = this.generation(name);
    const text = await load();
    const value = text === undefined ? undefined : check(text);
    if (this.generation(name) === generation) this.keep(name, value);
    return value;
  }

  /**
   * Writes the file through `store`; remembered only when the write succeeded and no newer one began meanwhile. With
   * `value` (what `text` encodes, already checked by the writer: its own outcome, or a set it validated and verified)
   * the next read is served without parsing and checking the text again; `value` is frozen from then on.
   */
  async write(name: string, text: string, store: () => Promise<void>, value?: unknown): Promise<void> {
    const generation = this.forget(name);
    await store();
    if (this.generation(name) !== generation) return;
    if (value === undefined) this.entries.set(name, { text });
    else this.keep(name, value);
  }

  /** Forgets the file (before it is removed or replaced); returns its new generation. */
  forget(name: string): number {
    this.entries.delete(name);
    const generation = this.generation(name) + 1;
    this.generations.set(name, generation);
    return generation;
  }

  private generation(name: string): number {
    return this.generations.get(name) ?? 0;
  }

  private keep<T>(name: string, value: T): T {
    this.entries.set(name, { value: deepFreeze(value) });
    return value;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
