// Size and start time of the single executables: builds the six targets (npm run build:binaries), then times
// `--version` and `status --json` of linux-x64 natively, linux-arm64 under qemu and win-x64 under Wine when those
// are installed. `npm run bench:binaries [-- --no-build]`. Writes bench/results/binaries.json and prints a summary.
import { execFile, spawn } from 'node:child_process';
import { closeSync, createReadStream, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs, promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import { type BuiltBinary, buildBinaries } from '../scripts/build-binaries.js';
import { ALL_TARGETS, binaryName, NODE_VERSION, type SeaTarget } from '../scripts/sea-targets.js';
import { stats } from './stats.js';

const run = promisify(execFile);
const OUT = 'dist/bin';

async function gzippedBytes(file: string): Promise<number> {
  let bytes = 0;
  const gzip = createGzip({ level: 6 });
  gzip.on('data', (c: Buffer) => {
    bytes += c.length;
  });
  await pipeline(createReadStream(file), gzip);
  return bytes;
}

async function commandExists(cmd: string): Promise<string | undefined> {
  return run('sh', ['-c', 'command -v "$1"', 'sh', cmd]).then(
    (r) => r.stdout.trim() || undefined,
    () => undefined,
  );
}

/** One run with stdout/stderr to a file: Node under Wine cannot write to a pipe (EBADF, toolchain.md §3). */
async function runToFile(file: string, args: readonly string[], env: NodeJS.ProcessEnv, out: string): Promise<void> {
  const fd = openSync(out, 'w');
  try {
    const code = await new Promise<number | null>((res, rej) => {
      const child = spawn(file, args, { env, stdio: ['ignore', fd, fd] });
      child.once('error', rej);
      child.once('exit', res);
    });
    if (code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${code}: ${await readFile(out, 'utf8')}`);
  } finally {
    closeSync(fd);
  }
}

/** Wall time of N runs of one command, after one untimed warm-up (page cache, Wine prefix). */
async function timeRuns(file: string, args: readonly string[], n: number, env: NodeJS.ProcessEnv, out: string): Promise<number[]> {
  await runToFile(file, args, env, out);
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await runToFile(file, args, env, out);
    samples.push(performance.now() - t);
  }
  return samples;
}

interface Runner {
  readonly how: string;
  readonly file: string;
  readonly prefix: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly n: number;
}

/** How to start a target on this Linux x64 machine, if at all. */
async function runnerFor(target: SeaTarget, file: string, scratch: string): Promise<Runner | undefined> {
  if (target === 'linux-x64') return { how: 'native', file, prefix: [], env: process.env, n: 10 };
  if (target === 'linux-arm64') {
    const qemu = await commandExists('qemu-aarch64-static');
    return qemu ? { how: 'qemu-aarch64-static (emulated)', file: qemu, prefix: ['-L', '/usr/aarch64-linux-gnu', file], env: process.env, n: 3 } : undefined;
  }
  if (target === 'win-x64') {
    const wine = ['/usr/lib/wine/wine64', await commandExists('wine64')].find((p) => p && p.length > 0);
    if (!wine || !(await commandExists(wine))) return undefined;
    const env = { ...process.env, HOME: scratch, WINEPREFIX: join(scratch, 'wine'), WINEDEBUG: '-all', NODE_SKIP_PLATFORM_CHECK: '1' };
    return { how: 'wine64 (Wine 8)', file: wine, prefix: [file], env, n: 3 };
  }
  return undefined;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'no-build': { type: 'boolean', default: false } } });
  let built: BuiltBinary[];
  const started = performance.now();
  if (values['no-build']) {
    built = (JSON.parse(await readFile(join(OUT, 'manifest.json'), 'utf8')) as { binaries: BuiltBinary[] }).binaries.map((b) => ({
      ...b,
      file: join(OUT, b.file),
    }));
  } else {
    built = await buildBinaries({ targets: ALL_TARGETS, outDir: OUT, log: (l) => console.log(l) });
  }
  const totalBuildS = Math.round((performance.now() - started) / 100) / 10;
  const scratch = await mkdtemp(join(tmpdir(), 'attache-bench-'));
  const targets: Record<string, unknown> = {};
  try {
    for (const b of built) {
      const runner = await runnerFor(b.target, b.file, scratch);
      const entry: Record<string, unknown> = {
        file: binaryName(b.target),
        bytes: b.bytes,
        mb: Math.round(b.bytes / 1e5) / 10,
        gzipBytes: await gzippedBytes(b.file),
        buildMs: b.buildMs,
      };
      if (runner) {
        const stateDir = join(scratch, `state-${b.target}`);
        await mkdir(stateDir, { recursive: true });
        const stateArg = b.target.startsWith('win') ? `Z:${stateDir.replaceAll('/', '\\')}` : stateDir;
        entry.startedWith = runner.how;
        entry.versionMs = stats(await timeRuns(runner.file, [...runner.prefix, '--version'], runner.n, runner.env, join(scratch, 'out.txt')));
        entry.statusJsonMs = stats(
          await timeRuns(runner.file, [...runner.prefix, '--state-dir', stateArg, 'status', '--json'], runner.n, runner.env, join(scratch, 'out.txt')),
        );
      } else {
        entry.startedWith = 'not run here (no emulator on this machine)';
      }
      targets[b.target] = entry;
    }
    // Reference point: the same bundle run by a plain node (no SEA), natively.
    const bundle = { versionMs: stats(await timeRuns(process.execPath, ['dist/attache-agent.cjs', '--version'], 10, process.env, join(scratch, 'out.txt'))) };
    const result = {
      benchmark: 'binaries',
      description: 'single-executable size per target and start time (--version, status --json on an empty state dir); wall clock incl. process start',
      nodeVersion: NODE_VERSION,
      at: new Date().toISOString(),
      machine: {
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        kernel: release(),
        node: process.version,
      },
      totalBuildS: values['no-build'] ? undefined : totalBuildS,
      targets,
      bundleUnderNode: bundle,
    };
    await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
    await writeFile(join(import.meta.dirname, 'results', 'binaries.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(
      `binaries: Node ${NODE_VERSION}, ${result.machine.cpu}, ${result.machine.cores} cores${result.totalBuildS ? `, built in ${result.totalBuildS} s` : ''}`,
    );
    for (const [t, e] of Object.entries(targets) as [string, { mb: number; gzipBytes: number; versionMs?: { median: number }; startedWith: string }][]) {
      const start = e.versionMs ? `--version median ${e.versionMs.median} ms (${e.startedWith})` : e.startedWith;
      console.log(`  ${t.padEnd(13)} ${String(e.mb).padStart(6)} MB  gzip ${(e.gzipBytes / 1e6).toFixed(1).padStart(5)} MB  ${start}`);
    }
    console.log(`  bundle under node: --version median ${bundle.versionMs.median} ms`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
