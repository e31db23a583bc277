// Defender health on Windows: Get-MpComputerStatus read through a constant script and parsed into the fields the agent
// reports (mde-domain.md §4.3, §5.1). The parser takes the JSON of `Get-MpComputerStatus | ConvertTo-Json` (Windows
// PowerShell 5.1: DateTime as "\/Date(ms)\/", enums as integers, scan ages of 4294967295 when no scan ever ran).

import { isoTime } from '../../../../common/iso-time.js';
import type { CommandRunner } from '../../system/command-runner.js';
import { DEFENDER_STATUS } from './defender-scripts.js';
import { psDateMs } from './defender-values.js';
import { runPowerShell } from './powershell.js';

/** Defender antivirus health of one Windows device. Absent fields: Defender did not report them. */
export interface DefenderHealth {
  /** AMRunningMode: "Normal" (active), "Passive Mode", "EDR Block Mode", "SxS Passive Mode", "Not running"… */
  readonly runningMode?: string;
  readonly serviceEnabled?: boolean;
  readonly antivirusEnabled?: boolean;
  readonly antispywareEnabled?: boolean;
  readonly realTimeProtectionEnabled?: boolean;
  readonly onAccessProtectionEnabled?: boolean;
  readonly behaviorMonitorEnabled?: boolean;
  readonly ioavProtectionEnabled?: boolean;
  readonly networkInspectionEnabled?: boolean;
  readonly tamperProtected?: boolean;
  /** TamperProtectionSource: who manages tamper protection ("Intune", "ATP", "UI", "Signature", "N/A"…). */
  readonly tamperProtectionSource?: string;
  readonly productVersion?: string;
  readonly engineVersion?: string;
  readonly signatureVersion?: string;
  /** Days since the antivirus signatures were updated. */
  readonly signatureAgeDays?: number;
  /** ISO 8601 (UTC). */
  readonly signatureLastUpdated?: string;
  readonly signaturesOutOfDate?: boolean;
  /** Days since the last quick/full scan; absent when no scan ever ran (Defender reports 4294967295). */
  readonly quickScanAgeDays?: number;
  readonly fullScanAgeDays?: number;
  readonly quickScanEndTime?: string;
  readonly fullScanEndTime?: string;
  readonly quickScanOverdue?: boolean;
  readonly fullScanOverdue?: boolean;
  readonly fullScanRequired?: boolean;
  readonly rebootRequired?: boolean;
  /** ComputerState bit mask: 0 clean, 1 pending full scan, 2 pending reboot, 4 pending manual steps, 8 pending offline scan, 16 critical failure. */
  readonly computerState?: number;
  readonly isVirtualMachine?: boolean;
  readonly computerId?: string;
}

/** Reported by Defender for a scan that never ran (uint32 max). */
const NEVER = 4294967295;

function bool(raw: Record<string, unknown>, name: string): boolean | undefined {
  const v = raw[name];
  return typeof v === 'boolean' ? v : undefined;
}

function num(raw: Record<string, unknown>, name: string): number | undefined {
  const v = raw[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function str(raw: Record<string, unknown>, name: string): string | undefined {
  const v = raw[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function date(raw: Record<string, unknown>, name: string): string | undefined {
  const ms = psDateMs(raw[name]);
  return ms === undefined ? undefined : isoTime(ms);
}

function age(raw: Record<string, unknown>, name: string): number | undefined {
  const v = num(raw, name);
  return v === undefined || v === NEVER ? undefined : v;
}

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Parses the JSON object of `Get-MpComputerStatus | ConvertTo-Json`; throws when it is not an object. */
export function parseMpComputerStatus(json: unknown): DefenderHealth {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error('Get-MpComputerStatus did not return an object');
  const raw = json as Record<string, unknown>;
  return defined<DefenderHealth>({
    runningMode: str(raw, 'AMRunningMode'),
    serviceEnabled: bool(raw, 'AMServiceEnabled'),
    antivirusEnabled: bool(raw, 'AntivirusEnabled'),
    antispywareEnabled: bool(raw, 'AntispywareEnabled'),
    realTimeProtectionEnabled: bool(raw, 'RealTimeProtectionEnabled'),
    onAccessProtectionEnabled: bool(raw, 'OnAccessProtectionEnabled'),
    behaviorMonitorEnabled: bool(raw, 'BehaviorMonitorEnabled'),
    ioavProtectionEnabled: bool(raw, 'IoavProtectionEnabled'),
    networkInspectionEnabled: bool(raw, 'NISEnabled'),
    tamperProtected: bool(raw, 'IsTamperProtected'),
    tamperProtectionSource: str(raw, 'TamperProtectionSource'),
    productVersion: str(raw, 'AMProductVersion'),
    engineVersion: str(raw, 'AMEngineVersion'),
    signatureVersion: str(raw, 'AntivirusSignatureVersion'),
    signatureAgeDays: age(raw, 'AntivirusSignatureAge'),
    signatureLastUpdated: date(raw, 'AntivirusSignatureLastUpdated'),
    signaturesOutOfDate: bool(raw, 'DefenderSignaturesOutOfDate'),
    quickScanAgeDays: age(raw, 'QuickScanAge'),
    fullScanAgeDays: age(raw, 'FullScanAge'),
    quickScanEndTime: date(raw, 'QuickScanEndTime'),
    fullScanEndTime: date(raw, 'FullScanEndTime'),
    quickScanOverdue: bool(raw, 'QuickScanOverdue'),
    fullScanOverdue: bool(raw, 'FullScanOverdue'),
    fullScanRequired: bool(raw, 'FullScanRequired'),
    rebootRequired: bool(raw, 'RebootRequired'),
    computerState: num(raw, 'ComputerState'),
    isVirtualMachine: bool(raw, 'IsVirtualMachine'),
    computerId: str(raw, 'ComputerID'),
  });
}

/** Runs Get-MpComputerStatus through the constant status script and parses it; throws PowerShellError on failure. */
export async function readDefenderHealth(runner: CommandRunner): Promise<DefenderHealth> {
  return parseMpComputerStatus(await runPowerShell(runner, DEFENDER_STATUS, {}, 60_000));
}
