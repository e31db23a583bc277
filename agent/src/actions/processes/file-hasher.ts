// SHA-256 / SHA-1 / MD5 of executables for file-hash indicators. Files above a size cap are not hashed (a 4 GB binary
// would stall every check); results are cached by path + mtime + size, so an unchanged executable is read once,
// however many processes run it and however often the check runs.
import { lstat } from 'node:fs/promises';
import { hashRegularFile } from '../quarantine-fs.js';

export interface FileHashes {
  readonly sha256?: string;
  readonly sha1?: string;
  readonly md5?: string;
}

/** Which digests to compute. */
export interface HashRequest {
  readonly sha256: boolean;
  readonly sha1: boolean;
  readonly md5?: boolean;
}

const ALGORITHMS = ['sha256', 'sha1', 'md5'] as const;

interface Entry {
  readonly mtimeMs: number;
  readonly size: number;
  readonly hashes: FileHashes;
}

/** Most files remembered; the oldest entry goes first beyond it. */
const CACHE_LIMIT = 10_000;

export class FileHasher {
  private readonly cache = new Map<string, Entry>();
  /** Files actually read (tests check the cache with it). */
  reads = 0;

  constructor(private readonly options: { readonly maxBytes: number }) {}

  /**
   * Hashes the file (only the algorithms asked for); undefined when it is unreadable, not a regular file, a symlink or
   * too large. The stat and the read are of one descriptor opened O_NOFOLLOW|O_NONBLOCK (review 17b #5): a path swapped
   * for a FIFO between the two can no longer tie up a threadpool thread.
   */
  async hash(path: string, want: HashRequest): Promise<FileHashes | undefined> {
    const cached = this.cache.get(path);
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isFile() || info.size > this.options.maxBytes) return undefined;
    if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size && ALGORITHMS.every((a) => !want[a] || cached.hashes[a])) {
      return cached.hashes;
    }
    this.reads++;
    const read = await hashRegularFile(
      path,
      ALGORITHMS.filter((a) => want[a]),
      this.options.maxBytes,
    ).catch(() => undefined);
    if (!read) return undefined;
    const hashes = read.digests as FileHashes;
    this.cache.delete(path);
    this.cache.set(path, { mtimeMs: read.info.mtimeMs, size: read.info.size, hashes });
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    return hashes;
  }
}
