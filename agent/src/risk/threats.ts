// Antivirus detections as the risk engine's ThreatDetection: Windows Get-MpThreat + Get-MpThreatDetection (through a
// constant PowerShell script), Linux/macOS `mdatp threat list --output json`. Only unremediated threats count; a
// quarantined, removed, cleaned, blocked or allowed threat raises nothing. The mdatp JSON shape is not documented,
// so its parser takes the field spellings seen in mdatp's other JSON (camelCase, snake_case, {"$type": …} wrappers).
import type { AlertSeverity, Platform } from '../../../policy-schemas/src/index.js';
import type { ThreatDetection } from '../core/risk-findings.js';
import { MDATP_PATHS } from '../providers/mdatp/cli.js';
import { ps, runPowerShell } from '../providers/windows/powershell.js';
import { type CommandRunner, describeFailure, parseToolJson } from '../system/command-runner.js';

/** Constant script: Defender's threats and their detection states (times as ISO text, ids as strings). */
export const DEFENDER_THREATS = ps('defender-threats')`
$threats = @(Get-MpThreat | ForEach-Object { [ordered]@{ ThreatID = [string]$_.ThreatID; ThreatName = [string]$_.ThreatName; SeverityID = [int]$_.SeverityID; IsActive = [bool]$_.IsActive } })
$detections = @(Get-MpThreatDetection | ForEach-Object {
  $t = $_.InitialDetectionTime
  [ordered]@{ ThreatID = [string]$_.ThreatID; ThreatStatusID = [int]$_.ThreatStatusID; InitialDetectionTime = $(if ($t) { $t.ToUniversalTime().ToString('o') } else { $null }); Resources = @($_.Resources | ForEach-Object { [string]$_ }) }
})
[ordered]@{ threats = $threats; detections = $detections }
`;

/** MSFT_MpThreat SeverityID: 1 Low, 2 Moderate, 4 High, 5 Severe; unknown counts as high. */
function defenderSeverity(id: unknown): AlertSeverity {
  return id === 1 ? 'low' : id === 2 ? 'medium' : 'high';
}

/** MSFT_MpThreatDetection ThreatStatusID still needing action: Detected, and the *Failed / Abandoned states. */
const UNREMEDIATED = new Set([1, 102, 103, 104, 105, 107]);

const list = (v: unknown): Record<string, unknown>[] =>
  (Array.isArray(v) ? v : v && typeof v === 'object' ? [v] : []).filter((x): x is Record<string, unknown> => !!x && typeof x === 'object');

/** Parses DEFENDER_THREATS' result: a threat is active when Defender says so or a detection of it is unremediated. */
export function parseDefenderThreats(result: unknown): ThreatDetection[] {
  const r = (result ?? {}) as { threats?: unknown; detections?: unknown };
  const threats = new Map(list(r.threats).map((t) => [String(t.ThreatID), t]));
  const detections = list(r.detections);
  const active = new Set([
    ...[...threats.values()].filter((t) => t.IsActive === true).map((t) => String(t.ThreatID)),
    ...detections.filter((d) => UNREMEDIATED.has(Number(d.ThreatStatusID))).map((d) => String(d.ThreatID)),
  ]);
  return [...active].map((id) => {
    const threat = threats.get(id);
    const detection = detections.find((d) => String(d.ThreatID) === id);
    const first = Array.isArray(detection?.Resources) ? detection.Resources[0] : detection?.Resources;
    // Resources read "file:_C:\\path"; the prefix names the resource type.
    const path = typeof first === 'string' ? first.replace(/^[a-z]+:_/i, '') : '';
    return {
      source: 'defender' as const,
      threatId: id,
      name: typeof threat?.ThreatName === 'string' && threat.ThreatName ? threat.ThreatName : `Threat ${id}`,
      severity: defenderSeverity(threat?.SeverityID),
      ...(path ? { path } : {}),
      ...(detection ? { status: `ThreatStatusID ${String(detection.ThreatStatusID)}` } : {}),
      ...(typeof detection?.InitialDetectionTime === 'string' ? { detectedAt: detection.InitialDetectionTime } : {}),
    };
  });
}

function pick(item: Record<string, unknown>, ...names: string[]): unknown {
  for (const name of names) if (item[name] !== undefined && item[name] !== null) return item[name];
  return undefined;
}

function textOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (v && typeof v === 'object' && typeof (v as { $type?: unknown }).$type === 'string') return (v as { $type: string }).$type;
  return undefined;
}

/** mdatp threat states that mean the threat was dealt with. */
const REMEDIATED = /^(quarantined|removed|cleaned|allowed|blocked|remediated|resolved|restored_and_allowed)$/i;

/** Parses `mdatp threat list --output json`: an array of threats, or an object holding one. */
export function parseMdatpThreats(text: string): ThreatDetection[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const doc = parseToolJson('mdatp threat list', trimmed);
  const items = Array.isArray(doc) ? list(doc) : list((doc as Record<string, unknown>)?.threats ?? (doc as Record<string, unknown>)?.value);
  const out: ThreatDetection[] = [];
  for (const item of items) {
    const id = textOf(pick(item, 'id', 'threatId', 'threat_id', 'detectionId'));
    if (!id) continue;
    const status = textOf(pick(item, 'threatStatus', 'threat_status', 'status', 'state'));
    if (status && REMEDIATED.test(status.replace(/([a-z])([A-Z])/g, '$1_$2'))) continue;
    const resources = pick(item, 'resources', 'path', 'filePath', 'file_path');
    const path = Array.isArray(resources) ? textOf(resources[0]) : textOf(resources);
    const detected = pick(item, 'detectionTime', 'detection_time', 'detectedAt');
    out.push({
      source: 'mdatp',
      threatId: id,
      name: textOf(pick(item, 'name', 'threatName', 'threat_name')) ?? `Threat ${id}`,
      severity: 'high',
      ...(path ? { path } : {}),
      ...(status ? { status } : {}),
      ...(typeof detected === 'number' || typeof detected === 'string' ? { detectedAt: String(detected) } : {}),
    });
  }
  return out;
}

const mdatpThreats = (platform: 'linux' | 'macos') => async (runner: CommandRunner) => {
  const spec = { file: MDATP_PATHS[platform], args: ['threat', 'list', '--output', 'json'], timeoutMs: 30_000, maxOutputBytes: 8 * 1024 * 1024 };
  const result = await runner.run(spec);
  if (result.spawnError?.startsWith('ENOENT')) return [];
  if (result.code !== 0 || result.timedOut || result.truncated) throw new Error(describeFailure(spec, result));
  return parseMdatpThreats(result.stdout);
};

const READERS: Record<Platform, (runner: CommandRunner) => Promise<ThreatDetection[]>> = {
  windows: async (runner) => parseDefenderThreats(await runPowerShell(runner, DEFENDER_THREATS, null, 60_000)),
  linux: mdatpThreats('linux'),
  macos: mdatpThreats('macos'),
};

/** Active detections on this OS. mdatp not installed: none. Throws when the antivirus cannot be asked. */
export function readThreats(platform: Platform, runner: CommandRunner): Promise<ThreatDetection[]> {
  return READERS[platform](runner);
}
