// What every antivirus scan backend shares: the scanner's signature (ResponseHost.scan), the result's limits (at most
// 100 threats, names cut to the schema's lengths) and the error a scan reports when it cannot run or fails.
import type { Clock } from '../../../../common/clock.js';
import { AttacheError } from '../../../../common/errors.js';
import type { ActionResultOf } from '../../../../policy-schemas/src/actions.js';
import type { CommandRunner } from '../../system/command-runner.js';
import type { ProgressSink } from '../response-host.js';

export type ScanType = 'quick' | 'full';
export type ScanResult = ActionResultOf<'runAntivirusScan'>;
export type ScanThreat = ScanResult['threats'][number];

/** Runs one scan; `signal` stops it (the promise rejects with the abort reason). */
export type Scanner = (scanType: ScanType, signal: AbortSignal, progress: ProgressSink) => Promise<ScanResult>;

export interface ScannerDeps {
  readonly runner: CommandRunner;
  readonly clock: Clock;
}

/** The schema's caps (policy-schemas/src/actions.ts ScanThreat, ActionResults.runAntivirusScan.threats). */
export const MAX_THREATS = 100;
const MAX_NAME = 400;
const MAX_PATH = 4096;
const MAX_STATUS = 100;

/**
 * How long a scan may run before it is killed: Defender's own defaults (MpCmdRun: quick 1 day, full 7 days) cut to
 * the 72 h an action lives (ACTION_TTL_MS on the endpoint), after which its outcome no longer counts.
 */
export const SCAN_TIMEOUT_MS: Record<ScanType, number> = { quick: 24 * 3600_000, full: 72 * 3600_000 };

/** A threat as the result carries it: strings kept as data, only cut to the schema's lengths. */
export function threat(name: string, path: string | undefined, status: string | undefined): ScanThreat {
  return {
    name: name.slice(0, MAX_NAME),
    ...(path ? { path: path.slice(0, MAX_PATH) } : {}),
    ...(status ? { status: status.slice(0, MAX_STATUS) } : {}),
  };
}

/**
 * The result: `threats` lists the first MAX_THREATS; threatsFound counts every threat (at least `reported`, the count
 * the engine printed, when it printed more than it listed).
 */
export function scanResult(scanType: ScanType, engine: string, durationMs: number, threats: readonly ScanThreat[], reported = 0): ScanResult {
  return {
    scanType,
    engine,
    durationMs: Math.max(0, Math.round(durationMs)),
    threatsFound: Math.max(threats.length, reported),
    threats: threats.slice(0, MAX_THREATS),
  };
}

export function scanUnavailable(message: string): AttacheError {
  return new AttacheError('SCAN_UNAVAILABLE', message);
}

export function scanFailed(message: string, cause?: unknown): AttacheError {
  return new AttacheError('SCAN_FAILED', message, cause === undefined ? {} : { cause });
}

/** Throws the signal's reason when it is aborted (checked between the steps of a scan). */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason ?? new Error('aborted');
}

/** A JSON object (not an array, not null): how tool output is walked field by field. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
