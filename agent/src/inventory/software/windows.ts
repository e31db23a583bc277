// Installed software on Windows through one constant PowerShell script: the machine-wide Uninstall keys in both
// registry views (64-bit, and the 32-bit WOW6432Node one), the OS from `Windows NT\CurrentVersion`, and installed
// updates from Get-HotFix. What the script returns is data from the device: parsed defensively, never trusted as shaped.
import type { Clock } from '../../../../common/clock.js';
import { isoNow } from '../../../../common/clock.js';
import { AttacheError } from '../../../../common/errors.js';
import type { SoftwareInventory } from '../../../../policy-schemas/src/index.js';
import { asArray, record } from '../../providers/windows/defender-read.js';
import { ps, runPowerShell } from '../../providers/windows/powershell.js';
import type { CommandRunner } from '../../system/command-runner.js';
import { finishSoftwareInventory, type RawSoftwareItem, type SoftwareCollector } from './software-inventory.js';

/**
 * Constant script (no input). Entries without DisplayName and those with SystemComponent=1 are what Programs and
 * Features hides too. Registry values are read as strings; a missing one is ''. ProductName still says "Windows 10" on
 * Windows 11 (Microsoft kept the value), so the build decides which it is, in parseWindowsSoftware. On a 32-bit OS
 * both views are the same keys, so only one is read. A subkey that cannot be opened and Get-HotFix failing (broken
 * WMI) are reported, not fatal. Before Windows 10 there is no CurrentMajorVersionNumber: CurrentVersion ("6.3") is.
 */
export const WINDOWS_SOFTWARE = ps('software-inventory')`
$path = 'SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall'
$views = if ([Environment]::Is64BitOperatingSystem) { @('Registry64', 'Registry32') } else { @('Registry32') }
$apps = [System.Collections.Generic.List[object]]::new()
$unreadable = 0
foreach ($view in $views) {
  $base = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, [Microsoft.Win32.RegistryView]$view)
  try {
    $root = $base.OpenSubKey($path)
    if ($null -eq $root) { continue }
    foreach ($sub in $root.GetSubKeyNames()) {
      try { $k = $root.OpenSubKey($sub) } catch { $unreadable++; continue }
      if ($null -eq $k) { $unreadable++; continue }
      try {
        $name = [string]$k.GetValue('DisplayName')
        if ($name.Trim() -eq '' -or [string]$k.GetValue('SystemComponent') -eq '1') { continue }
        $apps.Add([ordered]@{ view = $view; name = $name; version = [string]$k.GetValue('DisplayVersion'); publisher = [string]$k.GetValue('Publisher'); location = [string]$k.GetValue('InstallLocation') })
      } finally { $k.Close() }
    }
    $root.Close()
  } finally { $base.Close() }
}
$cv = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
$os = [ordered]@{ productName = [string]$cv.ProductName; displayVersion = [string]$cv.DisplayVersion; major = [string]$cv.CurrentMajorVersionNumber; minor = [string]$cv.CurrentMinorVersionNumber; currentVersion = [string]$cv.CurrentVersion; build = [string]$cv.CurrentBuild; ubr = [string]$cv.UBR; arch = [string]$env:PROCESSOR_ARCHITECTURE }
$hotfixes = @()
$hotfixError = $null
try { $hotfixes = @(Get-HotFix | ForEach-Object { [ordered]@{ id = [string]$_.HotFixID; description = [string]$_.Description } }) } catch { $hotfixError = $_.Exception.Message }
[ordered]@{ os = $os; apps = $apps.ToArray(); unreadable = $unreadable; hotfixes = $hotfixes; hotfixError = $hotfixError }
`;

const text = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');

/** Windows architecture names as PROCESSOR_ARCHITECTURE gives them, in the words NVD CPEs use (x64, x86, arm64). */
const ARCHITECTURES: Record<string, string> = { AMD64: 'x64', X86: 'x86', ARM64: 'arm64' };

/** First build of Windows 11 (21H2); ProductName says "Windows 10" on all of them. */
const WINDOWS_11_FIRST_BUILD = 22_000;

function windowsOs(raw: Record<string, unknown>): { os: SoftwareInventory['os']; arch: string | undefined; item: RawSoftwareItem | undefined } {
  const build = text(raw.build);
  const ubr = text(raw.ubr);
  const productName = text(raw.productName);
  const name = Number(build) >= WINDOWS_11_FIRST_BUILD ? productName.replace(/^Windows 10\b/, 'Windows 11') : productName;
  const fullBuild = build && ubr ? `${build}.${ubr}` : build;
  const majorMinor = text(raw.major) !== '' && text(raw.minor) !== '' ? `${text(raw.major)}.${text(raw.minor)}` : text(raw.currentVersion);
  const version = majorMinor && fullBuild ? `${majorMinor}.${fullBuild}` : '';
  const arch = ARCHITECTURES[text(raw.arch).toUpperCase()];
  const os = { name: name || 'Windows', version, ...(fullBuild ? { build: fullBuild } : {}) };
  const item = name ? { name, version, vendor: 'Microsoft Corporation', architecture: arch, source: 'os' as const, scheme: 'dotted' as const } : undefined;
  return { os, arch, item };
}

/** The script's result as collected software; `partial` when a subkey could not be read or Get-HotFix failed. */
export function parseWindowsSoftware(result: unknown): { os: SoftwareInventory['os']; items: RawSoftwareItem[]; partial: boolean } {
  const r = record(result);
  const { os, arch, item } = windowsOs(record(r.os));
  const items: RawSoftwareItem[] = item ? [item] : [];
  for (const entry of asArray(r.apps)) {
    const a = record(entry);
    items.push({
      name: text(a.name),
      version: text(a.version),
      vendor: text(a.publisher),
      // The 32-bit view holds 32-bit programs; the 64-bit view the OS's own architecture.
      architecture: a.view === 'Registry32' ? 'x86' : arch,
      installPath: text(a.location),
      source: 'windowsRegistry',
      scheme: 'dotted',
    });
  }
  for (const entry of asArray(r.hotfixes)) {
    const h = record(entry);
    items.push({ name: text(h.id), version: '', vendor: 'Microsoft Corporation', source: 'os', scheme: 'dotted' });
  }
  return { os, items, partial: typeof r.hotfixError === 'string' || (typeof r.unreadable === 'number' && r.unreadable > 0) };
}

export interface WindowsSoftwareDeps {
  readonly runner: CommandRunner;
  readonly clock: Pick<Clock, 'now'>;
  readonly timeoutMs?: number;
}

/** Lists installed programs, the OS build and its updates; SOFTWARE_INVENTORY_FAILED when the script fails. */
export class WindowsSoftwareCollector implements SoftwareCollector {
  constructor(private readonly deps: WindowsSoftwareDeps) {}

  async collect(signal?: AbortSignal): Promise<SoftwareInventory> {
    let result: unknown;
    try {
      result = await runPowerShell(this.deps.runner, WINDOWS_SOFTWARE, null, this.deps.timeoutMs ?? 180_000, signal);
    } catch (err) {
      throw new AttacheError('SOFTWARE_INVENTORY_FAILED', `software inventory: ${(err as Error).message}`, { cause: err });
    }
    return finishSoftwareInventory(parseWindowsSoftware(result), isoNow(this.deps.clock));
  }
}
