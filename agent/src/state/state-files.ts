// The file operations the state store uses: the disk (atomic writes) by default, or memory, so the fleet simulator
// can run thousands of agents in one process without thousands of state dirs and fsyncs.
import { chmod, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';

/** What StateStore needs from a file system. Reads of a missing file throw an error with `code: 'ENOENT'`. */
export interface StateFiles {
  mkdir(path: string, options: { recursive: true; mode: number }): Promise<unknown>;
  chmod(path: string, mode: number): Promise<void>;
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  /** Replaces the file in one step: a crash leaves the old or the new content, never a mix. */
  writeFileAtomic(path: string, data: string, mode: number): Promise<void>;
  readdir(path: string): Promise<string[]>;
  rm(path: string, options: { force: true }): Promise<void>;
}

/** The real file system. */
export const diskStateFiles: StateFiles = { mkdir, chmod, readFile, writeFileAtomic, readdir, rm };

function notFound(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT', path });
}

/**
 * An in-memory file system: a map of path → text. Writes are atomic by construction. Modes are ignored (nothing
 * else can read it). Used by the fleet simulator; also handy for unit tests of code that takes a StateStore.
 */
export class MemoryStateFiles implements StateFiles {
  private readonly files = new Map<string, string>();
  private readonly dirs = new Set<string>();

  async mkdir(path: string): Promise<undefined> {
    for (let dir = path; !this.dirs.has(dir) && dir !== dirname(dir); dir = dirname(dir)) this.dirs.add(dir);
    return undefined;
  }

  async chmod(path: string): Promise<void> {
    if (!this.dirs.has(path) && !this.files.has(path)) throw notFound(path);
  }

  async readFile(path: string): Promise<string> {
    const text = this.files.get(path);
    if (text === undefined) throw notFound(path);
    return text;
  }

  async writeFileAtomic(path: string, data: string): Promise<void> {
    if (!this.dirs.has(dirname(path))) throw notFound(dirname(path));
    this.files.set(path, data);
  }

  async readdir(path: string): Promise<string[]> {
    if (!this.dirs.has(path)) throw notFound(path);
    const prefix = `${path}/`;
    return [...this.files.keys()].filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/')).map((p) => p.slice(prefix.length));
  }

  async rm(path: string): Promise<void> {
    this.files.delete(path);
  }

  /** Total characters held (a footprint measure). */
  get size(): number {
    let total = 0;
    for (const text of this.files.values()) total += text.length;
    return total;
  }
}
