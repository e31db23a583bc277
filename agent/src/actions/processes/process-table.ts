// The real OS's processes and connections (systeminformation), with each process's executable path — read from
// /proc/<pid>/exe on Linux, because the command line's first word can be anything the process chose — and, where
// file-hash indicators ask for them, the executable's hashes (FileHasher: size cap, cache) and, for certificate
// indicators, its signer's thumbprint (SignerReader: Windows Authenticode).
import { readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Systeminformation as Si } from 'systeminformation';
import type { Platform } from '../../../../policy-schemas/src/index.js';
import type { ExecutableFacts, ObservedConnection, ObservedProcess } from '../../core/indicator-match.js';
import { parseIp } from '../../core/ip-match.js';
import { systemInformationModule as si } from '../../system/systeminformation.js';
import type { FileHasher } from './file-hasher.js';
import type { SignerReader } from './signer-reader.js';

/** The part of systeminformation used here (tests pass a fake). */
export interface ProcessApi {
  processes(): Promise<{ list: Partial<Si.ProcessesProcessData>[] }>;
  networkConnections(): Promise<Partial<Si.NetworkConnectionsData>[]>;
}

export const systemProcesses: ProcessApi = {
  processes: async () => (await si()).processes(),
  networkConnections: async () => (await si()).networkConnections(),
};

type Row = Partial<Si.ProcessesProcessData>;

/** How each OS yields a process's executable path from systeminformation's row (path = folder on Linux/macOS). */
const EXECUTABLE: Record<Platform, (row: Row) => Promise<string | undefined>> = {
  linux: async (row) => {
    try {
      return (await readlink(`/proc/${row.pid}/exe`)).replace(/ \(deleted\)$/, '');
    } catch {
      // Not ours to read (another user's process without CAP_SYS_PTRACE) or already gone.
      return row.path && row.command ? join(row.path, row.command) : undefined;
    }
  },
  macos: async (row) => (row.path && row.command ? join(row.path, row.command) : undefined),
  // Win32_Process.ExecutablePath: already the full path of the .exe.
  windows: async (row) => row.path || undefined,
};

export interface ProcessTableDeps {
  readonly platform: Platform;
  readonly hasher: FileHasher;
  readonly signers?: SignerReader;
  readonly api?: ProcessApi;
}

/** Running processes; hashes and signers only when asked (never a hash of a file above the hasher's cap). */
export async function listProcesses(deps: ProcessTableDeps, want: Partial<ExecutableFacts>): Promise<ObservedProcess[]> {
  const api = deps.api ?? systemProcesses;
  const { list } = await api.processes();
  const hashes = { sha256: want.sha256 === true, sha1: want.sha1 === true, md5: want.md5 === true };
  const rows: { pid: number; name: string; path: string | undefined }[] = [];
  for (const row of list) {
    if (typeof row.pid !== 'number' || row.pid <= 0 || !row.name) continue;
    rows.push({ pid: row.pid, name: row.name, path: await EXECUTABLE[deps.platform](row) });
  }
  const paths = rows.flatMap((r) => (r.path ? [r.path] : []));
  const signers = want.signer && deps.signers ? await deps.signers.thumbprints(paths) : new Map<string, string | undefined>();
  const out: ObservedProcess[] = [];
  for (const { pid, name, path } of rows) {
    const sums = path && (hashes.sha256 || hashes.sha1 || hashes.md5) ? await deps.hasher.hash(path, hashes) : undefined;
    const signer = path ? signers.get(path) : undefined;
    out.push({ pid, name, ...(path ? { path } : {}), ...sums, ...(signer ? { signerThumbprint: signer } : {}) });
  }
  return out;
}

/** Connections with a real remote peer (listening sockets and wildcard peers are not connections). */
export async function listConnections(api: ProcessApi = systemProcesses): Promise<ObservedConnection[]> {
  const rows = await api.networkConnections();
  const out: ObservedConnection[] = [];
  for (const row of rows) {
    const peer = row.peerAddress ?? '';
    const port = Number(row.peerPort);
    if (row.state === 'LISTEN' || !Number.isInteger(port) || port <= 0 || port > 65535) continue;
    const ip = parseIp(peer);
    if (!ip || ip.value === 0n) continue;
    out.push({ remoteAddress: peer, remotePort: port, ...(typeof row.pid === 'number' && row.pid > 0 ? { pid: row.pid } : {}) });
  }
  return out;
}
