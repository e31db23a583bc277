// collectInvestigationPackage: gathers the sources of this OS (sources.ts, gather.ts), then writes one root-only
// .tar.gz under <stateDir>/packages/ with manifest.json, cutting the biggest entries until the compressed file is at
// most maxBytes. Aborting removes every partial file; the caller (the executor) deletes the package after its upload.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AttacheError } from '../../../../common/errors.js';
import { isoTime } from '../../../../common/iso-time.js';
import { sha256Hex } from '../../../../common/signing.js';
import { tarEnd, tarEntry, tarHeader, tarPadding, type WrittenArchive, writeTarGz } from '../../../../common/tar.js';
import type { Platform } from '../../../../policy-schemas/src/primitives.js';
import type { CollectedPackage, ProgressSink } from '../response-host.js';
import { type CollectDeps, type GatheredEntry, gatherEntries } from './gather.js';
import { capSizes, gzipInputBound, tarBytes } from './size-cap.js';
import { EXCLUDED_FILES, investigationSources } from './sources.js';

export interface CollectOptions {
  readonly stateDir: string;
  readonly logDir: string;
  readonly platform: Platform;
  /** The endpoint's cap on the .tar.gz (the action's parameters.maxBytes). */
  readonly maxBytes: number;
  readonly deviceId: string;
  readonly agentVersion: string;
}

/** manifest.json: what the package holds, where each entry came from, what was cut or failed, what was left out. */
export interface PackageManifest {
  readonly formatVersion: 1;
  readonly deviceId: string;
  readonly createdAt: string;
  readonly agentVersion: string;
  readonly platform: Platform;
  readonly maxBytes: number;
  readonly entries: readonly ManifestEntry[];
  readonly excluded: readonly { readonly name: string; readonly reason: string }[];
}

export interface ManifestEntry {
  readonly name: string;
  readonly source: string;
  /** Bytes stored in the archive (0 for an entry that failed: it is not in the archive). */
  readonly sizeBytes: number;
  /** SHA-256 of the stored bytes. */
  readonly sha256: string;
  readonly truncated?: true;
  /** Bytes before cutting, when truncated and known. */
  readonly originalBytes?: number;
  readonly error?: string;
}

/** Where packages are written: a 0700 directory of the state dir. */
export const PACKAGES_DIR = 'packages';
export const MANIFEST_NAME = 'manifest.json';
/** The most bytes read from one source (a file, a command's output) before any cutting. */
const MAX_READ_BYTES = 16 * 1024 * 1024;
/** Attempts at fitting under maxBytes by measuring the compression; then the bound that holds for any data. */
const FIT_ATTEMPTS = 4;

/**
 * Removes every package and work folder under `<stateDir>/packages` (review 17b #15): a kill during a collection or an
 * upload leaves logs, policies and the process list there, and no run is in progress at the executor's start.
 */
export async function removeLeftoverPackages(stateDir: string): Promise<void> {
  await rm(join(stateDir, PACKAGES_DIR), { recursive: true, force: true });
}

