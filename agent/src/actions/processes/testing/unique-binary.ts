// Test helper for kill-and-quarantine tests on the real OS: a copy of /bin/sleep made unique (trailing bytes the ELF
// loader ignores), so no other sleep on the machine shares its hash and could be matched, let alone killed.
import { randomUUID } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { sha256OfFile } from '../../quarantine.js';

export const SLEEP = '/bin/sleep';

/** Writes the unique copy at `path` with mode 0750; returns its bytes and SHA-256. */
export async function uniqueSleepCopy(path: string): Promise<{ readonly bytes: Buffer; readonly sha256: string }> {
  const bytes = Buffer.concat([await readFile(SLEEP), Buffer.from(`attache-test-binary ${randomUUID()}`)]);
  await writeFile(path, bytes);
  await chmod(path, 0o750);
  return { bytes, sha256: await sha256OfFile(path) };
}
