// What every per-OS software collector shares: the collector interface, the one way raw tool output becomes inventory
// items (NUL stripped, lengths cut, exact duplicates dropped, a stable order, the item cap with its truncation flag),
// the digest, and the hash gate that decides whether an inventory is worth uploading.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../../../common/canonical-json.js';
import { AttacheError } from '../../../../common/errors.js';
import {
  MAX_SOFTWARE_ITEMS,
  MAX_SOFTWARE_UPLOAD_BYTES,
  SOFTWARE_LIMITS,
  type SoftwareInventory,
  type SoftwareItem,
  type SoftwareUpload,
} from '../../../../policy-schemas/src/index.js';
import { type CommandRunner, type CommandSpec, describeFailure } from '../../system/command-runner.js';

/** Lists the device's installed software; throws SOFTWARE_INVENTORY_FAILED when nothing could be listed. */
export interface SoftwareCollector {
  collect(signal?: AbortSignal): Promise<SoftwareInventory>;
}

/** An item as a parser read it: strings not yet bounded, optional fields possibly empty. */
export interface RawSoftwareItem {
  readonly name: string;
  readonly version: string;
  readonly vendor?: string | undefined;
  readonly architecture?: string | undefined;
  readonly source: SoftwareItem['source'];
  readonly scheme: SoftwareItem['scheme'];
  readonly installPath?: string | undefined;
  readonly sourceName?: string | undefined;
  readonly sourceVersion?: string | undefined;
}

/** What a collector read, before finishSoftwareInventory bounds and orders it. */
export interface CollectedSoftware {
  readonly os: SoftwareInventory['os'];
  readonly items: readonly RawSoftwareItem[];
  /** A tool's output was cut at its size limit (or a listing was bounded), so items are missing. */
  readonly partial?: boolean;
}

