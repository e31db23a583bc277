// Risk signal sources of a simulated host: everything comes from its state file (processes, connections, AV
// detections, health overrides), so tests and QA inject each signal by editing the file. A `block` removes the
// process or connection from the file, as killing it or dropping it would on a real device; `blockAndRemediate` also
// removes every process of the same executable (the simulated device has no file to move: the quarantine is said).
import type { AlertAction } from '../../../policy-schemas/src/index.js';
import type { ObservedConnection, ObservedProcess, RiskIndicator } from '../core/indicator-match.js';
import { SIGNER_NOT_APPLICABLE } from '../core/indicator-policy.js';
import { sameIp } from '../core/ip-match.js';
import type { ThreatDetection } from '../core/risk-findings.js';
import { simulatedHealthReader } from '../health/health-reader.js';
import type { SimulatedHost } from '../hosts/simulated-host.js';
import { simulatedInventory } from '../inventory/simulated.js';
import type { FileStore } from '../system/file-store.js';
import { IndicatorSource } from './indicator-source.js';
import type { SignalSources } from './signal-sources.js';

export interface SimulatedSourcesDeps {
  readonly host: SimulatedHost;
  readonly files: FileStore;
  readonly indicatorsPath: string;
  readonly agentVersion: string;
  readonly onInvalidIndicator?: (message: string) => void;
}

export function createSimulatedSources(deps: SimulatedSourcesDeps): SignalSources {
  const { host } = deps;
  const health = simulatedHealthReader(host);
  const indicators = new IndicatorSource({
    files: deps.files,
    path: deps.indicatorsPath,
    simulated: host,
    ...(deps.onInvalidIndicator ? { onInvalid: deps.onInvalidIndicator } : {}),
  });
  return {
    caseInsensitive: host.platform === 'windows',
    indicators: () => indicators.read(),
    health: () => health.read(),
    async detections(): Promise<ThreatDetection[]> {
      await host.refresh();
      return host.riskSignals.detections.map((d) => ({
        source: 'simulated',
        threatId: d.threatId,
        name: d.name,
        severity: d.severity,
        ...(d.path ? { path: d.path } : {}),
      }));
    },
    async processes(): Promise<ObservedProcess[]> {
      await host.refresh();
      // Hashes are whatever the file states: the simulated device has no executables to read. A signer is seen only
      // where the real OS lets the agent read one (actions/processes/signer-reader.ts).
      const signers = SIGNER_NOT_APPLICABLE[host.platform] === undefined;
      return host.riskSignals.processes.map(({ signerThumbprint, ...p }) => ({ ...p, ...(signers && signerThumbprint ? { signerThumbprint } : {}) }));
    },
    async connections(): Promise<ObservedConnection[]> {
      await host.refresh();
      return host.riskSignals.connections.map((c) => ({ ...c }));
    },
    async killProcesses(_indicator: RiskIndicator, processes: readonly ObservedProcess[], options = {}): Promise<AlertAction> {
      await host.refresh();
      // Re-check: only a process still listed with the same pid and executable is removed.
      const targets = new Set(processes.map((p) => `${p.pid}\u0000${p.path ?? ''}`));
      const executable = options.quarantine ? processes.find((p) => p.path !== undefined)?.path : undefined;
      const before = host.riskSignals.processes;
      const after = before.filter((p) => !targets.has(`${p.pid}\u0000${p.path}`) && (executable === undefined || p.path !== executable));
      const killed = before.filter((p) => !after.includes(p)).map((p) => p.pid);
      if (killed.length > 0) {
        host.setRiskSignals({ processes: after });
        await host.persist();
      }
      const stopped = killed.length > 0 ? `simulated: process ${killed.join(', ')} stopped` : 'simulated: process already gone';
      const quarantined = !options.quarantine
        ? ''
        : executable
          ? `; simulated: ${executable} quarantined`
          : '; not quarantined: the executable path is unknown';
      return { type: 'killProcess', ok: !options.quarantine || executable !== undefined, detail: `${stopped}${quarantined}` };
    },
    async blockConnections(_indicator: RiskIndicator, connections: readonly ObservedConnection[]): Promise<AlertAction> {
      await host.refresh();
      const hit = (c: { remoteAddress: string; remotePort: number }) =>
        connections.some((t) => t.remotePort === c.remotePort && sameIp(t.remoteAddress, c.remoteAddress));
      const before = host.riskSignals.connections;
      const after = before.filter((c) => !hit(c));
      if (after.length !== before.length) {
        host.setRiskSignals({ connections: after });
        await host.persist();
      }
      const peers = [...new Set(connections.map((c) => c.remoteAddress))].join(', ');
      return { type: 'blockConnection', ok: true, detail: `simulated: connection to ${peers} dropped by the host firewall` };
    },
    async inventory() {
      return simulatedInventory(host, deps.agentVersion);
    },
  };
}
