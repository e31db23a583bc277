// The single-executable build's guards: no module may be left to load from disk, and Windows binaries lose Node's
// stale Authenticode signature before the blob goes in.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForSea, dropPeSignature } from './build-binaries.js';

const exec = promisify(execFile);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-sea-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('bundleForSea', () => {
  it('fails when the bundle would require a package from disk, naming it', async () => {
    await writeFile(join(dir, 'needs-disk.js'), "try { require('some-addon-not-installed'); } catch {}\n");
    await expect(bundleForSea(join(dir, 'a.cjs'), join(dir, 'needs-disk.js'))).rejects.toThrow('some-addon-not-installed');
  });

  it('replaces the known optional native helpers by stubs that throw like a missing module', async () => {
    await writeFile(
      join(dir, 'optional.js'),
      "let n = 0; for (const m of ['bufferutil', 'macos-temperature-sensor']) { try { require(m); } catch { n++; } } console.log(n);\n",
    );
    await bundleForSea(join(dir, 'b.cjs'), join(dir, 'optional.js'));
    expect((await exec(process.execPath, [join(dir, 'b.cjs')])).stdout.trim()).toBe('2');
  });
});

/** A minimal PE32+ image: DOS header pointing at "PE\0\0", a COFF header, an optional header with data directories. */
function fakePe(certificate: Buffer | undefined): Buffer {
  const body = Buffer.alloc(0x200);
  body.writeUInt32LE(0x80, 0x3c);
  body.write('PE\0\0', 0x80, 'latin1');
  body.writeUInt16LE(0x20b, 0x80 + 24);
  if (!certificate) return body;
  const entry = 0x80 + 24 + 112 + 4 * 8;
  body.writeUInt32LE(body.length, entry);
  body.writeUInt32LE(certificate.length, entry + 4);
  return Buffer.concat([body, certificate]);
}

describe('dropPeSignature', () => {
  it('removes the certificate table and its directory entry', async () => {
    const file = join(dir, 'signed.exe');
    await writeFile(file, fakePe(Buffer.alloc(64, 7)));
    expect(await dropPeSignature(file)).toBe(true);
    const after = await readFile(file);
    expect(after.length).toBe(0x200);
    expect(after.readUInt32LE(0x80 + 24 + 112 + 32)).toBe(0);
  });

  it('leaves an unsigned file alone and refuses a file that is not PE', async () => {
    const file = join(dir, 'unsigned.exe');
    await writeFile(file, fakePe(undefined));
    expect(await dropPeSignature(file)).toBe(false);
    await writeFile(join(dir, 'elf'), Buffer.alloc(0x200));
    await expect(dropPeSignature(join(dir, 'elf'))).rejects.toThrow('not a PE file');
  });
});
