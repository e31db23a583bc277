// The POSIX ustar format (IEEE Std 1003.1, "pax" interchange's base), written entry by entry and gzip'd as it streams,
// so an endpoint backup or an agent's investigation package of any size never sits in memory; GNU tar, bsdtar and
// Windows' tar.exe read it, which the restore guide and the package download rely on.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

const BLOCK = 512;

function octal(value: number, width: number): string {
  // width - 1 digits and a NUL, as tar readers expect.
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/**
 * The 512-byte header of a regular file. Names are ASCII paths of at most 100 bytes (ours are `data/<file>`); a
 * longer or non-ASCII name throws rather than being truncated into another file's name.
 */
export function tarHeader(name: string, size: number, mtime: Date, mode = 0o600): Buffer {
  if (!/^[\x20-\x7e]{1,100}$/.test(name) || name.startsWith('/') || name.split('/').includes('..')) {
    throw new Error(`cannot store "${name}" in the archive: names must be relative ASCII paths of at most 100 characters`);
  }
  const h = Buffer.alloc(BLOCK, 0);
  h.write(name, 0, 'ascii');
  h.write(octal(mode, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii'); // uid: restore as whoever extracts (see docs/deploy.md)
  h.write(octal(0, 8), 116, 'ascii'); // gid
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 'ascii');
  h.write('0', 156, 'ascii'); // regular file
  h.write('ustar\x0000', 257, 'ascii');
  // The checksum is computed with its own field read as eight spaces.
  h.write('        ', 148, 'ascii');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/** Zero bytes that pad a file's data to the next block boundary. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK, 0);
}

/** The end of an archive: two zero blocks. */
export function tarEnd(): Buffer {
  return Buffer.alloc(2 * BLOCK, 0);
}

/** One whole entry held in memory: header, data, padding. */
export function* tarEntry(name: string, data: Buffer, mtime: Date, mode = 0o600): Generator<Buffer> {
  yield tarHeader(name, data.length, mtime, mode);
  yield data;
  yield tarPadding(data.length);
}

/** Size of a gzip'd archive as written, and its SHA-256 (what a download is checked against). */
export interface WrittenArchive {
  readonly sizeBytes: number;
  readonly sha256: string;
}

/**
 * Gzips the archive blocks `blocks` yields (headers, data, padding, tarEnd) into a new file `out` (never overwriting
 * one: flag wx), mode 0600 unless told; hashes the compressed bytes on the way. `signal` stops it (the caller removes
 * the partial file).
 */
export async function writeTarGz(
  blocks: AsyncIterable<Buffer> | Iterable<Buffer>,
  out: string,
  options: { readonly mode?: number; readonly signal?: AbortSignal } = {},
): Promise<WrittenArchive> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      sizeBytes += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(
    Readable.from(blocks),
    createGzip(),
    measure,
    createWriteStream(out, { flags: 'wx', mode: options.mode ?? 0o600 }),
    options.signal ? { signal: options.signal } : {},
  );
  return { sizeBytes, sha256: hash.digest('hex') };
}
