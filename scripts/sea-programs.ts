// The programs built as single executables (agent, management endpoint) and what each needs beyond its bundle:
// the endpoint carries better-sqlite3's prebuilt addon for the target as an SEA asset, loaded by scripts/sea-addon.ts.
import { resolve } from 'node:path';
import type { Plugin } from 'esbuild';
import { parseNames, type SeaTarget } from './sea-targets.js';

export type SeaProgramName = 'agent' | 'management';

export interface SeaProgram {
  /** Executable base name: `<name>-<target>[.exe]`. */
  readonly name: string;
  readonly entry: string;
  /** SEA assets of the target's executable: asset key → file on the build machine. */
  readonly assets: (target: SeaTarget) => Readonly<Record<string, string>>;
  /** esbuild plugins that swap a package for its single-executable loader. */
  readonly plugins: readonly Plugin[];
}

const SQLITE_DIR = resolve('node_modules/better-sqlite3');
const SQLITE_ASSET = 'better_sqlite3.node';

/** better-sqlite3's name for a target's prebuild (`prebuilds/<name>.node`, N-API, shipped in the npm package). */
const SQLITE_PREBUILD: Readonly<Record<SeaTarget, string>> = {
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'win-x64': 'win32-x64',
  'win-arm64': 'win32-arm64',
  'darwin-x64': 'darwin-x64',
  'darwin-arm64': 'darwin-arm64',
};

/**
 * `better-sqlite3` inside the executable: its own Database factory (lib/database.js, which takes the addon loader as
 * an argument, as the package's per-platform entry points do) fed by the addon from the SEA asset.
 */
export const betterSqliteFromAsset: Plugin = {
  name: 'better-sqlite3-from-sea-asset',
  setup(b) {
    b.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: 'better-sqlite3', namespace: 'sea-sqlite' }));
    b.onLoad({ filter: /.*/, namespace: 'sea-sqlite' }, () => ({
      resolveDir: resolve('.'),
      loader: 'js',
      contents: [
        `const { loadSeaAddon } = require(${JSON.stringify(resolve('scripts/sea-addon.ts'))});`,
        `module.exports = require(${JSON.stringify(`${SQLITE_DIR}/lib/database.js`)})(() => loadSeaAddon(${JSON.stringify(SQLITE_ASSET)}), false);`,
        `module.exports.SqliteError = require(${JSON.stringify(`${SQLITE_DIR}/lib/sqlite-error.js`)});`,
      ].join('\n'),
    }));
  },
};

export const SEA_PROGRAMS: Readonly<Record<SeaProgramName, SeaProgram>> = {
  agent: { name: 'attache-agent', entry: 'agent/src/main.ts', assets: () => ({}), plugins: [] },
  management: {
    name: 'attache-management',
    entry: 'management/src/main.ts',
    assets: (target) => ({ [SQLITE_ASSET]: `${SQLITE_DIR}/prebuilds/${SQLITE_PREBUILD[target]}.node` }),
    plugins: [betterSqliteFromAsset],
  },
};

/** Parses a comma-separated program list (agent, management); throws naming the unknown ones. */
export function parsePrograms(list: string): SeaProgramName[] {
  return parseNames(list, Object.keys(SEA_PROGRAMS) as SeaProgramName[], 'program');
}
