// A small reader of zip archives held in memory (APPNOTE.TXT 6.3: end of central directory, central directory, local
// headers), for advisory archives such as osv.dev's `<ecosystem>/all.zip`. Stored and deflated entries only, sizes
// and inflate ratios capped before anything is inflated, CRC-32 checked; ZIP64, multi-disk and encrypted archives are refused.
import { crc32, inflateRawSync } from 'node:zlib';
import { AttacheError } from '../../../common/errors.js';
import { hasUnsafeCharacters } from '../../../common/terminal-text.js';

/** One file of the archive, its content inflated and checked. */
export interface ZipEntry {
  readonly name: string;
  readonly data: Buffer;
}

/** Limits of one read: the largest entry and the largest total, both uncompressed, and the largest inflate ratio. */
export interface ZipLimits {
  readonly maxEntryBytes: number;
  readonly maxTotalBytes: number;
  /** Uncompressed ÷ compressed size of one entry above RATIO_FLOOR_BYTES, checked before it is inflated. */
  readonly maxRatio: number;
}

/** Entries up to this size are inflated whatever their ratio: small and cheap, and tiny files compress oddly. */
export const RATIO_FLOOR_BYTES = 64 * 1024;

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const ZIP64_LOCATOR = 0x07064b50;

function zipError(file: string, reason: string): AttacheError {
  return new AttacheError('ADVISORY_INVALID', `zip archive ${JSON.stringify(file)} cannot be read: ${reason}; nothing was imported`);
}

/** True when the bytes start like a zip archive (a local header, or the end record of an empty archive). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

/** The end-of-central-directory record: searched backwards over the comment (at most 65,535 bytes). */
function findEnd(buf: Buffer, file: string): { count: number; size: number; offset: number } {
  for (let at = buf.length - 22; at >= Math.max(0, buf.length - 22 - 0xffff); at--) {
    if (buf.readUInt32LE(at) !== EOCD || at + 22 + buf.readUInt16LE(at + 20) !== buf.length) continue;
    if (at >= 20 && buf.readUInt32LE(at - 20) === ZIP64_LOCATOR) throw zipError(file, 'ZIP64 archives are not supported (split the archive)');
    if (buf.readUInt16LE(at + 4) !== 0 || buf.readUInt16LE(at + 6) !== 0) throw zipError(file, 'multi-disk archives are not supported');
    const count = buf.readUInt16LE(at + 10);
    const size = buf.readUInt32LE(at + 12);
    const offset = buf.readUInt32LE(at + 16);
    if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) throw zipError(file, 'ZIP64 archives are not supported (split the archive)');
    if (offset + size > at) throw zipError(file, 'the central directory lies outside the archive');
    return { count, size, offset };
  }
  throw zipError(file, 'no end of central directory record (not a zip archive, or truncated)');
}

/** An entry name is shown in messages and must be one: no control or bidi characters, relative, at most 1,024 characters. */
function checkName(name: string, file: string): void {
  if (name === '' || name.length > 1024 || hasUnsafeCharacters(name) || name.startsWith('/') || name.includes('\\') || name.split('/').includes('..')) {
    throw zipError(file, `entry name ${JSON.stringify(name.slice(0, 200))} is not a relative path of printable characters`);
  }
}

/**
 * The archive's files in central-directory order (directories left out), each inflated only when asked for, so a
 * 500 MiB archive is never held inflated at once. Throws ADVISORY_INVALID naming the archive and the entry.
 */
export function* zipEntries(bytes: Uint8Array, file: string, limits: ZipLimits): Generator<ZipEntry> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = findEnd(buf, file);
  let at = end.offset;
  let total = 0;
  for (let k = 0; k < end.count; k++) {
    if (at + 46 > buf.length || buf.readUInt32LE(at) !== CENTRAL) throw zipError(file, `central directory entry ${k} is damaged`);
    const flags = buf.readUInt16LE(at + 8);
    const method = buf.readUInt16LE(at + 10);
    const crc = buf.readUInt32LE(at + 16);
    const packed = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString(flags & 0x800 ? 'utf8' : 'latin1', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
    checkName(name, file);
    if (name.endsWith('/')) continue;
    const what = `entry ${JSON.stringify(name)}`;
    if (flags & 0x1) throw zipError(file, `${what} is encrypted`);
    if (method !== 0 && method !== 8) throw zipError(file, `${what} uses compression method ${method} (only stored and deflate are read)`);
    if (packed === 0xffffffff || size === 0xffffffff) throw zipError(file, `${what} needs ZIP64, which is not supported`);
    if (size > limits.maxEntryBytes) throw zipError(file, `${what} is ${size} bytes, more than the ${limits.maxEntryBytes} allowed for one record`);
    if (size > RATIO_FLOOR_BYTES && size > packed * limits.maxRatio) {
      const ratio = Math.floor(size / Math.max(packed, 1));
      throw zipError(file, `${what} would inflate ${ratio} times its compressed size (${packed} bytes), more than the ${limits.maxRatio} allowed`);
    }
    total += size;
    if (total > limits.maxTotalBytes) throw zipError(file, `its entries hold more than ${limits.maxTotalBytes} bytes`);
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== LOCAL) throw zipError(file, `the local header of ${what} is missing`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (start + packed > buf.length) throw zipError(file, `${what} is truncated`);
    const raw = buf.subarray(start, start + packed);
    let data: Buffer;
    try {
      // One byte more than declared is allowed out, so an entry that lies about its size is caught, not trusted.
      data = method === 0 ? raw : inflateRawSync(raw, { maxOutputLength: size + 1 });
    } catch (err) {
      // zlib's RangeError is the output cap: the entry holds more than its header states.
      if (err instanceof RangeError) throw zipError(file, `${what} inflates to more than the ${size} bytes its header states`);
      throw new AttacheError('ADVISORY_INVALID', `zip archive ${JSON.stringify(file)} cannot be read: ${what} does not inflate (${(err as Error).message})`, {
        cause: err,
      });
    }
    if (data.length !== size) throw zipError(file, `${what} inflates to ${data.length} bytes, not the ${size} its header states`);
    if (crc32(data) !== crc) throw zipError(file, `${what} fails its CRC-32 check`);
    yield { name, data };
  }
}
