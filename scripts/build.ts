// Bundles the three programs into single CommonJS files under dist/ (the input of the SEA single-binary build).
import { type BuildOptions, build } from 'esbuild';
import { embeddedConsole, writeConsole } from './build-console.js';
import { precompiledValidators } from './precompiled-validators.js';

/**
 * Options every program bundle shares (dist/ and the SEA blob). Minified: the bundle's source stays in the heap as
 * one string, and a single non-Latin-1 character in a dependency's comment doubled it to a 5 MB two-byte string.
 * Names are kept so stack traces and error class names read the same; dist/ has source maps for the rest.
 * Schema validators are precompiled (scripts/precompiled-validators.ts); the endpoint embeds the web console
 * (scripts/build-console.ts).
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  keepNames: true,
  charset: 'ascii',
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [precompiledValidators(), embeddedConsole()],
} satisfies BuildOptions;

/** Entry point → output name. */
export const PROGRAMS = {
  'agent/src/main.ts': 'attache-agent.cjs',
  'management/src/main.ts': 'attache-management.cjs',
  'management/src/admin-cli/main.ts': 'attache-admin.cjs',
} as const;

export async function buildAll(outdir = 'dist'): Promise<void> {
  // dist/console/ serves the console when the endpoint runs from source (tsx, the tests); the bundles embed their own.
  await writeConsole(`${outdir}/console`);
  await Promise.all(
    Object.entries(PROGRAMS).map(([entry, out]) =>
      build({
        entryPoints: [entry],
        outfile: `${outdir}/${out}`,
        ...BUNDLE_OPTIONS,
        sourcemap: 'linked',
        // Native addon (endpoint only) and ws's optional native helpers stay outside the bundle.
        external: ['better-sqlite3', 'bufferutil', 'utf-8-validate'],
      }),
    ),
  );
}

if (process.argv[1]?.endsWith('build.ts')) {
  buildAll().catch((err) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  });
}
