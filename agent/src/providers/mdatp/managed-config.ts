// The one managed-configuration file of a host (mdatp_managed.json on Linux, the com.microsoft.wdav managed preferences
// on macOS): read-modify-write through a FileStore, atomic, with the file's owner and mode, serialised so the providers
// of the four policy kinds that share it never interleave. Keys we do not manage pass through untouched.

import { MAX_JSON_DEPTH, nestedDeeperThan } from '../../../../common/json-text.js';
import type { FileStore, WriteOptions } from '../../system/file-store.js';
import { type Dict, isDict } from './document.js';

/** How a document is stored: parse and write the text, and turn format-specific leaves into plain JSON values. */
export interface DocumentCodec {
  /** e.g. "JSON", "XML property list". */
  readonly name: string;
  /** The document; throws when the text is not a dictionary in this format. */
  parse(text: string): Dict;
  serialize(doc: Dict): string;
  /** A copy of the document with plain JSON values only (e.g. a property-list real as a number). */
  plain(doc: Dict): Dict;
}

/** mdatp_managed.json: JSON with two-space indent and a final newline, as Microsoft's samples are written. */
export const JSON_CODEC: DocumentCodec = {
  name: 'JSON',
  parse(text) {
    const doc: unknown = JSON.parse(text);
    if (!isDict(doc)) throw new Error('the top level is not a JSON object');
    if (nestedDeeperThan(doc, MAX_JSON_DEPTH)) throw new Error(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    return doc;
  },
  serialize: (doc) => `${JSON.stringify(doc, null, 2)}\n`,
  plain: (doc) => doc,
};

export interface ManagedConfigOptions {
  readonly path: string;
  readonly codec: DocumentCodec;
  /** Mode and owner of the file (and nothing else: the directory gets `dirMode`). */
  readonly write: WriteOptions;
  /** Mode of the directory when it has to be created. */
  readonly dirMode: number;
}

/** The owner to give the file: root (0:0, root:wheel on macOS) when the agent runs as root, else none (its own user). */
export function rootOwnerWhenRoot(): { uid: number; gid: number } | null {
  return typeof process.getuid === 'function' && process.getuid() === 0 ? { uid: 0, gid: 0 } : null;
}

/** Thrown when the file exists but cannot be read as a document; it is then never rewritten. */
export class ManagedConfigError extends Error {
  override readonly name = 'ManagedConfigError';
}

/** The shared document. Every read and write goes through one queue, so concurrent callers see a serial history. */
export class ManagedConfigFile {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly options: ManagedConfigOptions,
    private readonly files: FileStore,
  ) {}

  get path(): string {
    return this.options.path;
  }

  /** The document as plain JSON values ({} when the file does not exist). */
  read(): Promise<Dict> {
    return this.serial(async () => this.options.codec.plain(await this.load()));
  }

  /**
   * Loads the document, lets `change` modify it in place, and writes it back when `change` says it changed anything.
   * Returns what `change` returned.
   */
  update<T>(change: (doc: Dict) => { changed: boolean; result: T }): Promise<T> {
    return this.serial(async () => {
      const doc = await this.load();
      const { changed, result } = change(doc);
      if (changed) await this.store(doc);
      return result;
    });
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async load(): Promise<Dict> {
    const text = await this.files.read(this.path);
    if (text === undefined || text.trim() === '') return {};
    try {
      return this.options.codec.parse(text);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new ManagedConfigError(`${this.path} is not a valid ${this.options.codec.name} document, left unchanged: ${why}`, { cause: err });
    }
  }

  private async store(doc: Dict): Promise<void> {
    const text = this.options.codec.serialize(doc);
    const dir = this.path.slice(0, Math.max(this.path.lastIndexOf('/'), 0)) || '/';
    await this.files.ensureDir(dir, this.options.dirMode);
    await this.files.writeAtomic(this.path, text, this.options.write);
  }
}
