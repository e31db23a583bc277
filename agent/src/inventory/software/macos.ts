// Installed software on macOS: application bundles from `system_profiler SPApplicationsDataType -json` (one process
// that lists every bundle Launch Services knows, wherever it lives, with its version and code-signing authority),
// installer receipts from `pkgutil` (one bounded query per receipt) and the OS from `sw_vers`. Argv only.
import type { Clock } from '../../../../common/clock.js';
import { isoNow } from '../../../../common/clock.js';
import { AttacheError } from '../../../../common/errors.js';
import type { SoftwareInventory } from '../../../../policy-schemas/src/index.js';
import { parsePlist } from '../../providers/macos/plist.js';
import { asArray, record } from '../../providers/windows/defender-read.js';
import { type CommandRunner, type CommandSpec, parseToolJson } from '../../system/command-runner.js';
import { finishSoftwareInventory, type RawSoftwareItem, runListing, type SoftwareCollector } from './software-inventory.js';

export const SYSTEM_PROFILER = '/usr/sbin/system_profiler';
export const PKGUTIL = '/usr/sbin/pkgutil';
export const SW_VERS = '/usr/bin/sw_vers';

/** At most this many receipts are queried (one process each); more marks the inventory truncated. */
export const MAX_RECEIPTS = 1000;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** system_profiler's `arch_kind` in the words the other sources use. */
const ARCH_KINDS: Record<string, string> = { arch_arm_i64: 'universal', arch_i64: 'x86_64', arch_arm: 'arm64' };

/**
 * The vendor of an application bundle from its signature: the team name of a Developer ID certificate
 * ("Developer ID Application: Google LLC (EQHXZ8M8AV)"), Apple for apps Apple signs. Unsigned and App Store apps
 * (signed by Apple for the developer) state none.
 */
function bundleVendor(app: Record<string, unknown>): string | undefined {
  const authority = text(asArray(app.signed_by)[0]);
  const developer = /^Developer ID Application: (.+) \([A-Z0-9]{10}\)$/.exec(authority);
  if (developer?.[1]) return developer[1];
  return app.obtained_from === 'apple' ? 'Apple Inc.' : undefined;
}

/** Parses `system_profiler SPApplicationsDataType -json`. */
export function parseSystemProfilerApps(output: string): RawSoftwareItem[] {
  const doc = record(parseToolJson('system_profiler SPApplicationsDataType -json', output));
  return asArray(doc.SPApplicationsDataType).map((entry) => {
    const app = record(entry);
    return {
      name: text(app._name),
      version: text(app.version),
      vendor: bundleVendor(app),
      architecture: ARCH_KINDS[text(app.arch_kind)],
      installPath: text(app.path),
      source: 'macApplication',
      scheme: 'dotted',
    };
  });
}

/** `pkgutil --pkg-info-plist <id>`: the receipt's id, version and where it installed. */
export function parseReceipt(xml: string): RawSoftwareItem {
  const r = record(parsePlist(xml));
  const volume = text(r.volume);
  const location = text(r['install-location']);
  const installPath = location.startsWith('/') || volume === '' ? location : `${volume.replace(/\/$/, '')}/${location}`;
  return { name: text(r.pkgid), version: text(r['pkg-version']), installPath, source: 'pkgutil', scheme: 'dotted' };
}

/** `sw_vers`: "ProductName:\tmacOS" lines. */
export function parseSwVers(output: string): SoftwareInventory['os'] {
  const fields = new Map<string, string>();
  for (const line of output.split('\n')) {
    const m = /^(\w+):\s*(.*)$/.exec(line.trim());
    if (m?.[1] && m[2] !== undefined) fields.set(m[1], m[2]);
  }
  const build = fields.get('BuildVersion');
  return { name: fields.get('ProductName') || 'macOS', version: fields.get('ProductVersion') ?? '', ...(build ? { build } : {}) };
}

export interface MacosSoftwareDeps {
  readonly runner: CommandRunner;
  readonly clock: Pick<Clock, 'now'>;
  /** system_profiler's limit (it can take a minute on a Mac with many apps); default 300 s. */
  readonly timeoutMs?: number;
  readonly maxReceipts?: number;
}

/** Lists application bundles, installer receipts and the OS; SOFTWARE_INVENTORY_FAILED when a listing tool fails. */
export class MacosSoftwareCollector implements SoftwareCollector {
  constructor(private readonly deps: MacosSoftwareDeps) {}

  private async required(spec: CommandSpec): Promise<{ text: string; partial: boolean }> {
    const listing = await runListing(this.deps.runner, spec);
    if (listing === undefined) throw new AttacheError('SOFTWARE_INVENTORY_FAILED', `software inventory: ${spec.file} is not installed`);
    return listing;
  }

  async collect(signal?: AbortSignal): Promise<SoftwareInventory> {
    const timeoutMs = this.deps.timeoutMs ?? 300_000;
    const common = { timeoutMs, maxOutputBytes: 32 * 1024 * 1024, ...(signal ? { signal } : {}) };
    const osText = await this.required({ file: SW_VERS, args: [], ...common });
    const apps = await this.required({ file: SYSTEM_PROFILER, args: ['SPApplicationsDataType', '-json'], ...common });
    if (apps.partial) throw new AttacheError('SOFTWARE_INVENTORY_FAILED', 'software inventory: system_profiler printed more than 32 MiB');
    const receipts = await this.receipts(common);
    const os = parseSwVers(osText.text);
    const osItem: RawSoftwareItem = { name: os.name, version: os.version, vendor: 'Apple Inc.', source: 'os', scheme: 'dotted' };
    let bundles: RawSoftwareItem[];
    try {
      bundles = parseSystemProfilerApps(apps.text);
    } catch (err) {
      throw new AttacheError('SOFTWARE_INVENTORY_FAILED', `software inventory: ${(err as Error).message}`, { cause: err });
    }
    const items = [osItem, ...bundles, ...receipts.items];
    return finishSoftwareInventory({ os, items, partial: receipts.partial }, isoNow(this.deps.clock));
  }

  /** One query per receipt id, in turn (light on the machine; off the sync path), at most maxReceipts of them. */
  private async receipts(common: Omit<CommandSpec, 'file' | 'args'>): Promise<{ items: RawSoftwareItem[]; partial: boolean }> {
    const listing = await this.required({ file: PKGUTIL, args: ['--pkgs'], ...common });
    const ids = listing.text.split('\n').filter((id) => id.trim() !== '');
    const max = this.deps.maxReceipts ?? MAX_RECEIPTS;
    let partial = listing.partial || ids.length > max;
    const items: RawSoftwareItem[] = [];
    for (const id of ids.slice(0, max)) {
      // An id pkgutil could read as an option is not passed to it.
      if (id.startsWith('-')) {
        partial = true;
        continue;
      }
      const spec = { file: PKGUTIL, args: ['--pkg-info-plist', id], ...common, timeoutMs: 30_000, maxOutputBytes: 64 * 1024 };
      const result = await this.deps.runner.run(spec);
      if (common.signal?.aborted) throw new AttacheError('SOFTWARE_INVENTORY_FAILED', 'software inventory: cancelled');
      try {
        if (result.code !== 0 || result.truncated) throw new Error('receipt not readable');
        items.push(parseReceipt(result.stdout));
      } catch {
        // A receipt forgotten since the listing, or one pkgutil cannot print: left out, and the inventory says so.
        partial = true;
      }
    }
    return { items, partial };
  }
}
