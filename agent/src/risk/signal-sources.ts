// Where the risk monitor's observations come from, and how it acts on `block` indicators: one interface, one
// implementation for the real OS (native-sources.ts) and one for simulated hosts (simulated-sources.ts).
import type { AlertAction } from '../../../policy-schemas/src/index.js';
import type { ExecutableFacts, ObservedConnection, ObservedProcess, RiskIndicator } from '../core/indicator-match.js';
import type { ThreatDetection } from '../core/risk-findings.js';
import type { HealthReading } from '../health/health-reader.js';
import type { InventoryFacts } from '../inventory/collect.js';

export interface SignalSources {
  /** Windows: process names and paths compare case-insensitively. */
  readonly caseInsensitive: boolean;
  /** The custom indicators delivered to this device (empty when none). Throws when the list cannot be read. */
  indicators(): Promise<RiskIndicator[]>;
  /** Antivirus and firewall health; never throws (unknown parts say why). */
  health(): Promise<HealthReading>;
  /** Active (unremediated) antivirus detections. Throws when the antivirus cannot be asked. */
  detections(): Promise<ThreatDetection[]>;
  /** Running processes, with executable hashes and signers where asked. Throws when the process table cannot be read. */
  processes(want: Partial<ExecutableFacts>): Promise<ObservedProcess[]>;
  /** Connections with a remote peer. Throws when they cannot be listed. */
  connections(): Promise<ObservedConnection[]>;
  /**
   * Stops processes matching a block indicator, each re-checked first; with `quarantine` (blockAndRemediate) then
   * moves their executable to the agent's quarantine. Reports what happened.
   */
  killProcesses(indicator: RiskIndicator, processes: readonly ObservedProcess[], options?: { readonly quarantine?: boolean }): Promise<AlertAction>;
  /** Drops connections matching a `block` indicator where the host can; reports what happened either way. */
  blockConnections(indicator: RiskIndicator, connections: readonly ObservedConnection[]): Promise<AlertAction>;
  /** Static facts for the inventory (without time and hash). */
  inventory(): Promise<InventoryFacts>;
}

/** An action's detail text within the wire limit. */
export function actionDetail(text: string): string {
  return text.length > 1024 ? `${text.slice(0, 1023)}…` : text;
}
