// Bundles the three programs into single CommonJS files under dist/ (the input of the SEA single-binary build).
import { build } from 'esbuild';

/** Entry point → output name. */
export const PROGRAMS = {
  'agent/src/main.ts': 'attache-agent.cjs',
  'management/src/main.ts': 'attache-management.cjs',
  'management/src/admin-cli/main.ts': 'attache-admin.cjs',
} as const;

export async function buildAll(outdir = 'dist'): Promise<void> {
  await Promise.all(
    Object.entries(PROGRAMS).map(([entry, out]) =>
      build({
        entryPoints: [entry],
        outfile: `${outdir}/${out}`,
        bundle: true,
        platform: 'node',
        target: 'node22',
        format: 'cjs',
        sourcemap: 'linked',
        logLevel: 'warning',
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
