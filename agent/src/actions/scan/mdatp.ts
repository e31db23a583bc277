// Antivirus scans on Linux and macOS through Defender for Endpoint's `mdatp` command: `mdatp scan quick|full`, then
// the threats detected since the scan began from `mdatp threat list --output json`. Fixed argv only (no data reaches
// mdatp); a cancelled scan is killed and `mdatp scan cancel` stops the engine's side of it.
import { type CommandRunner, type CommandSpec, describeFailure, parseToolJson } from '../../system/command-runner.js';
import {
  isRecord,
  SCAN_TIMEOUT_MS,
  type Scanner,
  type ScannerDeps,
  type ScanThreat,
  type ScanType,
  scanFailed,
  scanResult,
  scanUnavailable,
  threat,
  throwIfAborted,
} from './scan.js';

export const MDATP_ENGINE = 'mdatp';

/** The exact commands (linux-resources.md, "Scan" and "Protection history" rows). */
export function mdatpScanCommand(mdatpPath: string, scanType: ScanType, signal?: AbortSignal): CommandSpec {
  return { file: mdatpPath, args: ['scan', scanType], timeoutMs: SCAN_TIMEOUT_MS[scanType], maxOutputBytes: 1024 * 1024, ...(signal ? { signal } : {}) };
}
export function mdatpThreatListCommand(mdatpPath: string): CommandSpec {
  return { file: mdatpPath, args: ['threat', 'list', '--output', 'json'], timeoutMs: 60_000, maxOutputBytes: 8 * 1024 * 1024 };
}
export function mdatpScanCancelCommand(mdatpPath: string): CommandSpec {
  return { file: mdatpPath, args: ['scan', 'cancel'], timeoutMs: 30_000 };
}

/** "N threat(s) detected" in the scan's text summary (0 when absent). */
export function reportedThreatCount(stdout: string): number {
  const m = /(\d+)\s+threat\(s\)\s+detected/i.exec(stdout);
  return m ? Number(m[1]) : 0;
}

/**
 * The threats of `mdatp threat list --output json` detected at or after `sinceMs` (the list is the whole protection
 * history). Field names differ across mdatp versions (the JSON shape is not documented), so each field is taken from
 * the names seen in the wild; an entry whose detection time cannot be read is kept (reporting it beats hiding it).
 */
export function parseMdatpThreats(text: string, sinceMs: number): ScanThreat[] {
  const doc = parseToolJson('mdatp threat list', text);
  const list = Array.isArray(doc) ? doc : isRecord(doc) && Array.isArray(doc.threats) ? doc.threats : undefined;
  if (!list) throw new Error(`mdatp threat list: expected a JSON array of threats, got ${JSON.stringify(text.trim().slice(0, 120))}`);
  const out: ScanThreat[] = [];
  for (const item of list) {
    if (!isRecord(item)) continue;
    const name = firstString(item.name, item.threatName, item.threat_name);
    if (!name) continue;
    const at = detectionTimeMs(item.detectionTime ?? item.detection_time ?? item.detectedAt);
    if (at !== undefined && at < sinceMs) continue;
    out.push(threat(name, resourcePath(item), firstString(item.status, item.threatStatus, item.state)));
  }
  return out;
}

function resourcePath(item: Record<string, unknown>): string | undefined {
  const direct = firstString(item.path, item.filePath);
  if (direct) return direct;
  const resources = Array.isArray(item.resources) ? item.resources : [];
  for (const r of resources) {
    const path = typeof r === 'string' ? r : isRecord(r) ? firstString(r.path, r.filePath) : undefined;
    if (path) return path;
  }
  return undefined;
}

/** Epoch seconds, epoch milliseconds or an ISO/RFC date string. */
function detectionTimeMs(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value < 1e11 ? value * 1000 : value;
  if (typeof value === 'string' && value.trim()) {
    const numeric = Number(value);
    if (Number.isFinite(numeric)) return detectionTimeMs(numeric);
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

function firstString(...values: unknown[]): string | undefined {
  for (const v of values) if (typeof v === 'string' && v.length > 0) return v;
  return undefined;
}

/** A scanner driving the mdatp at `mdatpPath` (MDATP_PATHS per platform). */
export function createMdatpScanner(mdatpPath: string, deps: ScannerDeps): Scanner {
  return async (scanType, signal, progress) => {
    throwIfAborted(signal);
    const started = deps.clock.now();
    progress(0);
    const spec = mdatpScanCommand(mdatpPath, scanType, signal);
    const ran = await deps.runner.run(spec);
    if (signal.aborted) {
      await cancelEngineScan(deps.runner, mdatpPath);
      throwIfAborted(signal);
    }
    if (ran.spawnError?.startsWith('ENOENT')) throw scanUnavailable(`Microsoft Defender for Endpoint (mdatp) is not installed at ${mdatpPath}`);
    if (ran.code !== 0 || ran.timedOut) throw scanFailed(`mdatp scan ${scanType} failed: ${describeFailure(spec, ran)}`);
    progress(90);
    const list = mdatpThreatListCommand(mdatpPath);
    const listed = await deps.runner.run(list);
    throwIfAborted(signal);
    if (listed.code !== 0 || listed.timedOut || listed.truncated)
      throw scanFailed(`the scan ran but its threats could not be read: ${describeFailure(list, listed)}`);
    let threats: ScanThreat[];
    try {
      threats = parseMdatpThreats(listed.stdout, started);
    } catch (err) {
      throw scanFailed(`the scan ran but its threats could not be read: ${(err as Error).message}`, err);
    }
    progress(100);
    return scanResult(scanType, MDATP_ENGINE, deps.clock.now() - started, threats, reportedThreatCount(ran.stdout));
  };
}

/** Killing the mdatp client leaves the daemon's scan running; `mdatp scan cancel` stops it (best effort). */
async function cancelEngineScan(runner: CommandRunner, mdatpPath: string): Promise<void> {
  try {
    await runner.run(mdatpScanCancelCommand(mdatpPath));
  } catch {
    // The action is cancelled either way; a scan left running in the daemon is harmless.
  }
}
