// The one file-system port of the agent: read, atomic replace with owner and mode, remove, list a directory, create a
// directory. Used by the state store, the providers (mdatp_managed.json, pf anchor files, …) and the risk sources.
// NodeFileStore is the disk; MemoryFileStore serves boundary tests, simulated hosts and the fleet simulator.
import { chmod, chown, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../../../common/atomic-file.js';

export interface WriteOptions {
  /** POSIX mode of the new file (default 0600); ignored on Windows, where the installer sets ACLs. */
  readonly mode?: number;
  /** Owner to set (root: 0/0); omitted: the agent's own user. */
  readonly uid?: number;
  readonly gid?: number;
}

export interface FileStore {
  /** The file's text, or undefined when it does not exist. */
  read(path: string): Promise<string | undefined>;
  /** Replaces the file atomically (temp + fsync + rename); a crash leaves the old or the new file, never a torn one. */
  writeAtomic(path: string, data: string, options?: WriteOptions): Promise<void>;
  /** Removes the file; absent is fine. */
  remove(path: string): Promise<void>;
  /** Mode bits of the file or directory, or undefined when it does not exist. */
  mode(path: string): Promise<number | undefined>;
  /** Sets the mode bits of an existing file or directory. */
  setMode(path: string, mode: number): Promise<void>;
  /** Creates the directory (and missing parents) with this mode when it is missing; an existing one is left as it is. */
  ensureDir(path: string, mode: number): Promise<void>;
  /** Names of the entries directly in the directory, in no particular order; none when it does not exist. */
  list(dir: string): Promise<string[]>;
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

export class NodeFileStore implements FileStore {
  async read(path: string): Promise<string | undefined> {
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async writeAtomic(path: string, data: string, options: WriteOptions = {}): Promise<void> {
    await writeFileAtomic(path, data, options.mode ?? 0o600);
    if (options.uid !== undefined && options.gid !== undefined) await chown(path, options.uid, options.gid);
  }

  async remove(path: string): Promise<void> {
    await rm(path, { force: true });
  }

  async ensureDir(path: string, mode: number): Promise<void> {
    // mkdir's mode is filtered by the umask; set the leaf's mode explicitly when we created it.
    const created = await mkdir(path, { recursive: true, mode });
    if (created !== undefined) await chmod(path, mode);
  }

  async setMode(path: string, mode: number): Promise<void> {
    await chmod(path, mode);
  }

  async mode(path: string): Promise<number | undefined> {
    try {
      return (await stat(path)).mode & 0o7777;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async list(dir: string): Promise<string[]> {
    try {
      return await readdir(dir);
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
  }
}

/**
 * An in-memory file system: what was written, with the mode it asked for. Writes are atomic by construction and do not
 * need the parent directory to exist (a host's system directories are taken as present). Thousands of simulated
 * agents' state dirs fit in one process this way, without thousands of fsyncs.
 */
export class MemoryFileStore implements FileStore {
  readonly files = new Map<string, { data: string; mode: number }>();
  /** Directories created through ensureDir, with their mode. */
  readonly dirs = new Map<string, number>();

  async read(path: string): Promise<string | undefined> {
    return this.files.get(path)?.data;
  }

  async writeAtomic(path: string, data: string, options: WriteOptions = {}): Promise<void> {
    this.files.set(path, { data, mode: options.mode ?? 0o600 });
  }

  async remove(path: string): Promise<void> {
    this.files.delete(path);
  }

  async mode(path: string): Promise<number | undefined> {
    return this.files.get(path)?.mode ?? this.dirs.get(path);
  }

  async setMode(path: string, mode: number): Promise<void> {
    const file = this.files.get(path);
    if (file) file.mode = mode;
    else if (this.dirs.has(path)) this.dirs.set(path, mode);
    else throw Object.assign(new Error(`ENOENT: no such file or directory, chmod '${path}'`), { code: 'ENOENT', path });
  }

  async ensureDir(path: string, mode: number): Promise<void> {
    // Missing parents are created too, as mkdir -p; only the leaf gets the mode asked for (as on disk).
    for (let dir = dirname(path); !this.dirs.has(dir) && dir !== dirname(dir); dir = dirname(dir)) this.dirs.set(dir, 0o755);
    if (!this.dirs.has(path)) this.dirs.set(path, mode);
  }

  async list(dir: string): Promise<string[]> {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    const names = new Set<string>();
    for (const path of [...this.files.keys(), ...this.dirs.keys()]) {
      if (path.startsWith(prefix) && path.length > prefix.length) names.add(path.slice(prefix.length).split('/')[0] as string);
    }
    return [...names];
  }

  /** Total characters held (a footprint measure for the fleet simulator). */
  get size(): number {
    let total = 0;
    for (const { data } of this.files.values()) total += data.length;
    return total;
  }
}
