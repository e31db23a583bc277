// Builds zip archives in memory for the tests (APPNOTE.TXT local headers, central directory, end record), including
// deliberately broken ones: test support only, the product never writes zips.
import { crc32, deflateRawSync } from 'node:zlib';

/** One entry to write; the overrides break the archive on purpose. */
export interface TestZipEntry {
  readonly name: string;
  readonly data: Buffer | string;
  readonly method?: 0 | 8 | 12;
  readonly flags?: number;
  readonly declaredSize?: number;
  readonly crc?: number;
}

/** A zip of `entries`; `zip64Locator` puts a ZIP64 end-of-directory locator before the end record. */
export function buildZip(entries: readonly TestZipEntry[], options: { zip64Locator?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = Buffer.from(e.data);
    const method = e.method ?? 8;
    const packed = method === 8 ? deflateRawSync(data) : data;
    const name = Buffer.from(e.name, 'utf8');
    const fields = (h: Buffer, at: number) => {
      h.writeUInt16LE(20, at);
      h.writeUInt16LE((e.flags ?? 0) | 0x800, at + 2);
      h.writeUInt16LE(method, at + 4);
      h.writeUInt32LE(e.crc ?? crc32(data), at + 10);
      h.writeUInt32LE(packed.length, at + 14);
      h.writeUInt32LE(e.declaredSize ?? data.length, at + 18);
      h.writeUInt16LE(name.length, at + 22);
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    fields(local, 4);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    fields(central, 6);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += 30 + name.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const locator = Buffer.alloc(options.zip64Locator ? 20 : 0);
  if (options.zip64Locator) locator.writeUInt32LE(0x07064b50, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, locator, end]);
}
