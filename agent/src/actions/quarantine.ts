// The agent's one file quarantine: moves a file to `<stateDir>/quarantine/<id>/` (directories owner-only 0700, the
// file's exec bits off) beside a metadata record (original path, mode, owner, SHA-256, size, time), and restores it
// to exactly that path, mode and owner after checking its hash. Used by blockAndRemediate indicators and by the
// stopAndQuarantineFile / restoreFromQuarantine response actions. A move across file systems (EXDEV) falls back to
// copy + fsync + unlink. The metadata is written before the file moves, so a crash never leaves a file without it.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, chown, constants, copyFile, lstat, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../../common/atomic-file.js';
import { AttacheError } from '../../../common/errors.js';
import { isoTime } from '../../../common/iso-time.js';

/** What the quarantine remembers about one file (`metadata.json`). */
export interface QuarantineRecord {
  readonly formatVersion: 1;
  readonly quarantineId: string;
  readonly originalPath: string;
  /** Permission bits of the original file (mode & 0o7777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly quarantinedAt: string;
  /** Why it was quarantined (e.g. the indicator), for admins reading the metadata. */
  readonly reason: string;
}

export interface QuarantineDeps {
  readonly now: () => number;
  /** A fresh id (a UUID in the agent). */
  readonly newId: () => string;
  /** Injected for tests (a failing rename proves the EXDEV fallback); fs.rename by default. */
  readonly rename?: (from: string, to: string) => Promise<void>;
}

/** The quarantine's folder in the agent's state dir. */
export const QUARANTINE_DIR = 'quarantine';
const METADATA = 'metadata.json';
const CONTENT = 'file';
const ID = /^[A-Za-z0-9-]{1,64}$/;

/** SHA-256 of a file's content, streamed. */
export function sha256OfFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

export class FileQuarantine {
  private readonly move: (from: string, to: string) => Promise<void>;

  /** `root`: `<stateDir>/quarantine`. */
  constructor(
    private readonly options: { readonly root: string },
    private readonly deps: QuarantineDeps,
  ) {
    this.move = deps.rename ?? rename;
  }

  /**
   * Quarantines a regular file (never a symlink or directory). `expectSha256`, when given, must still be the file's
   * hash (a file replaced since it was matched is left alone). QUARANTINE_FAILED with the reason; the file stays.
   */
  async quarantine(path: string, options: { readonly reason: string; readonly expectSha256?: string }): Promise<QuarantineRecord> {
    const info = await lstat(path).catch((err: NodeJS.ErrnoException) => {
      throw new AttacheError('QUARANTINE_FAILED', `${path}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, { cause: err });
    });
    if (!info.isFile()) throw new AttacheError('QUARANTINE_FAILED', `${path}: not a regular file`);
    const sha256 = await sha256OfFile(path).catch((err: Error) => {
      throw new AttacheError('QUARANTINE_FAILED', `${path}: unreadable: ${err.message}`, { cause: err });
    });
    if (options.expectSha256 !== undefined && options.expectSha256.toLowerCase() !== sha256)
      throw new AttacheError('QUARANTINE_FAILED', `${path}: content changed (SHA-256 ${sha256}, expected ${options.expectSha256.toLowerCase()})`);
    const id = this.deps.newId();
    if (!ID.test(id)) throw new AttacheError('QUARANTINE_FAILED', `quarantine id ${JSON.stringify(id)} is not a plain id`);
    const record: QuarantineRecord = {
      formatVersion: 1,
      quarantineId: id,
      originalPath: path,
      mode: info.mode & 0o7777,
      uid: info.uid,
      gid: info.gid,
      sha256,
      sizeBytes: info.size,
      quarantinedAt: isoTime(this.deps.now()),
      reason: options.reason,
    };
    const dir = join(this.options.root, id);
    await mkdir(this.options.root, { recursive: true, mode: 0o700 });
    await chmod(this.options.root, 0o700);
    await mkdir(dir, { mode: 0o700 });
    await chmod(dir, 0o700);
    try {
      await writeFileAtomic(join(dir, METADATA), `${JSON.stringify(record, null, 2)}\n`, 0o600);
      await this.relocate(path, join(dir, CONTENT));
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw new AttacheError('QUARANTINE_FAILED', `${path}: cannot move to quarantine: ${(err as Error).message}`, { cause: err });
    }
    // Owner read/write only: nothing can execute it or read it but the agent.
    await chmod(join(dir, CONTENT), 0o600);
    return record;
  }

  /** The record of a quarantined file; QUARANTINE_NOT_FOUND when there is none. */
  async get(quarantineId: string): Promise<QuarantineRecord> {
    if (!ID.test(quarantineId)) throw new AttacheError('QUARANTINE_NOT_FOUND', `quarantine id ${JSON.stringify(quarantineId)} is not a plain id`);
    try {
      const record = JSON.parse(await readFile(join(this.options.root, quarantineId, METADATA), 'utf8')) as QuarantineRecord;
      if (record.formatVersion !== 1 || record.quarantineId !== quarantineId) throw new Error('not a quarantine record');
      return record;
    } catch (err) {
      throw new AttacheError('QUARANTINE_NOT_FOUND', `no quarantined file ${quarantineId}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Every quarantined file's record (unreadable entries skipped). */
  async list(): Promise<QuarantineRecord[]> {
    const names = await readdir(this.options.root).catch(() => [] as string[]);
    const out: QuarantineRecord[] = [];
    for (const name of names.sort()) {
      const record = await this.get(name).catch(() => undefined);
      if (record) out.push(record);
    }
    return out;
  }

  /**
   * Puts the file back at its original path with its original mode and owner, after checking its SHA-256; the
   * quarantine entry is removed. QUARANTINE_RESTORE_FAILED when the path is taken, its folder is gone or the
   * content changed (the entry is then kept).
   */
  async restore(quarantineId: string): Promise<QuarantineRecord> {
    const record = await this.get(quarantineId);
    const stored = join(this.options.root, quarantineId, CONTENT);
    const refuse = (why: string): never => {
      throw new AttacheError('QUARANTINE_RESTORE_FAILED', `${record.originalPath}: ${why}`);
    };
    const hash = await sha256OfFile(stored).catch(() => refuse('the quarantined copy is missing or unreadable'));
    if (hash !== record.sha256) refuse(`the quarantined copy changed (SHA-256 ${hash}, recorded ${record.sha256})`);
    if (
      await lstat(record.originalPath).then(
        () => true,
        () => false,
      )
    )
      refuse('the path is taken by another file');
    if (
      !(await stat(dirname(record.originalPath)).then(
        (s) => s.isDirectory(),
        () => false,
      ))
    )
      refuse('its folder no longer exists');
    await this.relocate(stored, record.originalPath);
    await chown(record.originalPath, record.uid, record.gid).catch((err: NodeJS.ErrnoException) => {
      // Without privileges only a file already owned by us can be restored as it was.
      if (err.code !== 'EPERM' || process.getuid?.() === record.uid) throw err;
    });
    await chmod(record.originalPath, record.mode);
    await rm(join(this.options.root, quarantineId), { recursive: true, force: true });
    return record;
  }

  /** rename, or on EXDEV (another file system) copy + fsync + unlink; the target never exists beforehand. */
  private async relocate(from: string, to: string): Promise<void> {
    try {
      await this.move(from, to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      await copyFile(from, to, constants.COPYFILE_EXCL);
      const handle = await open(to, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await unlink(from);
    }
  }
}
