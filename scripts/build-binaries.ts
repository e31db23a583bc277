// `npm run build:binaries [-- --programs agent,management --targets linux-x64,win-x64 --out dist/bin]`: the agent and
// the management endpoint as single executables per target via Node SEA (bundle → blob → postject), toolchain.md §3.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { BUNDLE_OPTIONS } from './build.js';
import { buildWindowsService } from './build-win-service.js';
import { parsePrograms, SEA_PROGRAMS, type SeaProgram, type SeaProgramName } from './sea-programs.js';
import { ALL_TARGETS, baseBinary, binaryName, defaultCacheDir, NODE_VERSION, parseTargets, type SeaTarget, TARGETS } from './sea-targets.js';

const run = promisify(execFile);
const postject = createRequire(import.meta.url)('postject') as {
  inject(file: string, name: string, data: Buffer, options: { sentinelFuse: string; machoSegmentName?: string; overwrite?: boolean }): Promise<void>;
};

/** The fuse Node's SEA loader looks for (node/src/node_sea.cc). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

export interface BuiltBinary {
  readonly program: string;
  readonly target: SeaTarget;
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly stripped: boolean;
  readonly buildMs: number;
}

export interface BuildBinariesOptions {
  /** Which program (default: the agent). */
  readonly program?: SeaProgramName;
  readonly targets: readonly SeaTarget[];
  readonly outDir: string;
  readonly cacheDir?: string;
  readonly log?: (line: string) => void;
}

/**
 * Optional native addons that dependencies load inside try/catch: ws's bufferutil and utf-8-validate,
 * systeminformation's macOS temperature sensors (lib/cpu.js, lib/graphics.js). Inside an SEA such a require() prints
 * a warning; these stubs throw at once, which the callers treat as "not installed", so the executable stays free of
 * native addons and quiet; pg-native likewise (pg loads it only for `pg.native`, which the endpoint never uses). Any
 * other module left to load from disk fails the build (bundleForSea).
 */
export const OPTIONAL_NATIVE = ['bufferutil', 'utf-8-validate', 'osx-temperature-sensor', 'macos-temperature-sensor', 'pg-native'] as const;

const noNativeHelpers: Plugin = {
  name: 'no-native-helpers',
  setup(b) {
    const filter = new RegExp(`^(${OPTIONAL_NATIVE.join('|')})$`);
    b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'sea-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'sea-stub' }, () => ({ contents: 'throw new Error("native helper not in the single executable");' }));
  },
};

/** Bundles a program for the SEA and fails if anything but a Node built-in is left to load at run time. */
export async function bundleForSea(outfile: string, entry: string, plugins: readonly Plugin[] = []): Promise<void> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    ...BUNDLE_OPTIONS,
    metafile: true,
    plugins: [...BUNDLE_OPTIONS.plugins, noNativeHelpers, ...plugins],
  });
  const external = Object.values(result.metafile.outputs)
    .flatMap((o) => o.imports)
    .filter((i) => i.external && !isBuiltin(i.path));
  if (external.length) throw new Error(`${entry} bundle needs modules from disk (${external.map((i) => i.path).join(', ')}): an SEA can load only built-ins`);
}

/**
 * Removes the Authenticode signature of a PE file (Node's own, from nodejs.org): injecting the blob invalidates it,
 * and a stale certificate table makes Windows report a corrupt signature instead of an unsigned file. Sign the
 * result with signtool on a Windows build machine (docs/install.md).
 */
export async function dropPeSignature(file: string): Promise<boolean> {
  const buf = await readFile(file);
  const pe = buf.readUInt32LE(0x3c);
  if (buf.toString('latin1', pe, pe + 4) !== 'PE\0\0') throw new Error(`${file} is not a PE file`);
  const optional = pe + 24;
  const dataDirs = optional + (buf.readUInt16LE(optional) === 0x20b ? 112 : 96);
  const securityEntry = dataDirs + 4 * 8; // IMAGE_DIRECTORY_ENTRY_SECURITY; its "address" is a file offset
  const offset = buf.readUInt32LE(securityEntry);
  const size = buf.readUInt32LE(securityEntry + 4);
  if (offset === 0 || size === 0) return false;
  // The certificate table is not mapped into memory and sits at the end of the file; anything else is unexpected.
  if (offset + size !== buf.length) throw new Error(`${file}: certificate table is not at the end of the file`);
  buf.writeUInt32LE(0, securityEntry);
  buf.writeUInt32LE(0, securityEntry + 4);
  await writeFile(file, buf.subarray(0, offset));
  return true;
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function hasCommand(cmd: string): Promise<boolean> {
  return run('sh', ['-c', 'command -v "$1"', 'sh', cmd]).then(
    () => true,
    () => false,
  );
}

async function buildOne(program: SeaProgram, target: SeaTarget, blob: Buffer, options: Required<BuildBinariesOptions>): Promise<BuiltBinary> {
  const started = performance.now();
  const base = await baseBinary(target, options.cacheDir, options.log);
  const file = join(options.outDir, binaryName(target, program.name));
  const tmp = `${file}.tmp`;
  await copyFile(base, tmp);
  await chmod(tmp, 0o755);
  // Strip before injecting (stripping after would drop the blob). Only the host's binutils read linux-x64 here.
  const stripped = target === 'linux-x64' && process.arch === 'x64' && (await hasCommand('strip'));
  if (stripped) await run('strip', [tmp]);
  if (TARGETS[target].os === 'win') await dropPeSignature(tmp);
  // postject removes the Mach-O signature: macOS binaries must be signed again on a Mac (docs/install.md).
  // Its LIEF core warns about every ELF note section it cannot name (harmless, toolchain.md §3): keep those quiet.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!/Can't find string offset for section name/.test(args.join(' '))) warn(...args);
  };
  try {
    await postject.inject(tmp, 'NODE_SEA_BLOB', blob, {
      sentinelFuse: SEA_FUSE,
      ...(TARGETS[target].os === 'darwin' ? { machoSegmentName: 'NODE_SEA' } : {}),
    });
  } finally {
    console.warn = warn;
  }
  await rename(tmp, file);
  const { size } = await stat(file);
  options.log(`${binaryName(target, program.name)}: ${(size / 1e6).toFixed(1)} MB`);
  return { program: program.name, target, file, bytes: size, sha256: await sha256Of(file), stripped, buildMs: Math.round(performance.now() - started) };
}

