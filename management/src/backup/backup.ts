// `attache-management backup`: one gzip'd ustar archive with everything a new machine needs to take over as this
// endpoint (docs/deploy.md, "Backup and restore"): the data dir's keys, certificates and admin files under data/, a
// consistent online copy of the SQLite database, backup.json (what is inside) and SHA256SUMS (for `sha256sum -c`).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AttacheError } from '../../../common/errors.js';
import { tarEnd, tarEntry, tarHeader, tarPadding, writeTarGz } from '../../../common/tar.js';
import { DATA_FILES } from '../pki/files.js';
import { backupSqliteDatabase } from '../store/sqlite-backup.js';

export interface BackupOptions {
  readonly dataDir: string;
  /** postgres:// URL when the endpoint runs on PostgreSQL: the archive then holds the data dir only (pg_dump the rest). */
  readonly databaseUrl?: string;
  readonly out: string;
}

export interface BackupResult {
  readonly out: string;
  readonly manifest: BackupManifest;
}

/** backup.json: what the archive holds. Paths are archive paths. */
export interface BackupManifest {
  readonly format: 'attache-management-backup';
  readonly formatVersion: 1;
  readonly createdAt: string;
  readonly database: { readonly engine: 'sqlite'; readonly included: true } | { readonly engine: 'postgresql'; readonly included: false };
  readonly files: readonly { readonly path: string; readonly bytes: number; readonly sha256: string }[];
}

/** The SQLite files `serve` keeps open (copied through the backup API instead) and our atomic-write temp files. */
const LIVE_FILE = new RegExp(`^(${DATA_FILES.db.replace('.', '\\.')}(-wal|-shm|-journal)?|\\.[0-9a-f]{12}\\.tmp|.*\\.lock)$`);

/** The regular files of the data dir to archive (sorted, so two backups of one dir list the same order). */
async function dataDirFiles(dataDir: string, postgres: boolean): Promise<string[]> {
  const entries = await readdir(dataDir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    throw new AttacheError('CONFIG_INVALID', `cannot read the data dir ${dataDir}: ${err.code ?? err.message}`);
  });
  const names = entries.filter((e) => e.isFile() && !LIVE_FILE.test(e.name)).map((e) => e.name);
  // With PostgreSQL the CA key is in the database (sealed under the key-encryption key); the data dir has the CA
  // certificate, this replica's server certificate and admin.json.
  const marker = postgres ? DATA_FILES.caCert : DATA_FILES.caKey;
  if (!names.includes(marker)) {
    throw new AttacheError('CONFIG_INVALID', `${dataDir} has no ${marker}: it is not a management endpoint's data dir`);
  }
  return names.sort();
}

/** Archive entries in order: a path in the archive and the file on disk holding its bytes. */
async function* tarStream(entries: readonly { path: string; file: string }[], now: Date, manifest: (files: BackupManifest['files']) => BackupManifest) {
  const files: { path: string; bytes: number; sha256: string }[] = [];
  for (const entry of entries) {
    const { size } = await stat(entry.file);
    yield tarHeader(entry.path, size, now);
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of createReadStream(entry.file)) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
    // The header announced `size` bytes: a file that changed meanwhile would shift every later entry.
    if (bytes !== size) throw new Error(`${entry.file} changed size while it was archived (${size} → ${bytes} bytes): run the backup again`);
    yield tarPadding(size);
    files.push({ path: entry.path, bytes: size, sha256: hash.digest('hex') });
  }
  const sums = Buffer.from(files.map((f) => `${f.sha256}  ${f.path}\n`).join(''));
  const json = Buffer.from(`${JSON.stringify(manifest(files), null, 2)}\n`);
  for (const [name, data] of [
    ['backup.json', json],
    ['SHA256SUMS', sums],
  ] as const) {
    yield* tarEntry(name, data, now);
  }
  yield tarEnd();
}

/** Writes the backup archive to `options.out` (mode 0600, never overwriting); `now` stamps it. */
export async function createBackup(options: BackupOptions, deps: { now: () => Date }): Promise<BackupResult> {
  const dataDir = resolve(options.dataDir);
  const out = resolve(options.out);
  if (
    await stat(out).then(
      () => true,
      () => false,
    )
  )
    throw new AttacheError('CONFLICT', `${out} already exists: choose a new file name`);
  const postgres = options.databaseUrl !== undefined && options.databaseUrl !== '';
  const names = await dataDirFiles(dataDir, postgres);
  // The database copy and the partial archive sit beside the output (the operator's chosen place), in a 0700 dir.
  const work = await mkdtemp(join(dirname(out), `.${basename(out)}-`));
  try {
    const entries = names.map((n) => ({ path: `data/${n}`, file: join(dataDir, n) }));
    if (!postgres) {
      const copy = join(work, DATA_FILES.db);
      await backupSqliteDatabase(join(dataDir, DATA_FILES.db), copy).catch((err: Error) => {
        throw new AttacheError('CONFIG_INVALID', `cannot copy the SQLite database of ${dataDir}: ${err.message}`, { cause: err });
      });
      entries.push({ path: `data/${DATA_FILES.db}`, file: copy });
    }
    const now = deps.now();
    let manifest: BackupManifest | undefined;
    const describe = (files: BackupManifest['files']): BackupManifest =>
      (manifest = {
        format: 'attache-management-backup',
        formatVersion: 1,
        createdAt: now.toISOString(),
        database: postgres ? { engine: 'postgresql', included: false } : { engine: 'sqlite', included: true },
        files,
      });
    const partial = join(work, 'archive.tar.gz');
    await writeTarGz(tarStream(entries, now, describe), partial);
    await rename(partial, out);
    return { out, manifest: manifest as BackupManifest };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
