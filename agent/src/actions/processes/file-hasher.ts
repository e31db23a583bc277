// SHA-256 / SHA-1 / MD5 of executables for file-hash indicators. Files above a size cap are not hashed (a 4 GB binary
// would stall every check); results are cached by path + mtime + size, so an unchanged executable is read once,
// however many processes run it and however often the check runs.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

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

  /** Hashes the file (only the algorithms asked for); undefined when it is unreadable, not a file or too large. */
  async hash(path: string, want: HashRequest): Promise<FileHashes | undefined> {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch {
      return undefined;
    }
    if (!info.isFile() || info.size > this.options.maxBytes) return undefined;
    const cached = this.cache.get(path);
    if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size && ALGORITHMS.every((a) => !want[a] || cached.hashes[a])) {
      return cached.hashes;
    }
    const hashes = await this.read(path, want).catch(() => undefined);
    if (!hashes) return undefined;
    this.cache.delete(path);
    this.cache.set(path, { mtimeMs: info.mtimeMs, size: info.size, hashes });
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    return hashes;
  }

  private read(path: string, want: HashRequest): Promise<FileHashes> {
    this.reads++;
    const hashes = ALGORITHMS.filter((a) => want[a]).map((a) => [a, createHash(a)] as const);
    return new Promise((resolve, reject) => {
      // Reads stop at the cap even if the file grew since stat.
      const stream = createReadStream(path, { end: this.options.maxBytes - 1 });
      stream.on('data', (chunk) => {
        for (const [, h] of hashes) h.update(chunk);
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(Object.fromEntries(hashes.map(([a, h]) => [a, h.digest('hex')]))));
    });
  }
}
