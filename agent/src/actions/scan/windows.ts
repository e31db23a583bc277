// Antivirus scans on Windows through Microsoft Defender Antivirus: one constant PowerShell script (windows-script.ts)
// runs Start-MpScan and reads Get-MpThreatDetection; this file runs it, stops it when cancelled and reads its answer.
import { PowerShellError, runPowerShell } from '../../providers/windows/powershell.js';
import type { CommandRunner } from '../../system/command-runner.js';
import {
  isRecord,
  SCAN_TIMEOUT_MS,
  type Scanner,
  type ScannerDeps,
  type ScanThreat,
  scanFailed,
  scanResult,
  scanUnavailable,
  threat,
  throwIfAborted,
} from './scan.js';
import { MPCMDRUN, WINDOWS_SCAN_SCRIPT, WINDOWS_SCAN_TYPES } from './windows-script.js';

export const DEFENDER_ENGINE = 'defender';

/** MSFT_MpThreatDetection.ThreatStatusID (Get-MpThreatDetection); other ids are reported as "status <id>". */
const THREAT_STATUS: Readonly<Record<number, string>> = {
  0: 'unknown',
  1: 'detected',
  2: 'cleaned',
  3: 'quarantined',
  4: 'removed',
  5: 'allowed',
  6: 'blocked',
  102: 'quarantineFailed',
  103: 'removeFailed',
  104: 'allowFailed',
  105: 'abandoned',
  107: 'blockFailed',
};

export type WindowsScanAnswer = { readonly unavailable: string } | { readonly started: string; readonly detections: readonly ScanThreat[] };

/** Reads the script's result; anything not of the documented shape throws naming what is wrong. */
export function parseWindowsScan(result: unknown): WindowsScanAnswer {
  if (!isRecord(result)) throw new Error('the scan script answered no object');
  if (typeof result.unavailable === 'string') return { unavailable: result.unavailable };
  if (typeof result.started !== 'string') throw new Error('the scan script answered no "started" time');
  const raw = result.detections === null || result.detections === undefined ? [] : result.detections;
  // ConvertTo-Json writes a one-element array as that element in some PowerShell versions.
  const list = Array.isArray(raw) ? raw : [raw];
  const detections: ScanThreat[] = [];
  for (const [i, d] of list.entries()) {
    if (!isRecord(d)) throw new Error(`detections[${i}] is not an object`);
    const id = typeof d.threatId === 'string' ? d.threatId : String(d.threatId ?? '');
    const name = typeof d.name === 'string' && d.name ? d.name : `threat ${id || 'without id'}`;
    const resources = Array.isArray(d.resources) ? d.resources : typeof d.resources === 'string' ? [d.resources] : [];
    const first = resources.find((r): r is string => typeof r === 'string' && r.length > 0);
    const statusId = typeof d.threatStatusId === 'number' ? d.threatStatusId : undefined;
    const status = statusId === undefined ? undefined : (THREAT_STATUS[statusId] ?? `status ${statusId}`);
    detections.push(threat(name, first?.replace(/^[a-z]+:_/i, ''), status));
  }
  return { started: result.started, detections };
}

/** A scanner driving Defender through PowerShell. */
export function createDefenderScanner(deps: ScannerDeps): Scanner {
  return async (scanType, signal, progress) => {
    throwIfAborted(signal);
    const started = deps.clock.now();
    progress(0);
    let answer: WindowsScanAnswer;
    try {
      const out = await runPowerShell(deps.runner, WINDOWS_SCAN_SCRIPT, { scanType: WINDOWS_SCAN_TYPES[scanType] }, SCAN_TIMEOUT_MS[scanType], signal);
      answer = parseWindowsScan(out);
    } catch (err) {
      if (signal.aborted) {
        await cancelEngineScan(deps.runner);
        throwIfAborted(signal);
      }
      if (err instanceof PowerShellError && /cannot start \(ENOENT/.test(err.message)) throw scanUnavailable('Windows PowerShell is not installed');
      throw scanFailed(`Start-MpScan -ScanType ${WINDOWS_SCAN_TYPES[scanType]} failed: ${(err as Error).message}`, err);
    }
    if ('unavailable' in answer) throw scanUnavailable(answer.unavailable);
    progress(100);
    return scanResult(scanType, DEFENDER_ENGINE, deps.clock.now() - started, answer.detections);
  };
}

/** `MpCmdRun.exe -Scan -Cancel` stops the scan MsMpEng runs (best effort: the action is cancelled either way). */
async function cancelEngineScan(runner: CommandRunner): Promise<void> {
  try {
    await runner.run({ file: MPCMDRUN, args: ['-Scan', '-Cancel'], timeoutMs: 30_000 });
  } catch {
    // Nothing more to do: a scan left running in Defender is harmless.
  }
}
