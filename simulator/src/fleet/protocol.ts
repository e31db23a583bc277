// Messages between the coordinator and its fleet processes (child_process IPC, structured clone). Times are Unix
// milliseconds from nowMs(); hosts are named by their index in the whole fleet.
import type { OnboardingPackage, OsType, Platform, ScenarioSoftware, ScenarioStep } from '../../../policy-schemas/src/index.js';

/** One simulated device to run. */
export interface HostSpec {
  readonly index: number;
  readonly platform: Platform;
  readonly osType?: OsType;
  readonly hostname: string;
  /** Key into FleetInit.packages: the onboarding package this host enrolls with. */
  readonly packageKey: string;
  /** Index into HostBehaviour.software.profiles: the host's installed software (its scenario slice's). */
  readonly softwareProfile?: number;
}

/** How every host of the fleet behaves. */
export interface HostBehaviour {
  readonly checkinSeconds: number;
  readonly jitterPercent: number;
  readonly driftCheckSeconds?: number;
  readonly connections: 'afterSync' | 'keepAlive';
  /** Run the agent's risk signals engine too (alerts, health, inventory). */
  readonly signals: boolean;
  readonly seed: number;
  /** How long a simulated antivirus scan takes (default: the responder's). */
  readonly scanMs?: { readonly quick: number; readonly full: number };
  /** Software inventory (issue 18): the slices' software (by slice index; null: none) and its schedule. */
  readonly software?: {
    readonly profiles: readonly (ScenarioSoftware | null)[];
    readonly firstDelayMs: number;
    readonly intervalMs: number;
  };
}

export interface FleetInit {
  readonly type: 'init';
  readonly hosts: readonly HostSpec[];
  readonly packages: Readonly<Record<string, OnboardingPackage>>;
  readonly behaviour: HostBehaviour;
}

/** A fault step as the fleet processes apply it (admin steps never reach them). */
export type FaultStep = Extract<
  ScenarioStep,
  {
    action:
      | 'failWrites'
      | 'slowApply'
      | 'drift'
      | 'groupPolicyOverride'
      | 'crashHosts'
      | 'partition'
      | 'diskFull'
      | 'clockSkew'
      | 'injectThreat'
      | 'clearThreats'
      | 'failActions';
  }
>;

export type FleetCommand =
  | { readonly id: number; readonly type: 'enroll'; readonly concurrency: number }
  | { readonly id: number; readonly type: 'start'; readonly perSecond: number }
  | { readonly id: number; readonly type: 'fault'; readonly step: FaultStep; readonly stepIndex: number; readonly targets: FaultTargets }
  | { readonly id: number; readonly type: 'faultHits' }
  | { readonly id: number; readonly type: 'endState'; readonly settings: readonly string[] }
  | { readonly id: number; readonly type: 'burst'; readonly rounds: number; readonly concurrency: number }
  | { readonly id: number; readonly type: 'measure'; readonly idleSeconds: number }
  | { readonly id: number; readonly type: 'stop' };

/**
 * The hosts a fault step is aimed at, chosen by the coordinator over the whole fleet (exact share/count): `hosts`, or
 * for failWrites the hosts per setting id. Each process acts on those of them it runs.
 */
export interface FaultTargets {
  readonly hosts: readonly number[];
  readonly bySetting?: Readonly<Record<string, readonly number[]>>;
}

/** What `faultHits` answers: per timeline step index, the hosts its fault really touched (so far). */
export type FaultHits = Readonly<Record<number, readonly number[]>>;

/** A host whose agent's last sync ended in an error or with a setting in error. */
export interface FailingHost {
  readonly host: number;
  readonly deviceId?: string;
  readonly platform: Platform;
  readonly lastError: { readonly code: string; readonly message: string };
  /** When the endpoint last acknowledged a report of this host (Unix ms). */
  readonly lastReportAt?: number;
}

/** What `endState` answers: hosts per (setting, state) in their agents' last sync, and the failing hosts. */
export interface EndState {
  /** setting id → state → hosts; a host whose last sync does not report the setting counts as `unreported`. */
  readonly settingStates: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly failing: readonly FailingHost[];
}

/** One acknowledged report: when the endpoint acknowledged it and which policy versions it carried. */
export interface AckRecord {
  readonly host: number;
  /** When the acknowledgement arrived. */
  readonly t: number;
  /** When the report was generated, on the real clock (the host's skew removed). */
  readonly generated: number;
  /** [policyId, version, state] of every policy in the report. */
  readonly policies: readonly (readonly [string, number, string])[];
  readonly events?: Readonly<Record<string, number>>;
  readonly duplicate: boolean;
}

/** Cumulative counters of one fleet process. */
export interface FleetStats {
  readonly hosts: number;
  readonly enrolled: number;
  readonly connected: number;
  readonly checkins: number;
  readonly notModified: number;
  readonly syncs: number;
  readonly reportsQueued: number;
  readonly reportsAcked: number;
  /** Reports queued and not (yet) acknowledged, now. */
  readonly unacked: number;
  readonly pushConnects: number;
  readonly pushDisconnects: number;
  /** Alert reports acknowledged by the endpoint (signals runs), and those acknowledged as duplicates. */
  readonly alertsAcked: number;
  readonly alertsDuplicate: number;
  readonly errors: Readonly<Record<string, number>>;
  /** One message per error code, as first seen. */
  readonly errorSamples: Readonly<Record<string, string>>;
  readonly rss: number;
  readonly cpuMicros: number;
  /** When these counters were taken (the process's clock: rates use it, not the arrival time). */
  readonly at: number;
}

export type FleetEvent =
  | {
      readonly type: 'batch';
      /** [host, deviceId, started, finished] */
      readonly enrolled: readonly (readonly [number, string, number, number])[];
      /** [host, error code] */
      readonly enrollFailed: readonly (readonly [number, string])[];
      readonly acks: readonly AckRecord[];
      readonly stats: FleetStats;
    }
  | { readonly type: 'reply'; readonly id: number; readonly result?: unknown; readonly error?: string };

/** What `burst` answers. */
export interface BurstResult {
  readonly checkins: number;
  readonly failed: number;
  readonly started: number;
  readonly finished: number;
}

/** What `measure` answers: the process's footprint with all its hosts idle. */
export interface FootprintResult {
  readonly hosts: number;
  /** Resident memory before any host existed (modules loaded) and now, after a GC. */
  readonly baselineRss: number;
  readonly rss: number;
  readonly baselineHeap: number;
  readonly heapUsed: number;
  /** CPU time used by the process over the idle window, in microseconds, and the window length. */
  readonly idleCpuMicros: number;
  readonly idleMs: number;
  /** Characters held by the hosts' in-memory state dirs. */
  readonly stateChars: number;
}
