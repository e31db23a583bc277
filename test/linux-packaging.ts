// Shared by the Linux installer tests (agent and endpoint): commands that report instead of throwing, file modes, a
// scratch root for dpkg --root, and `systemd-analyze verify` of a unit in a staged root (toolchain.md §6).
import { execFile } from 'node:child_process';
import { chmod, cp, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** Runs a command; never throws, so tests can assert on the exit code and the output. */
export async function sh(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(cmd, args, { env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

export async function modeOf(path: string): Promise<string> {
  return ((await stat(path)).mode & 0o7777).toString(8).padStart(4, '0');
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** A scratch root under `dir` with an empty dpkg database. */
export async function scratchRoot(dir: string, name: string): Promise<string> {
  const root = join(dir, name);
  await mkdir(join(root, 'var/lib/dpkg/info'), { recursive: true });
  await mkdir(join(root, 'var/lib/dpkg/updates'), { recursive: true });
  await mkdir(join(root, 'var/log'), { recursive: true });
  await writeFile(join(root, 'var/lib/dpkg/status'), '');
  return root;
}

/** dpkg on the scratch root; maintainer scripts run on the host with DPKG_ROOT set. Deps (libc…) are the host's. */
export function dpkg(root: string, ...args: string[]) {
  return sh('dpkg', [`--root=${root}`, '--force-script-chrootless', '--force-depends', ...args]);
}

/** `systemd-analyze verify` of `unit` (text) as /usr/lib/systemd/system/<program>.service in a root staged under `dir`. */
export async function verifyUnit(dir: string, program: string, unitText: string, name: string): Promise<{ code: number; stderr: string }> {
  const stage = join(dir, `verify-${name}`);
  await mkdir(join(stage, 'usr/bin'), { recursive: true });
  await cp('/usr/lib/systemd/system', join(stage, 'usr/lib/systemd/system'), { recursive: true, dereference: false });
  // ExecStart must exist in the root.
  await writeFile(join(stage, 'usr/bin', program), '#!/bin/sh\n');
  await chmod(join(stage, 'usr/bin', program), 0o755);
  await writeFile(join(stage, `usr/lib/systemd/system/${program}.service`), unitText);
  const r = await sh('systemd-analyze', ['verify', `--root=${stage}`, `/usr/lib/systemd/system/${program}.service`]);
  return { code: r.code, stderr: r.stderr.trim() };
}
