// The state files every sync reads are served from memory after the first read or the agent's own write; a failed
// write (a full disk) leaves the file's old content in force, in memory as on disk; a failed read still surfaces.
import { describe, expect, it } from 'vitest';
import { type FileStore, MemoryFileStore } from '../system/file-store.js';
import { StateStore } from './state-store.js';

/** A memory disk that counts reads of each file and fails writes (ENOSPC) or reads (EIO) on demand. */
function countingDisk() {
  const disk = new MemoryFileStore();
  const reads = new Map<string, number>();
  const faults = { full: false, unreadable: false };
  const files: FileStore = Object.assign(Object.create(disk) as FileStore, {
    async read(path: string) {
      reads.set(path, (reads.get(path) ?? 0) + 1);
      if (faults.unreadable) throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
      return disk.read(path);
    },
    async writeAtomic(path: string, data: string, options?: Parameters<FileStore['writeAtomic']>[2]) {
      if (faults.full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      await disk.writeAtomic(path, data, options);
    },
  });
  return { disk, files, faults, readsOf: (name: string) => reads.get(`/state/${name}`) ?? 0 };
}

async function storeOn(files: FileStore): Promise<StateStore> {
  const store = new StateStore('/state', { posixPermissions: false, files });
  await store.init();
  return store;
}

describe('StateStore memory of the files every sync reads', () => {
  it('reads a file from disk once, then from memory; its own write is read back without the disk', async () => {
    const d = countingDisk();
    await d.disk.writeAtomic('/state/applied-versions.json', JSON.stringify({ formatVersion: 1, versions: { a: 1 } }));
    const store = await storeOn(d.files);
    expect(await store.readAppliedVersions()).toEqual({ a: 1 });
    expect(await store.readAppliedVersions()).toEqual({ a: 1 });
    expect(d.readsOf('applied-versions.json')).toBe(1);
    await store.writeAppliedVersions({ a: 2 });
    expect(await store.readAppliedVersions()).toEqual({ a: 2 });
    expect(d.readsOf('applied-versions.json')).toBe(1);
    // An absent file is remembered as absent too.
    expect(await store.readSetFloor()).toBeUndefined();
    expect(await store.readSetFloor()).toBeUndefined();
    expect(d.readsOf('policy-set.json')).toBe(1);
  });

  it('serves the cached policy set it wrote without parsing it again, frozen', async () => {
    const d = countingDisk();
    const store = await storeOn(d.files);
    const cache = { etag: `"${'a'.repeat(64)}"`, policies: [] };
    await store.writePolicies(cache);
    const read = await store.readPolicies();
    expect(read).toEqual(cache);
    expect(Object.isFrozen(read?.policies)).toBe(true);
    expect(d.readsOf('policies.json')).toBe(0);
    d.faults.full = true;
    await expect(store.writePolicies({ ...cache, policies: [] })).rejects.toMatchObject({ code: 'ENOSPC' });
    d.faults.full = false;
    // The failed write forgot the old value; the next read goes to the disk, which still holds the first write.
    expect(await store.readPolicies()).toEqual(cache);
    expect(d.readsOf('policies.json')).toBe(1);
  });

  it('keeps the old content after a write that failed (ENOSPC), in memory as on disk', async () => {
    const d = countingDisk();
    const store = await storeOn(d.files);
    await store.writeSetFloor({ setVersion: 3, policies: [] });
    d.faults.full = true;
    await expect(store.writeSetFloor({ setVersion: 4, policies: [] })).rejects.toMatchObject({ code: 'ENOSPC' });
    d.faults.full = false;
    expect(await store.readSetFloor()).toEqual({ setVersion: 3, policies: [] });
    expect(await new StateStore('/state', { posixPermissions: false, files: d.files }).readSetFloor()).toEqual({ setVersion: 3, policies: [] });
  });

  it('surfaces a read failure as STATE_CORRUPT and does not remember it', async () => {
    const d = countingDisk();
    await d.disk.writeAtomic('/state/status.json', '{ not json');
    const store = await storeOn(d.files);
    d.faults.unreadable = true;
    await expect(store.readPolicies()).rejects.toMatchObject({ code: 'STATE_CORRUPT' });
    d.faults.unreadable = false;
    expect(await store.readPolicies()).toBeUndefined();
    await expect(store.readStatus()).rejects.toMatchObject({ code: 'STATE_CORRUPT' });
    await expect(store.readStatus()).rejects.toMatchObject({ code: 'STATE_CORRUPT' });
  });

  it('hands out values no caller can change under the others', async () => {
    const store = await storeOn(countingDisk().files);
    await store.writeAppliedVersions({ a: 1 });
    const versions = await store.readAppliedVersions();
    expect(() => {
      versions.a = 5;
    }).toThrow(TypeError);
    expect(await store.readAppliedVersions()).toEqual({ a: 1 });
  });

  it('forgets what it removed: a re-enrolled device starts without the old floors', async () => {
    const store = await storeOn(countingDisk().files);
    await store.writeSetFloor({ setVersion: 3, policies: [] });
    await store.writeAppliedVersions({ a: 1 });
    await store.forgetDeviceState();
    expect(await store.readSetFloor()).toBeUndefined();
    expect(await store.readAppliedVersions()).toEqual({});
  });
});
