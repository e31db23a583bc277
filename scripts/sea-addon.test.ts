// The single executable's addon loader, fed the real better-sqlite3 prebuild from disk (inside an SEA the same
// bytes come from the asset), and the program list the build takes.
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadAddonBytes, loadSeaAddon } from './sea-addon.js';
import { parsePrograms, SEA_PROGRAMS } from './sea-programs.js';

const leftovers = async () => (await readdir(tmpdir())).filter((n) => n.startsWith('attache-addon-'));

describe('loadAddonBytes', () => {
  it.runIf(process.platform === 'linux' && process.arch === 'x64')('loads the addon once and leaves no file behind', async () => {
    const before = await leftovers();
    const bytes = await readFile(SEA_PROGRAMS.management.assets('linux-x64')['better_sqlite3.node'] as string);
    const addon = loadAddonBytes('better_sqlite3.node', bytes) as { Database?: unknown };
    expect(typeof addon.Database).toBe('function');
    expect(loadAddonBytes('better_sqlite3.node', new Uint8Array())).toBe(addon);
    expect(await leftovers()).toEqual(before);
  });

  it('refuses to read an asset outside a single executable', () => {
    expect(() => loadSeaAddon('x.node')).toThrow('this process is not a single executable');
  });
});

describe('parsePrograms', () => {
  it('accepts the known programs and names the unknown ones', () => {
    expect(parsePrograms('management, agent,management')).toEqual(['management', 'agent']);
    expect(() => parsePrograms('agent,admin')).toThrow('unknown program(s) admin; known: agent, management');
  });
});
