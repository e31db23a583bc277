// blockAndRemediate's quarantine step: which executables may be moved (only those of processes that were all
// stopped, each process's own path, never an OS-critical file or the agent's own executable) and the move itself
// through actions/quarantine.ts. The protected list is documented in docs/actions.md.
import { realpath, stat } from 'node:fs/promises';
import type { Platform } from '../../../../policy-schemas/src/index.js';
import type { RiskIndicator } from '../../core/indicator-match.js';
import type { FileQuarantine } from '../quarantine.js';
import type { FileHasher, FileHashes } from './file-hasher.js';

/**
 * Folders and files the OS cannot run without, the isolation/firewall tools, and Microsoft Defender's own binaries
 * (review 17b #11: a hash copied from an alert about wdavdaemon or MsMpEng must not stop and quarantine Defender):
 * never quarantined, so an indicator or action that matches one cannot brick the host or disarm its antivirus.
 * Compared as prefixes of the realpath (and the path as given), case-insensitively on Windows and macOS; Windows
 * prefixes carry no drive letter, so they hold on any drive (%SystemRoot% or %ProgramData% moved to D:).
 */
export const PROTECTED_PATHS: Readonly<Record<Platform, readonly string[]>> = {
  linux: ['/sbin/', '/usr/sbin/', '/bin/', '/usr/bin/', '/lib/', '/lib64/', '/usr/lib/', '/usr/lib64/', '/usr/libexec/', '/boot/', '/opt/microsoft/mdatp/'],
  macos: [
    '/System/',
    '/sbin/',
    '/usr/sbin/',
    '/bin/',
    '/usr/bin/',
    '/usr/lib/',
    '/usr/libexec/',
    '/Library/Apple/',
    '/Library/Application Support/Microsoft/Defender/',
    '/Applications/Microsoft Defender.app/',
  ],
  windows: [
    '\\windows\\',
    '\\program files\\windows defender\\',
    '\\program files\\windows defender advanced threat protection\\',
    '\\programdata\\microsoft\\windows defender\\',
    '\\program files\\windowsapps\\',
  ],
};

/** Case-folded (not on Linux), backslashes on Windows, the drive letter dropped: the form the prefixes are in. */
function normalised(platform: Platform, path: string): string {
  if (platform === 'linux') return path;
  if (platform === 'macos') return path.toLowerCase();
  return path
    .replaceAll('/', '\\')
    .toLowerCase()
    .replace(/^[a-z]:/, '');
}

/** The protected prefix `path` lies below on `platform`, or undefined (pure: the caller resolves the path first). */
export function protectedPrefix(platform: Platform, path: string): string | undefined {
  const p = normalised(platform, path);
  return PROTECTED_PATHS[platform].find((prefix) => p.startsWith(normalised(platform, prefix)));
}

const HASH_OF: Partial<Record<RiskIndicator['type'], keyof FileHashes>> = { fileSha256: 'sha256', fileSha1: 'sha1', fileMd5: 'md5' };

export interface RemediationDeps {
  readonly platform: Platform;
  readonly hasher: FileHasher;
  readonly quarantine?: FileQuarantine;
  /** The agent's own executable: never quarantined (compared by device + inode and by realpath). */
  readonly ownExecutable?: string;
  /** The agent's install and state folders: nothing below them is quarantined. */
  readonly agentPaths?: readonly string[];
}

/** Why `path` must not be quarantined, or undefined when it may be. */
export async function refusalOf(deps: RemediationDeps, path: string): Promise<string | undefined> {
  const norm = (p: string) => normalised(deps.platform, p);
  const real = await realpath(path).catch(() => undefined);
  if (real === undefined) return `${path} cannot be resolved`;
  const protectedBy = protectedPrefix(deps.platform, real) ?? protectedPrefix(deps.platform, path);
  if (protectedBy) return `${path} is an OS file or Defender's (below ${protectedBy})`;
  for (const folder of deps.agentPaths ?? []) {
    const base = norm(await realpath(folder).catch(() => folder));
    const sep = deps.platform === 'windows' ? '\\' : '/';
    const within = base.endsWith(sep) ? base : `${base}${sep}`;
    if (norm(real).startsWith(within)) return `${path} is one of the agent's own files (below ${folder})`;
  }
  if (deps.ownExecutable !== undefined) {
    const own = await realpath(deps.ownExecutable).catch(() => deps.ownExecutable as string);
    const [a, b] = await Promise.all([stat(real).catch(() => undefined), stat(own).catch(() => undefined)]);
    if (norm(own) === norm(real) || (a && b && a.dev === b.dev && a.ino === b.ino)) return `${path} is the agent's own executable`;
  }
  return undefined;
}

/**
 * Quarantines each distinct executable of `processes` (all of them stopped by the caller). A hash indicator's file
 * must still have that hash (SHA-256 checked by the quarantine on the file it moves; MD5/SHA-1 hashed again here).
 */
export async function quarantineExecutables(
  deps: RemediationDeps,
  indicator: RiskIndicator,
  processes: readonly { readonly pid: number; readonly path?: string }[],
): Promise<{ ok: boolean; detail: string }> {
  if (!deps.quarantine) return { ok: false, detail: 'not quarantined: no quarantine on this host' };
  const paths = [...new Set(processes.map((p) => p.path))];
  if (paths.length === 0 || paths.includes(undefined)) return { ok: false, detail: 'not quarantined: the executable path is unknown' };
  const results: { ok: boolean; detail: string }[] = [];
  for (const path of paths as string[]) results.push(await quarantineOne(deps, indicator, path));
  return { ok: results.every((r) => r.ok), detail: results.map((r) => r.detail).join('; ') };
}

async function quarantineOne(deps: RemediationDeps, indicator: RiskIndicator, path: string): Promise<{ ok: boolean; detail: string }> {
  const refusal = await refusalOf(deps, path);
  if (refusal) return { ok: false, detail: `not quarantined: ${refusal}` };
  const algorithm = HASH_OF[indicator.type];
  if (algorithm && algorithm !== 'sha256') {
    const now = await deps.hasher.hash(path, { sha256: false, sha1: algorithm === 'sha1', md5: algorithm === 'md5' });
    if (now?.[algorithm]?.toLowerCase() !== indicator.value.toLowerCase())
      return { ok: false, detail: `not quarantined: ${path} no longer has the indicator's ${algorithm}` };
  }
  try {
    const record = await (deps.quarantine as FileQuarantine).quarantine(path, {
      reason: `indicator ${indicator.type} ${indicator.value} (blockAndRemediate)`,
      ...(algorithm === 'sha256' ? { expectSha256: indicator.value } : {}),
    });
    return { ok: true, detail: `quarantined ${path} as ${record.quarantineId} (sha256 ${record.sha256})` };
  } catch (err) {
    return { ok: false, detail: `not quarantined: ${(err as Error).message}` };
  }
}
