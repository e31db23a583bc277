// Loads a native addon that travels inside the single executable as an SEA asset (the endpoint's better-sqlite3):
// process.dlopen needs a file, so the bytes go to a fresh 0700 directory, are loaded, and are unlinked at once.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getRawAsset, isSea } from 'node:sea';

const loaded = new Map<string, unknown>();

/**
 * Loads the addon `name` from `bytes` once per process. The directory is private (mkdtemp, 0700), so no other user
 * can swap the library between write and dlopen. Linux and macOS keep a loaded library after its file is unlinked;
 * Windows refuses to delete a loaded DLL, so there the copy stays in the user's own temp folder.
 */
export function loadAddonBytes(name: string, bytes: Uint8Array): unknown {
  const cached = loaded.get(name);
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'attache-addon-'));
  const file = join(dir, name);
  writeFileSync(file, bytes, { mode: 0o500 });
  const module = { exports: {} as unknown };
  try {
    process.dlopen(module, file);
  } finally {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Windows: the DLL is in use; the copy stays in the temp folder (see above).
    }
  }
  loaded.set(name, module.exports);
  return module.exports;
}

/** Loads the addon stored as the SEA asset `name` of this executable. */
export function loadSeaAddon(name: string): unknown {
  if (!isSea()) throw new Error(`native addon ${name} is an SEA asset, but this process is not a single executable`);
  return loadAddonBytes(name, new Uint8Array(getRawAsset(name) as ArrayBuffer));
}