/** Builds the package; `signal` aborts it and removes what was written. */
export async function collectInvestigationPackage(
  options: CollectOptions,
  deps: CollectDeps,
  signal: AbortSignal,
  progress: ProgressSink,
): Promise<CollectedPackage> {
  signal.throwIfAborted();
  const dir = join(options.stateDir, PACKAGES_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const id = (deps.newId ?? randomUUID)();
  const workDir = join(dir, `.work-${id}`);
  const out = join(dir, `${id}.tar.gz`);
  await mkdir(workDir, { mode: 0o700 });
  try {
    progress(0);
    const context = { stateDir: options.stateDir, logDir: options.logDir, workDir, readCap: Math.min(MAX_READ_BYTES, options.maxBytes), signal };
    const entries = await gatherEntries(investigationSources(options.platform), context, deps, (done, total) => progress(Math.floor((done / total) * 80)));
    const header: ManifestHeader = {
      deviceId: options.deviceId,
      createdAt: isoTime(deps.clock.now()),
      agentVersion: options.agentVersion,
      platform: options.platform,
      maxBytes: options.maxBytes,
    };
    const written = await fitArchive(entries, header, out, signal);
    progress(100);
    return { path: out, sizeBytes: written.sizeBytes, sha256: written.sha256, entries: written.stored + 1, truncated: written.truncated };
  } catch (err) {
    // EEXIST: the file is not ours (ids are random: never in practice); anything else leaves no partial package.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') await rm(out, { force: true });
    throw signal.aborted ? (signal.reason ?? err) : err;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

type ManifestHeader = Omit<PackageManifest, 'formatVersion' | 'entries' | 'excluded'>;
type Written = WrittenArchive & { readonly stored: number; readonly truncated: boolean };

/** Writes the archive, cutting more each time the compressed file exceeds maxBytes. */
async function fitArchive(entries: readonly GatheredEntry[], header: ManifestHeader, out: string, signal: AbortSignal): Promise<Written> {
  const sizes = entries.map((e) => e.sizeBytes);
  let budget = sizes.reduce((a, b) => a + b, 0);
  let manifestBytes = 4096 + 512 * entries.length;
  for (let attempt = 0; attempt <= FIT_ATTEMPTS; attempt++) {
    if (attempt === FIT_ATTEMPTS) {
      // Whatever the data: the archive's raw size within what gzip can hold in maxBytes.
      // Per stored entry: its header and up to 511 bytes of padding; the manifest may grow by the fields of newly cut
      // entries ("truncated", "originalBytes"), hence the slack per entry.
      const stored = entries.filter((e) => !e.error).length;
      const overhead = tarBytes([...Array<number>(stored).fill(0), manifestBytes + 96 * entries.length]) + 511 * stored;
      budget = Math.min(budget, gzipInputBound(header.maxBytes) - overhead);
      if (budget < 0) throw new AttacheError('PACKAGE_TOO_LARGE', `maxBytes ${header.maxBytes} cannot hold even the package's manifest`);
    }
    const caps = capSizes(sizes, budget);
    const manifest: ManifestEntry[] = [];
    const written = await writeTarGz(
      archiveBlocks(entries, caps, header, manifest, (n) => (manifestBytes = n)),
      out,
      { signal },
    );
    const truncated = manifest.some((e) => e.truncated);
    if (written.sizeBytes <= header.maxBytes) return { ...written, stored: manifest.filter((e) => !e.error).length, truncated };
    await rm(out, { force: true });
    const content = caps.reduce((a, b) => a + b, 0);
    budget = Math.floor(content * (header.maxBytes / written.sizeBytes) * 0.9);
  }
  throw new AttacheError('PACKAGE_TOO_LARGE', `the package does not fit in ${header.maxBytes} bytes`);
}

/** The archive's blocks: each gathered entry (cut to its cap, hashed as it streams), then manifest.json, then the end. */
async function* archiveBlocks(
  entries: readonly GatheredEntry[],
  caps: readonly number[],
  header: ManifestHeader,
  manifest: ManifestEntry[],
  manifestSize: (bytes: number) => void,
): AsyncGenerator<Buffer> {
  const mtime = new Date(Date.parse(header.createdAt));
  for (const [i, entry] of entries.entries()) {
    if (entry.error || !entry.file) {
      manifest.push({ name: entry.name, source: entry.source, sizeBytes: 0, sha256: sha256Hex(''), ...(entry.error ? { error: entry.error } : {}) });
      continue;
    }
    const keep = caps[i] ?? 0;
    const start = entry.keep === 'tail' ? entry.sizeBytes - keep : 0;
    yield tarHeader(entry.name, keep, mtime);
    const hash = createHash('sha256');
    if (keep > 0) {
      for await (const chunk of createReadStream(entry.file, { start, end: start + keep - 1 })) {
        hash.update(chunk as Buffer);
        yield chunk as Buffer;
      }
    }
    yield tarPadding(keep);
    const truncated = entry.cut || keep < entry.sizeBytes;
    manifest.push({
      name: entry.name,
      source: entry.source,
      sizeBytes: keep,
      sha256: hash.digest('hex'),
      ...(truncated ? { truncated: true as const } : {}),
      ...(truncated && entry.originalBytes !== undefined ? { originalBytes: entry.originalBytes } : {}),
    });
  }
  const doc: PackageManifest = { formatVersion: 1, ...header, entries: manifest, excluded: EXCLUDED_FILES };
  const json = Buffer.from(`${JSON.stringify(doc, null, 2)}\n`);
  manifestSize(json.length);
  yield* tarEntry(MANIFEST_NAME, json, mtime);
  yield tarEnd();
}
