// Risk signal sources of the real OS: health and detections through the command runner (argv only), processes and
// connections through systeminformation, inventory through systeminformation and the disk-encryption probes.
// `block` kills a process only after re-reading it and finding it still matches the indicator; `blockAndRemediate`
// then quarantines the executables once all were killed (actions/processes/remediation.ts). Dropping connections is not supported
// (the firewall providers enforce policy tables and keep no runtime block list): reported as such.
import type { AlertAction, DeviceFacts, Platform } from '../../../policy-schemas/src/index.js';
import type { FileHasher } from '../actions/processes/file-hasher.js';
import { listConnections, listProcesses, type ProcessApi } from '../actions/processes/process-table.js';
import { quarantineExecutables } from '../actions/processes/remediation.js';
import type { SignerReader } from '../actions/processes/signer-reader.js';
import type { FileQuarantine } from '../actions/quarantine.js';
import { matchProcesses, type ObservedConnection, type ObservedProcess, observationsNeeded, type RiskIndicator } from '../core/indicator-match.js';
import { nativeHealthReader } from '../health/health-reader.js';
import { collectNativeInventory } from '../inventory/collect.js';
import type { CommandRunner } from '../system/command-runner.js';
import type { FileStore } from '../system/file-store.js';
import { IndicatorSource } from './indicator-source.js';
import { actionDetail, type SignalSources } from './signal-sources.js';
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
  /** The agent's own executable: never quarantined (realpath and device + inode compared). */
  readonly ownExecutable?: string;
  /** The agent's own folders: nothing below them is quarantined (native-responder.ts agentPaths). */
  readonly agentPaths?: readonly string[];
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
      // Only once every matching process is stopped (a refused or vanished one may still need its file), each
      // killed process's own executable (remediation.ts: never an OS file or the agent itself).
      const remediated = !options.quarantine
        ? undefined
        : problems.length > 0
          ? { ok: false, detail: 'not quarantined: not every matching process was stopped' }
          : await quarantineExecutables(deps, indicator, processes);
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