/**
 * At most `max` code points (JSON Schema maxLength counts code points, so a cut never splits a surrogate pair). A cut
 * string ends in `…`, which no real version contains: a reader sees it was cut, and the matcher never takes a cut
 * version for the one the tool printed.
 */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, max - 1).join('')}…`;
}

/** NUL is the one character stripped: it ends C strings in the tools and databases downstream. Everything else is data. */
function bounded(text: string | undefined, max: number): string | undefined {
  if (text === undefined) return undefined;
  const clean = cut(text.replaceAll('\u0000', ''), max);
  return clean === '' ? undefined : clean;
}

/** The item as it is stored and sent, or undefined when it has no name (nothing to show or match). */
export function boundItem(raw: RawSoftwareItem): SoftwareItem | undefined {
  const name = bounded(raw.name, SOFTWARE_LIMITS.name);
  if (name === undefined || name.trim() === '') return undefined;
  const item: SoftwareItem = { name, version: bounded(raw.version, SOFTWARE_LIMITS.version) ?? '', source: raw.source, scheme: raw.scheme };
  const vendor = bounded(raw.vendor, SOFTWARE_LIMITS.vendor);
  const architecture = bounded(raw.architecture, SOFTWARE_LIMITS.architecture);
  const installPath = bounded(raw.installPath, SOFTWARE_LIMITS.installPath);
  if (vendor !== undefined) item.vendor = vendor;
  if (architecture !== undefined) item.architecture = architecture;
  if (installPath !== undefined) item.installPath = installPath;
  // Stated only where it differs: absent means "the same as name / version".
  const sourceName = bounded(raw.sourceName, SOFTWARE_LIMITS.sourceName);
  const sourceVersion = bounded(raw.sourceVersion, SOFTWARE_LIMITS.sourceVersion);
  if (sourceName !== undefined && sourceName !== name) item.sourceName = sourceName;
  if (sourceVersion !== undefined && sourceVersion !== item.version) item.sourceVersion = sourceVersion;
  return item;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Keyed {
  readonly item: SoftwareItem;
  readonly json: string;
}

/** Name first (what a reader looks for), then the fields that tell two installs apart; the JSON breaks any tie. */
function compareKeyed(a: Keyed, b: Keyed): number {
  const x = a.item;
  const y = b.item;
  return (
    compareText(x.name, y.name) ||
    compareText(x.source, y.source) ||
    compareText(x.architecture ?? '', y.architecture ?? '') ||
    compareText(x.version, y.version) ||
    compareText(x.installPath ?? '', y.installPath ?? '') ||
    compareText(a.json, b.json)
  );
}

/** SHA-256 (hex) of the canonical JSON of the items, in the order given (SoftwareInventory.digest). */
export function softwareDigest(items: readonly SoftwareItem[]): string {
  return createHash('sha256').update(canonicalJson(items)).digest('hex');
}

/**
 * The inventory from what a collector read: items bounded, exact duplicates dropped, sorted, cut at `maxItems`
 * (MAX_SOFTWARE_ITEMS; a smaller cap only for tests) after sorting, so the same device gives the same items and digest
 * whatever order its tools listed them in.
 */
export function finishSoftwareInventory(collected: CollectedSoftware, collectedAt: string, maxItems = MAX_SOFTWARE_ITEMS): SoftwareInventory {
  const unique = new Map<string, Keyed>();
  for (const raw of collected.items) {
    const item = boundItem(raw);
    if (item === undefined) continue;
    const json = canonicalJson(item);
    if (!unique.has(json)) unique.set(json, { item, json });
  }
  const sorted = [...unique.values()].sort(compareKeyed);
  const items = sorted.slice(0, Math.min(maxItems, MAX_SOFTWARE_ITEMS)).map((k) => k.item);
  const os: SoftwareInventory['os'] = {
    name: bounded(collected.os.name, 200) ?? '',
    version: bounded(collected.os.version, 100) ?? '',
  };
  const build = bounded(collected.os.build, 100);
  if (build !== undefined) os.build = build;
  return { collectedAt, os, items, truncated: collected.partial === true || items.length < sorted.length, digest: softwareDigest(items) };
}

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

/**
 * The upload as it can be sent: unchanged when its JSON (as the transport serialises it) is at most `maxBytes`, else
 * the longest prefix of the sorted items that fits, `truncated` set and the digest of the kept items (review 18 L2: a
 * large host would otherwise get 413 at every run and stay `unknown`). The same device cuts at the same item, so the
 * digest gate still holds.
 */
export function fitSoftwareUpload(upload: SoftwareUpload, maxBytes = MAX_SOFTWARE_UPLOAD_BYTES): SoftwareUpload {
  if (jsonBytes(upload) <= maxBytes) return upload;
  const { items } = upload.inventory;
  // Everything but the items, with `truncated: true` and a digest of the same length; each item adds its JSON and a comma.
  let used = jsonBytes({ ...upload, inventory: { ...upload.inventory, items: [], truncated: true } });
  let kept = 0;
  for (const item of items) {
    const add = jsonBytes(item) + (kept > 0 ? 1 : 0);
    if (used + add > maxBytes) break;
    used += add;
    kept++;
  }
  const fitted = items.slice(0, kept);
  return { ...upload, inventory: { ...upload.inventory, items: fitted, truncated: true, digest: softwareDigest(fitted) } };
}

/** Whether to upload: only when the digest differs from the last one the endpoint acknowledged (none yet: upload). */
export interface SoftwareDelta {
  readonly upload: boolean;
  readonly digest: string;
}

/** The hash gate, as for the device inventory: an unchanged digest means the endpoint already has these items. */
export function softwareDelta(previousDigest: string | undefined, inventory: SoftwareInventory): SoftwareDelta {
  return { upload: previousDigest !== inventory.digest, digest: inventory.digest };
}

/** A listing tool's output; `partial` when it was cut at the size limit (its last, torn line already dropped). */
export interface ToolListing {
  readonly text: string;
  readonly partial: boolean;
}

/**
 * Runs one listing tool. Undefined when it is not installed (the OS starts nothing: ENOENT); a failure, a timeout or
 * an abort throws SOFTWARE_INVENTORY_FAILED quoting the tool, never a half-read list passed off as complete.
 */
export async function runListing(runner: CommandRunner, spec: CommandSpec): Promise<ToolListing | undefined> {
  const result = await runner.run(spec);
  if (result.spawnError?.startsWith('ENOENT')) return undefined;
  if (result.code !== 0 || result.timedOut || result.spawnError) {
    throw new AttacheError('SOFTWARE_INVENTORY_FAILED', `software inventory: ${describeFailure(spec, result)}`);
  }
  if (!result.truncated) return { text: result.stdout, partial: false };
  const end = result.stdout.lastIndexOf('\n');
  return { text: end < 0 ? '' : result.stdout.slice(0, end + 1), partial: true };
}