/** Writes SHA256SUMS and manifest.json for every binary present in outDir (earlier runs' programs and targets too). */
async function writeManifest(outDir: string, built: readonly BuiltBinary[]): Promise<void> {
  const manifestFile = join(outDir, 'manifest.json');
  const previous = JSON.parse(await readFile(manifestFile, 'utf8').catch(() => '{"binaries":[]}')) as { binaries: BuiltBinary[] };
  const byFile = new Map(previous.binaries.map((b) => [b.file, b]));
  for (const b of built) byFile.set(basename(b.file), { ...b, file: basename(b.file) });
  const binaries = [...byFile.values()].sort((x, y) => x.file.localeCompare(y.file));
  await writeFile(manifestFile, `${JSON.stringify({ nodeVersion: NODE_VERSION, binaries }, null, 2)}\n`);
  await writeFile(join(outDir, 'SHA256SUMS'), binaries.map((b) => `${b.sha256}  ${b.file}\n`).join(''));
}

/** The SEA blob of a program for one target: its bundle plus the target's assets (none for the agent). */
async function makeBlob(program: SeaProgram, target: SeaTarget, bundle: string, work: string): Promise<Buffer> {
  const assets = program.assets(target);
  const config = join(work, `${program.name}-${target}.json`);
  const output = join(work, `${program.name}-${target}.blob`);
  await writeFile(config, JSON.stringify({ main: bundle, output, disableExperimentalSEAWarning: true, assets }));
  // Code cache and snapshots are specific to the V8 build and CPU that made them, so a blob carries neither.
  await run(process.execPath, ['--experimental-sea-config', config], { env: { ...process.env, NODE_OPTIONS: '' } });
  return readFile(output);
}

/** Builds one program's executables (the agent's by default) for `targets` into `outDir`. */
export async function buildBinaries(opts: BuildBinariesOptions): Promise<BuiltBinary[]> {
  const options: Required<BuildBinariesOptions> = { program: 'agent', cacheDir: defaultCacheDir(), log: () => {}, ...opts };
  if (process.version !== `v${NODE_VERSION}`) {
    throw new Error(`the SEA blob must be made by Node ${NODE_VERSION} (this is ${process.version}): run through npm run, which uses node_modules/.bin/node`);
  }
  const program = SEA_PROGRAMS[options.program];
  const outDir = resolve(options.outDir);
  const work = join(outDir, `.work-${program.name}`);
  await mkdir(work, { recursive: true });
  const bundle = join(work, `${program.name}.cjs`);
  await bundleForSea(bundle, program.entry, program.plugins);
  const built: BuiltBinary[] = [];
  // One at a time: postject holds the whole executable in WebAssembly memory (~130 MB each).
  for (const target of options.targets) built.push(await buildOne(program, target, await makeBlob(program, target, bundle, work), { ...options, outDir }));
  await writeManifest(outDir, built);
  await rm(work, { recursive: true, force: true });
  return built;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      programs: { type: 'string', default: Object.keys(SEA_PROGRAMS).join(',') },
      targets: { type: 'string', default: ALL_TARGETS.join(',') },
      out: { type: 'string', default: 'dist/bin' },
      cache: { type: 'string' },
    },
  });
  const programs = parsePrograms(values.programs);
  const targets = parseTargets(values.targets);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const started = performance.now();
  for (const program of programs) await buildBinaries({ program, targets, outDir: values.out, ...(values.cache ? { cacheDir: values.cache } : {}), log });
  if (targets.includes('win-x64')) await buildWindowsService({ outDir: values.out, log });
  const count = programs.length * targets.length;
  log(`built ${count} executable(s) into ${values.out} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1]?.endsWith('build-binaries.ts')) {
  main().catch((err: unknown) => {
    process.stderr.write(`build-binaries: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
