// Files the agent manages on the OS (mdatp_managed.json, pf anchor files, …): read, atomic replace with owner and
// mode, remove. The real store uses the file system; the memory store serves boundary tests and simulated hosts.
import { chmod, chown, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../state/atomic-file.js';

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
  /** Mode bits of the file, or undefined when it does not exist. */
  mode(path: string): Promise<number | undefined>;
  /** Creates the directory (and missing parents) with this mode when it is missing; an existing one is left as it is. */
  ensureDir?(path: string, mode: number): Promise<void>;
}

export class NodeFileStore implements FileStore {
  async read(path: string): Promise<string | undefined> {
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
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

  async mode(path: string): Promise<number | undefined> {
    try {
      return (await stat(path)).mode & 0o7777;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
}

/** An in-memory file system: what a provider wrote, with the mode it asked for. */
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
    return this.files.get(path)?.mode;
  }

  async ensureDir(path: string, mode: number): Promise<void> {
    if (!this.dirs.has(path)) this.dirs.set(path, mode);
  }
}
