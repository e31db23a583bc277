// Antivirus health in the wire shape (DeviceHealth.antivirus) from what each OS's Defender says: `mdatp health` on
// Linux and macOS (providers/mdatp), Get-MpComputerStatus on Windows (providers/windows/defender-health.ts).
// Pure mappings; `nowMs` only turns an update time into an age. Fields a product does not report stay null/absent.

import { isoTime as utcIso } from '../../../common/iso-time.js';
import type { AntivirusHealth } from '../../../policy-schemas/src/index.js';
import type { MdatpHealthReading } from '../providers/mdatp/cli.js';
import type { DefenderHealth } from '../providers/windows/defender-health.js';

const MAX_VERSION = 64;

function version(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v.slice(0, MAX_VERSION);
}

/** ISO time of a text mdatp or PowerShell gave, when it is a valid time. */
function isoTime(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : utcIso(ms);
}

function hoursSince(iso: string | undefined, nowMs: number): number | undefined {
  if (!iso) return undefined;
  return roundHours(Math.max(0, nowMs - Date.parse(iso)) / 3_600_000);
}

function roundHours(h: number): number {
  return Math.round(h * 10) / 10;
}

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function detail(text: string): string {
  return text.length > 1024 ? `${text.slice(0, 1023)}…` : text;
}

/** Health when the product cannot be read at all. */
export function unknownAntivirus(source: AntivirusHealth['source'], why: string): AntivirusHealth {
  return { source, mode: 'unknown', realTimeProtection: null, tamperProtection: null, detail: detail(why) };
}

/**
 * Defender for Endpoint on Linux/macOS. Not installed: source `none` (no antivirus the agent knows of; risk does not
 * flag that, compliance may). Passive mode (`passive_mode_enabled`) is MDE's avMode passive; otherwise active.
 * Tamper protection counts as on only in `block` mode (`audit` logs but does not prevent).
 */
export function antivirusFromMdatp(reading: MdatpHealthReading, nowMs: number): AntivirusHealth {
  if (reading.status === 'notInstalled') return unknownAntivirus('none', reading.reason);
  if (reading.status === 'unavailable') return unknownAntivirus('mdatp', reading.message);
  const h = reading.health;
  const updatedAt = isoTime(h.definitionsUpdated);
  const age = h.definitionsUpdatedMinutesAgo !== undefined ? roundHours(h.definitionsUpdatedMinutesAgo / 60) : hoursSince(updatedAt, nowMs);
  return defined<AntivirusHealth>({
    source: 'mdatp',
    mode: h.passiveModeEnabled ? 'passive' : 'active',
    realTimeProtection: h.realTimeProtectionEnabled ?? null,
    tamperProtection: h.tamperProtection === undefined ? null : h.tamperProtection === 'block',
    engineVersion: version(h.engineVersion),
    platformVersion: version(h.appVersion),
    signatureVersion: version(h.definitionsVersion),
    signatureUpdatedAt: updatedAt,
    signatureAgeHours: age ?? null,
    detail: h.healthy ? undefined : detail(`mdatp reports unhealthy: ${h.healthIssues.join('; ') || 'no issue named'}`),
  });
}

/** AMRunningMode → MDE avMode; a disabled antivirus or service is `off` whatever the mode says. */
function defenderMode(h: DefenderHealth): AntivirusHealth['mode'] {
  if (h.antivirusEnabled === false || h.serviceEnabled === false) return 'off';
  const mode = (h.runningMode ?? '').toLowerCase();
  if (mode === 'normal') return 'active';
  if (mode.includes('passive')) return 'passive';
  if (mode.includes('edr block')) return 'edrBlock';
  if (mode.includes('not running')) return 'off';
  return 'unknown';
}

/** Microsoft Defender Antivirus on Windows (Get-MpComputerStatus). */
export function antivirusFromDefender(h: DefenderHealth, nowMs: number): AntivirusHealth {
  const updatedAt = isoTime(h.signatureLastUpdated);
  const age = hoursSince(updatedAt, nowMs) ?? (h.signatureAgeDays !== undefined ? h.signatureAgeDays * 24 : undefined);
  return defined<AntivirusHealth>({
    source: 'defender',
    mode: defenderMode(h),
    realTimeProtection: h.realTimeProtectionEnabled ?? null,
    tamperProtection: h.tamperProtected ?? null,
    engineVersion: version(h.engineVersion),
    platformVersion: version(h.productVersion),
    signatureVersion: version(h.signatureVersion),
    signatureUpdatedAt: updatedAt,
    signatureAgeHours: age ?? null,
    lastQuickScanAt: isoTime(h.quickScanEndTime),
    lastFullScanAt: isoTime(h.fullScanEndTime),
    detail: h.rebootRequired ? 'reboot required' : undefined,
  });
}
