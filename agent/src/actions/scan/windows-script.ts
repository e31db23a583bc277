// The constant PowerShell script of a Windows antivirus scan (Defender module): refuses a missing or stopped Defender,
// runs Start-MpScan, then reads the detections made since the scan began with their threat names. Data (the scan
// type) arrives as JSON on stdin and is checked against an allow-list inside the script.
import { ps } from '../../providers/windows/powershell.js';

/** Start-MpScan's -ScanType values (learn.microsoft.com/powershell/module/defender/start-mpscan). */
export const WINDOWS_SCAN_TYPES = { quick: 'QuickScan', full: 'FullScan' } as const;

/** MpCmdRun's cancel of a running scan: killing PowerShell does not stop the scan MsMpEng is running. */
export const MPCMDRUN = 'C:\\Program Files\\Windows Defender\\MpCmdRun.exe';

// Answers {unavailable} when there is nothing to scan with, else {started, detections[]}. A detection counts when it
// was first made or changed status after the scan began (a file real-time protection already caught and the scan
// re-found changes status). Resources are strings such as "file:_C:\path"; names come from Get-MpThreat by id.
export const WINDOWS_SCAN_SCRIPT = ps('defender-scan')`
$type = [string]$in.scanType
if ($type -ne 'QuickScan' -and $type -ne 'FullScan') { throw "unsupported scan type: $type" }
if (-not (Get-Command Start-MpScan -ErrorAction SilentlyContinue)) {
  return @{ unavailable = 'the Defender PowerShell module (Start-MpScan) is not installed' }
}
try { $status = Get-MpComputerStatus } catch { return @{ unavailable = "Microsoft Defender Antivirus does not answer: $($_.Exception.Message)" } }
if (-not $status.AMServiceEnabled) { return @{ unavailable = 'the Microsoft Defender Antivirus service is not enabled' } }
$start = (Get-Date).ToUniversalTime()
Start-MpScan -ScanType $type
$names = @{}
foreach ($t in @(Get-MpThreat -ErrorAction SilentlyContinue)) { $names[[string]$t.ThreatID] = [string]$t.ThreatName }
$found = @()
foreach ($d in @(Get-MpThreatDetection -ErrorAction SilentlyContinue)) {
  $first = if ($d.InitialDetectionTime) { $d.InitialDetectionTime.ToUniversalTime() } else { $null }
  $changed = if ($d.LastThreatStatusChangeTime) { $d.LastThreatStatusChangeTime.ToUniversalTime() } else { $null }
  if (-not (($first -and $first -ge $start) -or ($changed -and $changed -ge $start))) { continue }
  $resources = @()
  if ($d.Resources) { $resources = @($d.Resources | ForEach-Object { [string]$_ }) }
  $found += ,@{
    threatId = [string]$d.ThreatID
    name = $names[[string]$d.ThreatID]
    resources = $resources
    threatStatusId = [int]$d.ThreatStatusID
    detectedAt = if ($first) { $first.ToString('o') } else { $null }
  }
}
@{ started = $start.ToString('o'); detections = $found }
`;
