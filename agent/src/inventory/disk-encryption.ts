// Is the system disk encrypted? LUKS (Linux: the root filesystem sits on a dm-crypt device in `lsblk`'s tree),
// FileVault (`fdesetup status`), BitLocker (Get-BitLockerVolume on the system drive, through a constant PowerShell
// script). Parsers are pure and strict: what they do not recognise is `unknown` with the reason, never a guess.
import type { DeviceInventory, Platform } from '../../../policy-schemas/src/index.js';
import { ps, runPowerShell } from '../providers/windows/powershell.js';
import { type CommandRunner, describeFailure, parseToolJson } from '../system/command-runner.js';

export type DiskEncryption = DeviceInventory['diskEncryption'];

function unknown(detail: string): DiskEncryption {
  return { state: 'unknown', detail: detail.length > 1024 ? `${detail.slice(0, 1023)}…` : detail };
}

interface LsblkNode {
  readonly name?: string;
  readonly type?: string;
  readonly fstype?: string | null;
  readonly mountpoint?: string | null;
  readonly mountpoints?: readonly (string | null)[];
  readonly children?: readonly LsblkNode[];
}

function mountsRoot(node: LsblkNode): boolean {
  return node.mountpoint === '/' || (Array.isArray(node.mountpoints) && node.mountpoints.includes('/'));
}

/** The device objects among `value` (lsblk's output is data from outside: anything else is skipped). */
function nodesOf(value: unknown): LsblkNode[] {
  return Array.isArray(value) ? value.filter((n): n is LsblkNode => typeof n === 'object' && n !== null && !Array.isArray(n)) : [];
}

type Visit = { readonly node: LsblkNode; readonly parent: Visit | undefined };

/**
 * Every device, depth first in lsblk's order, each with the chain above it. Iterative, so a hostile or broken
 * 10k-deep tree cannot overflow the stack.
 */
function* walk(roots: readonly LsblkNode[]): Generator<Visit> {
  const stack: Visit[] = [...roots].reverse().map((node) => ({ node, parent: undefined }));
  for (let visit = stack.pop(); visit; visit = stack.pop()) {
    yield visit;
    const parent = visit;
    stack.push(
      ...nodesOf(visit.node.children)
        .reverse()
        .map((node) => ({ node, parent })),
    );
  }
}

/** The chain of nodes from a top-level device down to the one mounted at `/`, or undefined. */
function pathToRoot(nodes: readonly LsblkNode[]): LsblkNode[] | undefined {
  for (const visit of walk(nodes)) {
    if (!mountsRoot(visit.node)) continue;
    const chain: LsblkNode[] = [];
    for (let v: Visit | undefined = visit; v; v = v.parent) chain.unshift(v.node);
    return chain;
  }
  return undefined;
}

function anyLuks(nodes: readonly LsblkNode[]): boolean {
  for (const { node } of walk(nodes)) if (node.type === 'crypt' || node.fstype === 'crypto_LUKS') return true;
  return false;
}

/** `lsblk -J -o NAME,TYPE,FSTYPE,MOUNTPOINT`: encrypted when the root filesystem has a `crypt` device above it. */
export function parseLsblk(text: string): DiskEncryption {
  const doc = parseToolJson('lsblk -J', text) as { blockdevices?: unknown } | null;
  if (!Array.isArray(doc?.blockdevices)) return unknown('lsblk printed no blockdevices list');
  const devices = nodesOf(doc.blockdevices);
  const chain = pathToRoot(devices);
  if (chain) {
    const crypt = chain.find((n) => n.type === 'crypt');
    return crypt
      ? { state: 'encrypted', method: 'luks', detail: `root filesystem on dm-crypt device ${String(crypt.name ?? '?')}` }
      : { state: 'notEncrypted', detail: `root filesystem on ${String(chain.at(-1)?.name ?? '?')} without a dm-crypt device` };
  }
  // Containers mount an overlay as /, which lsblk does not list.
  return unknown(
    anyLuks(devices)
      ? 'LUKS devices present, but the root filesystem is not a listed block device'
      : 'the root filesystem is not a listed block device (container?)',
  );
}

/** `fdesetup status` (macOS): "FileVault is On." / "FileVault is Off."; conversions in progress are unknown. */
export function parseFdesetup(text: string): DiskEncryption {
  const first = text.trim().split(/\r?\n/)[0]?.trim() ?? '';
  if (/^FileVault is On\.?$/i.test(first)) return { state: 'encrypted', method: 'filevault' };
  if (/^FileVault is Off\.?$/i.test(first)) return { state: 'notEncrypted' };
  return unknown(`fdesetup status: ${first.slice(0, 200) || '(no output)'}`);
}

/** What the BitLocker script returns: the enum names of Get-BitLockerVolume's properties. */
export function parseBitLocker(result: unknown): DiskEncryption {
  const r = (result ?? {}) as { ProtectionStatus?: unknown; VolumeStatus?: unknown; MountPoint?: unknown };
  const protection = String(r.ProtectionStatus ?? '');
  const volume = String(r.VolumeStatus ?? '');
  if (protection === 'On' && volume === 'FullyEncrypted') return { state: 'encrypted', method: 'bitlocker' };
  if (volume === 'FullyDecrypted') return { state: 'notEncrypted', detail: `BitLocker off on ${String(r.MountPoint ?? 'the system drive')}` };
  return unknown(`BitLocker on ${String(r.MountPoint ?? 'the system drive')}: protection ${protection || '?'}, volume ${volume || '?'}`);
}

/** Constant script: the system drive's BitLocker state as enum names (no data is passed in). */
export const BITLOCKER_STATUS = ps('bitlocker-status')`
$v = Get-BitLockerVolume -MountPoint $env:SystemDrive
[ordered]@{ MountPoint = [string]$v.MountPoint; ProtectionStatus = [string]$v.ProtectionStatus; VolumeStatus = [string]$v.VolumeStatus; EncryptionMethod = [string]$v.EncryptionMethod }
`;

const TIMEOUT_MS = 30_000;

async function linux(runner: CommandRunner): Promise<DiskEncryption> {
  const spec = { file: 'lsblk', args: ['-J', '-o', 'NAME,TYPE,FSTYPE,MOUNTPOINT'], timeoutMs: TIMEOUT_MS, maxOutputBytes: 4 * 1024 * 1024 };
  const result = await runner.run(spec);
  if (result.code !== 0 || result.timedOut || result.spawnError || result.truncated) return unknown(describeFailure(spec, result));
  return parseLsblk(result.stdout);
}

async function macos(runner: CommandRunner): Promise<DiskEncryption> {
  const spec = { file: '/usr/bin/fdesetup', args: ['status'], timeoutMs: TIMEOUT_MS };
  const result = await runner.run(spec);
  if (result.code !== 0 || result.timedOut || result.spawnError) return unknown(describeFailure(spec, result));
  return parseFdesetup(result.stdout);
}

async function windows(runner: CommandRunner): Promise<DiskEncryption> {
  return parseBitLocker(await runPowerShell(runner, BITLOCKER_STATUS, null, TIMEOUT_MS));
}

const PROBES: Record<Platform, (runner: CommandRunner) => Promise<DiskEncryption>> = { linux, macos, windows };

/** The system disk's encryption on this OS; never throws (failures are `unknown` with the reason). */
export async function readDiskEncryption(platform: Platform, runner: CommandRunner): Promise<DiskEncryption> {
  try {
    return await PROBES[platform](runner);
  } catch (err) {
    return unknown(err instanceof Error ? err.message : String(err));
  }
}
