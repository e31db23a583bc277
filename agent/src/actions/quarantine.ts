// The agent's one file quarantine: moves a file to `<stateDir>/quarantine/<id>/` (directories owner-only 0700, the
// file's exec bits off) beside a metadata record (original path, mode, owner, SHA-256, size, time), and restores it
// to exactly that path, mode and owner after checking its hash (used by blockAndRemediate indicators and the
// quarantine response actions). Every check and change goes through one descriptor opened without following symlinks
// (quarantine-fs.ts); across file systems it copies from that descriptor. Metadata is written before the file moves.
import type { Stats } from 'node:fs';
import { chmod, type FileHandle, link, mkdir, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../../common/atomic-file.js';
import { AttacheError } from '../../../common/errors.js';
import { isoTime } from '../../../common/iso-time.js';
import {
  copyFromHandle,
  HASH_MAX_BYTES,
  hashRegularFile,
  openNoFollow,
  plainFolder,
  requireSameFile,
  sameFolder,
  sha256OfHandle,
  unlinkIfSame,
} from './quarantine-fs.js';

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
  /** How restore puts the file back (never replacing anything); fs.link by default, injected like `rename`. */
  readonly link?: (existing: string, newPath: string) => Promise<void>;
}

/** The quarantine's folder in the agent's state dir. */
export const QUARANTINE_DIR = 'quarantine';
const METADATA = 'metadata.json';
const CONTENT = 'file';
const ID = /^[A-Za-z0-9-]{1,64}$/;
// link() errors after which restore copies instead: another file system, or one without hard links.
const LINK_FALLBACK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK']);

/** SHA-256 of a regular file's content (no symlink, FIFO or device; at most `maxBytes`): quarantine-fs.ts hashRegularFile. */
export async function sha256OfFile(path: string, maxBytes = HASH_MAX_BYTES): Promise<string> {
  return (await hashRegularFile(path, ['sha256'], maxBytes)).digests.sha256 as string;
}

export class FileQuarantine {
  private readonly move: (from: string, to: string) => Promise<void>;
  private readonly link: (existing: string, newPath: string) => Promise<void>;

  /** `root`: `<stateDir>/quarantine`. */
  constructor(
    private readonly options: { readonly root: string },
    private readonly deps: QuarantineDeps,
  ) {
    this.move = deps.rename ?? rename;
    this.link = deps.link ?? link;
  }

