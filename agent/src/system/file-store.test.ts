// The file-system port: one suite run against the disk (NodeFileStore in a temp dir) and memory (MemoryFileStore), so
// the memory variant the simulator and boundary tests use behaves as the disk does; plus what only the disk can show.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FileStore, MemoryFileStore, NodeFileStore } from './file-store.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'attache-files-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const posix = process.platform !== 'win32';

describe.each([
  ['NodeFileStore', () => new NodeFileStore()],
  ['MemoryFileStore', () => new MemoryFileStore()],
] as const)('%s', (_name, make: () => FileStore) => {
  it('reads what it wrote, answers a missing file as undefined, and removes (absent is fine)', async () => {
    const files = make();
    const dir = join(root, 'a');
    await files.ensureDir(dir, 0o700);
    expect(await files.read(join(dir, 'x.json'))).toBeUndefined();
    await files.writeAtomic(join(dir, 'x.json'), '{"v":1}');
    await files.writeAtomic(join(dir, 'x.json'), '{"v":2}', { mode: 0o640 });
    expect(await files.read(join(dir, 'x.json'))).toBe('{"v":2}');
    await files.remove(join(dir, 'x.json'));
    await files.remove(join(dir, 'x.json'));
    expect(await files.read(join(dir, 'x.json'))).toBeUndefined();
  });

  it.skipIf(!posix)('keeps the modes asked for: file writes (default 0600), created directories, setMode', async () => {
    const files = make();
    const dir = join(root, 'b', 'c');
    await files.ensureDir(dir, 0o750);
    expect(await files.mode(dir)).toBe(0o750);
    await files.ensureDir(dir, 0o700); // an existing directory is left as it is
    expect(await files.mode(dir)).toBe(0o750);
    await files.setMode(dir, 0o700);
    expect(await files.mode(dir)).toBe(0o700);
    await files.writeAtomic(join(dir, 'default'), 'x');
    await files.writeAtomic(join(dir, 'shared'), 'x', { mode: 0o644 });
    expect(await files.mode(join(dir, 'default'))).toBe(0o600);
    expect(await files.mode(join(dir, 'shared'))).toBe(0o644);
    expect(await files.mode(join(dir, 'missing'))).toBeUndefined();
    await expect(files.setMode(join(dir, 'missing'), 0o600)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('lists the entries directly in a directory, and none for a missing one', async () => {
    const files = make();
    const dir = join(root, 'd');
    await files.ensureDir(join(dir, 'sub'), 0o700);
    await files.writeAtomic(join(dir, '2.json'), 'b');
    await files.writeAtomic(join(dir, '1.json'), 'a');
    await files.writeAtomic(join(dir, 'sub', 'deep.json'), 'c');
    expect((await files.list(dir)).sort()).toEqual(['1.json', '2.json', 'sub']);
    expect(await files.list(join(root, 'none'))).toEqual([]);
  });
});

describe('NodeFileStore on disk', () => {
  it('replaces a file by rename and leaves no temp file behind', async () => {
    const files = new NodeFileStore();
    const path = join(root, 'f.json');
    await files.writeAtomic(path, 'old');
    const before = await stat(path);
    await files.writeAtomic(path, 'new');
    expect(await files.read(path)).toBe('new');
    if (posix) expect((await stat(path)).ino).not.toBe(before.ino);
    expect(await readdir(root)).toEqual(['f.json']);
  });

  it('fails a write into a missing directory and cleans up', async () => {
    const files = new NodeFileStore();
    await expect(files.writeAtomic(join(root, 'none', 'f.json'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(root)).toEqual([]);
  });
});

describe('MemoryFileStore', () => {
  it('counts the characters it holds', async () => {
    const files = new MemoryFileStore();
    await files.writeAtomic('/s/a', 'abc');
    await files.writeAtomic('/s/b', 'de');
    expect(files.size).toBe(5);
  });
});
