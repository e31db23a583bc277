// Risk signal sources of the real OS: health and detections through the command runner (argv only), processes and
// connections through systeminformation, inventory through systeminformation and the disk-encryption probes.
// `block` kills a process only after re-reading it and finding it still matches the indicator; `blockAndRemediate`
// then quarantines its executable (actions/quarantine.ts; for a hash indicator only while the file still has that
// hash). Dropping connections is not supported (the firewall providers enforce policy tables and keep no runtime
// block list): reported as such.
import type { AlertAction, DeviceFacts, Platform } from '../../../policy-schemas/src/index.js';
import type { FileQuarantine } from '../actions/quarantine.js';
import { matchProcesses, type ObservedConnection, type ObservedProcess, observationsNeeded, type RiskIndicator } from '../core/indicator-match.js';
import { nativeHealthReader } from '../health/health-reader.js';
import { collectNativeInventory } from '../inventory/collect.js';
import type { CommandRunner } from '../system/command-runner.js';
import type { FileStore } from '../system/file-store.js';
import type { FileHasher, FileHashes } from './file-hasher.js';
import { IndicatorSource } from './indicator-source.js';
import { listConnections, listProcesses, type ProcessApi } from './process-table.js';
import { actionDetail, type SignalSources } from './signal-sources.js';
import type { SignerReader } from './signer-reader.js';
import { readThreats } from './threats.js';

export interface NativeSourcesDeps {
  readonly platform: Platform;
  readonly facts: () => DeviceFacts;
  readonly runner: CommandRunner;
  readonly files: FileStore;
  readonly indicatorsPath: string;
  readonly hasher: FileHasher;
  /** Signer thumbprints for certificateThumbprint indicators (Windows); none: they never match. */
  readonly signers?: SignerReader;
  /** Where blockAndRemediate puts executables; none: remediation is reported as not possible. */
  readonly quarantine?: FileQuarantine;
  /** The agent's own executable: never quarantined. */
  readonly ownExecutable?: string;
  readonly now: () => number;
  /** The agent's own pid: never killed. */
  readonly ownPid: number;
  /** Sends the signal (process.kill in the agent). */
  readonly kill: (pid: number) => void;
  readonly processApi?: ProcessApi;
  readonly onInvalidIndicator?: (message: string) => void;
}

export function createNativeSources(deps: NativeSourcesDeps): SignalSources {
  const health = nativeHealthReader(deps.platform, { runner: deps.runner, now: deps.now });
  const caseInsensitive = deps.platform === 'windows';
  const indicators = new IndicatorSource({
    files: deps.files,
    path: deps.indicatorsPath,
    ...(deps.onInvalidIndicator ? { onInvalid: deps.onInvalidIndicator } : {}),
  });
  const table = {
    platform: deps.platform,
    hasher: deps.hasher,
    ...(deps.signers ? { signers: deps.signers } : {}),
    ...(deps.processApi ? { api: deps.processApi } : {}),
  };
  return {
    caseInsensitive,
    indicators: () => indicators.read(),
    health: () => health.read(),
    detections: () => readThreats(deps.platform, deps.runner),
    processes: (hashes) => listProcesses(table, hashes),
    connections: () => listConnections(deps.processApi),
    async killProcesses(indicator: RiskIndicator, processes: readonly ObservedProcess[], options = {}): Promise<AlertAction> {
      // Re-read the table: a pid may have been reused by another program since the check listed it.
      const needs = observationsNeeded([indicator]);
      const current = new Map((await listProcesses(table, needs)).map((p) => [p.pid, p]));
      const killed: number[] = [];
      const problems: string[] = [];
      for (const p of processes) {
        const now = current.get(p.pid);
        if (p.pid <= 1 || p.pid === deps.ownPid) problems.push(`pid ${p.pid}: refused (system or agent process)`);
        else if (!now || now.path !== p.path || matchProcesses([indicator], [now], { caseInsensitive }).length === 0)
          problems.push(`pid ${p.pid}: gone or no longer matching`);
        else {
          try {
            deps.kill(p.pid);
            killed.push(p.pid);
          } catch (err) {
            problems.push(`pid ${p.pid}: ${(err as Error).message}`);
          }
        }
      }
      const remediated = options.quarantine ? await quarantineExecutable(deps, indicator, processes) : undefined;
      const detail = [killed.length > 0 ? `killed pid ${killed.join(', ')}` : '', ...problems, remediated?.detail ?? ''].filter(Boolean).join('; ');
      const ok = problems.every((m) => m.includes('gone')) && remediated?.ok !== false;
      return { type: 'killProcess', ok, detail: actionDetail(detail) };
    },
    async blockConnections(_indicator: RiskIndicator, connections: readonly ObservedConnection[]): Promise<AlertAction> {
      const peers = [...new Set(connections.map((c) => c.remoteAddress))].join(', ');
      return {
        type: 'blockConnection',
        ok: false,
        detail: actionDetail(`not supported on this host: the firewall provider keeps no runtime block list; connection to ${peers} only alerted`),
      };
    },
    inventory: () => collectNativeInventory({ platform: deps.platform, facts: deps.facts(), runner: deps.runner }),
  };
}

const HASH_OF: Partial<Record<RiskIndicator['type'], keyof FileHashes>> = { fileSha256: 'sha256', fileSha1: 'sha1', fileMd5: 'md5' };

/**
 * blockAndRemediate: moves the matched executable to the quarantine once its processes are stopped. A hash
 * indicator's file is hashed again first (a file replaced since the check is left alone); the agent's own
 * executable is never touched.
 */
async function quarantineExecutable(
  deps: NativeSourcesDeps,
  indicator: RiskIndicator,
  processes: readonly ObservedProcess[],
): Promise<{ ok: boolean; detail: string }> {
  const path = processes.find((p) => p.path !== undefined)?.path;
  if (!deps.quarantine) return { ok: false, detail: 'not quarantined: no quarantine on this host' };
  if (!path) return { ok: false, detail: 'not quarantined: the executable path is unknown' };
  if (path === deps.ownExecutable) return { ok: false, detail: `not quarantined: ${path} is the agent's own executable` };
  const algorithm = HASH_OF[indicator.type];
  if (algorithm) {
    const now = await deps.hasher.hash(path, { sha256: algorithm === 'sha256', sha1: algorithm === 'sha1', md5: algorithm === 'md5' });
    if (now?.[algorithm]?.toLowerCase() !== indicator.value.toLowerCase())
      return { ok: false, detail: `not quarantined: ${path} no longer has the indicator's ${algorithm}` };
  }
  try {
    const record = await deps.quarantine.quarantine(path, { reason: `indicator ${indicator.type} ${indicator.value} (blockAndRemediate)` });
    return { ok: true, detail: `quarantined ${path} as ${record.quarantineId} (sha256 ${record.sha256})` };
  } catch (err) {
    return { ok: false, detail: `not quarantined: ${(err as Error).message}` };
  }
}
