// The data dir: which file holds what, and how secrets are written (0600, atomically, the dir itself 0700).
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../common/atomic-file.js';

/** File names inside the data dir. */
export const DATA_FILES = {
  db: 'db.sqlite',
  caCert: 'ca.pem',
  caKey: 'ca-key.pem',
  serverCert: 'server.pem',
  serverKey: 'server-key.pem',
  policySigningKey: 'policy-signing-key.pem',
  adminToken: 'admin.token',
  adminConfig: 'admin.json',
  adminPassword: 'admin-password',
} as const;

/** Absolute path of one data-dir file. */
export function dataPath(dataDir: string, file: keyof typeof DATA_FILES): string {
  return join(dataDir, DATA_FILES[file]);
}

/** Creates the data dir with mode 0700 (and tightens it if it already exists and we own it). */
export async function ensureDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') await chmod(dataDir, 0o700).catch(() => undefined);
}

/** Writes a file with mode 0600 via a temp file, fsync and rename, so a crash never leaves a half-written secret. */
export function writePrivateFile(path: string, data: string): Promise<void> {
  return writeFileAtomic(path, data, 0o600);
}

/** Contents of a file, or undefined when it does not exist. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