  /**
   * Quarantines a regular file (never a symlink or directory). `expectSha256`, when given, must still be the file's
   * hash (a file replaced since it was matched is left alone). QUARANTINE_FAILED with the reason; the file stays.
   * The file is opened once without following symlinks and hashed, moved and made 0600 through that descriptor; its
   * device + inode is checked at the path right before the move and at the destination right after it.
   */
  async quarantine(path: string, options: { readonly reason: string; readonly expectSha256?: string }): Promise<QuarantineRecord> {
    const fail = (why: string, cause?: unknown): never => {
      throw new AttacheError('QUARANTINE_FAILED', `${path}: ${why}`, cause === undefined ? undefined : { cause });
    };
    const handle = await openNoFollow(path).catch((err: NodeJS.ErrnoException) =>
      fail(err.code === 'ENOENT' ? 'no such file' : err.code === 'ELOOP' ? 'not a regular file (a symlink)' : err.message, err),
    );
    try {
      const info = await handle.stat();
      if (!info.isFile()) fail('not a regular file');
      const sha256 = await sha256OfHandle(handle).catch((err: Error) => fail(`unreadable: ${err.message}`, err));
      if (options.expectSha256 !== undefined && options.expectSha256.toLowerCase() !== sha256)
        fail(`content changed (SHA-256 ${sha256}, expected ${options.expectSha256.toLowerCase()})`);
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
        await this.moveIn(path, join(dir, CONTENT), handle, info);
      } catch (err) {
        await rm(dir, { recursive: true, force: true });
        fail(`cannot move to quarantine: ${(err as Error).message}`, err);
      }
      // Owner read/write only, on the descriptor (never a path a symlink could replace): nothing can execute it.
      await handle.chmod(0o600);
      return record;
    } finally {
      await handle.close();
    }
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
   * quarantine entry is removed. Owner and mode are set on the open descriptor while the file is still inside the
   * owner-only folder; it then appears at the path by link() (or an O_EXCL copy across file systems), which never
   * replaces anything. QUARANTINE_RESTORE_FAILED when the path is taken, its folder is gone or the content changed
   * (the entry is then kept).
   */
  async restore(quarantineId: string): Promise<QuarantineRecord> {
    const record = await this.get(quarantineId);
    const stored = join(this.options.root, quarantineId, CONTENT);
    const refuse = (why: string): never => {
      throw new AttacheError('QUARANTINE_RESTORE_FAILED', `${record.originalPath}: ${why}`);
    };
    const handle = await openNoFollow(stored).catch(() => refuse('the quarantined copy is missing or unreadable'));
    try {
      if (!(await handle.stat()).isFile()) refuse('the quarantined copy is not a regular file');
      const hash = await sha256OfHandle(handle).catch(() => refuse('the quarantined copy is unreadable'));
      if (hash !== record.sha256) refuse(`the quarantined copy changed (SHA-256 ${hash}, recorded ${record.sha256})`);
      // Every component of the folder must be a real directory: a user who owns the folder could swap it (or one above
      // it) for a symlink to /etc/profile.d and have root write the file there (review 17b #2).
      const parent = dirname(record.originalPath);
      const folder = await plainFolder(parent);
      if (typeof folder === 'string') refuse(folder);
      const setOwnerAndMode = async (file: FileHandle) => {
        await file.chown(record.uid, record.gid).catch((err: NodeJS.ErrnoException) => {
          // Without privileges only a file already owned by us can be restored as it was.
          if (err.code !== 'EPERM' || process.getuid?.() === record.uid) throw err;
        });
        await file.chmod(record.mode); // after chown, which clears set-user-id
      };
      await setOwnerAndMode(handle);
      let written: Stats = await handle.stat(); // a hard link is the quarantined file itself
      try {
        await this.link(stored, record.originalPath).catch(async (err: NodeJS.ErrnoException) => {
          if (!LINK_FALLBACK.has(err.code ?? '')) throw err;
          written = await copyFromHandle(handle, record.originalPath, setOwnerAndMode);
        });
      } catch (err) {
        await handle.chmod(0o600);
        const code = (err as NodeJS.ErrnoException).code;
        refuse(code === 'EEXIST' ? 'the path is taken by another file' : `cannot put it back: ${(err as Error).message}`);
      }
      // A swap between the check and the link is caught here; the file written through it is removed again. Left: a
      // swap of a component above the folder and back again inside that window (docs/actions.md "Quarantine").
      if (!(await sameFolder(parent, folder as Stats))) {
        await unlinkIfSame(record.originalPath, written).catch(() => undefined);
        await handle.chmod(0o600);
        refuse(`its folder ${parent} changed while the file was put back; what was written is removed`);
      }
      await rm(join(this.options.root, quarantineId), { recursive: true, force: true });
      return record;
    } finally {
      await handle.close();
    }
  }

  /**
   * rename `from` (checked to still be `info`) to `to`, then checks `to` is that file; on EXDEV copies from the open
   * descriptor + fsync, checks again, unlinks `from`. A different file found after the rename is linked back.
   */
  private async moveIn(from: string, to: string, handle: FileHandle, info: Stats): Promise<void> {
    await requireSameFile(from, info);
    try {
      await this.move(from, to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      await copyFromHandle(handle, to, async () => undefined);
      await requireSameFile(from, info);
      await unlink(from);
      return;
    }
    await requireSameFile(to, info).catch(async (err: Error) => {
      // Whatever was swapped in goes back where it was (never over something new) before the entry is removed.
      await link(to, from).catch(() => undefined);
      throw err;
    });
  }
}
