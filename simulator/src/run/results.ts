// The shape of results.json: everything a run measured, and the verdict of each expectation. The HTML report, the
// PNG charts, the terminal summary and BENCHMARKS.md are all made from this.

import type { FailingHost } from '../fleet/protocol.js';
import type { Bucket, Summary } from '../stats.js';
import type { ActionRunResults } from './actions.js';
import type { ChangeResult } from './changes.js';
import type { FaultResult } from './faults.js';

/** One second of the run. Rates are per second over the preceding sample. */
export interface TimelinePoint {
  readonly t: number;
  readonly enrolled: number;
  readonly connected: number;
  readonly checkinsPerSecond: number;
  readonly reportsPerSecond: number;
  /** (change, host) pairs not applied yet. */
  readonly pending: number;
  readonly unacked: number;
  readonly endpointRssMb?: number;
  readonly endpointCpuPercent?: number;
  readonly fleetCpuPercent?: number;
}

export interface ExpectationResult {
  readonly expectation: string;
  readonly passed: boolean;
  readonly detail: string;
}

/** Memory and CPU of one endpoint process over the run. */
export interface ProcessSummary {
  readonly peakRssMb?: number;
  readonly finalRssMb?: number;
  readonly cpuSeconds?: number;
  readonly meanCpuPercent?: number;
}

export interface RunResults {
  readonly scenario: { readonly name: string; readonly source: string; readonly seed: number; readonly hosts: number; readonly composition: string };
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly memoryGb: number; readonly os: string; readonly node: string };
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly phases: readonly { readonly name: string; readonly start: number; readonly end: number }[];
  readonly enrollment: { readonly enrolled: number; readonly failed: number; readonly seconds: number; readonly perSecond: number };
  readonly checkins: {
    readonly total: number;
    readonly notModified: number;
    readonly bursts: readonly { readonly checkins: number; readonly failed: number; readonly seconds: number; readonly perSecond: number }[];
    /** Best burst rate, when the scenario had a checkinBurst step. */
    readonly perSecond?: number;
  };
  readonly pushToApplied: Summary & { readonly histogram: readonly Bucket[] };
  readonly changes: readonly Omit<ChangeResult, 'curve'>[];
  readonly reports: { readonly queued: number; readonly acked: number; readonly lost: number; readonly duplicates: number };
  readonly syncs: number;
  readonly errors: Readonly<Record<string, number>>;
  /** One message per error code, as first seen. */
  readonly errorSamples: Readonly<Record<string, string>>;
  readonly events: Readonly<Record<string, number>>;
  readonly push: { readonly connectedAtEnd: number; readonly connectedAtEndpoint?: number; readonly connects: number; readonly disconnects: number };
  readonly endpoint: {
    readonly managed: boolean;
    readonly peakRssMb?: number;
    readonly finalRssMb?: number;
    readonly cpuSeconds?: number;
    readonly meanCpuPercent?: number;
    readonly idleCpuPercent?: number;
    /** With several replicas: each one's figures (the ones above are their sum; peak RSS is the peak of the sum). */
    readonly replicas?: readonly ProcessSummary[];
  };
  readonly fleet: {
    readonly processes: number;
    readonly bytesPerHost?: number;
    readonly heapBytesPerHost?: number;
    readonly stateBytesPerHost?: number;
    /** Percent of one core per idle host, over `idleSeconds`. */
    readonly idleCpuPercentPerHost?: number;
    readonly idleSeconds: number;
    readonly peakRssMb: number;
  };
  /** The endpoint's compliance overview of the fleet at the end: hosts per compliance state and per risk level. */
  readonly compliance?: { readonly states: Readonly<Record<string, number>>; readonly riskLevels: Readonly<Record<string, number>> };
  /** Hosts per vulnerability exposure level at the end (`unknown`: none computed); absent when the route is missing. */
  readonly exposure?: Readonly<Record<string, number>>;
  /** recordExposure steps: hosts per exposure level at that moment, in timeline order. */
  readonly exposureSnapshots?: readonly ExposureSnapshot[];
  /** Security tasks of createSecurityTask steps (by scenario name) as the endpoint shows them at the end. */
  readonly securityTasks?: Readonly<Record<string, SecurityTaskEnd>>;
  /** Alert reports the endpoint acknowledged (signals runs). */
  readonly alerts: { readonly acked: number; readonly duplicates: number };
  /** Response actions the run created (runAction), their end statuses and create → delivered / terminal times. */
  readonly actions?: ActionRunResults;
  readonly timeline: readonly TimelinePoint[];
  /** Every fault step of the timeline, with the hosts it really touched. */
  readonly faults: readonly FaultResult[];
  /** Hosts whose agent's last sync ended in an error or with a setting in error (at most FAILING_HOSTS_KEPT). */
  readonly failingHosts: readonly FailingHost[];
  /** How many hosts were failing in all (failingHosts may be cut short). */
  readonly failingHostCount: number;
  /** Per setting an expectation names: hosts per state in their agents' last sync (`unreported`: not in it). */
  readonly settingStates?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Per policy (scenario name) an expectation names: the endpoint's status report, devices per state. */
  readonly policyStatus?: Readonly<Record<string, { readonly policyId: string; readonly devices: number; readonly counts: Readonly<Record<string, number>> }>>;
  readonly expectations: readonly ExpectationResult[];
  readonly problems: readonly string[];
  readonly passed: boolean;
}

/** Hosts per exposure level (and compliance state) when a recordExposure step ran (`atSeconds`: since the start of the run). */
export interface ExposureSnapshot {
  readonly label: string;
  readonly atSeconds: number;
  readonly counts: Readonly<Record<string, number>>;
  /** Hosts per compliance state at the same moment (the endpoint's overview). */
  readonly compliance?: Readonly<Record<string, number>>;
}

/** A security task at the end of the run. */
export interface SecurityTaskEnd {
  readonly taskId: string;
  readonly title: string;
  readonly status: string;
  readonly completion: string | null;
  readonly managedDeviceCount: number;
  readonly fixedDeviceCount: number;
  /** Its history as `from → to by who` lines, oldest first. */
  readonly history: readonly string[];
}
