// Uploads an investigation package to the endpoint in chunks of at most 1 MiB that resume after a broken connection:
// it asks where the endpoint stands (GET …/package), sends each chunk at that offset (PUT …/package?offset&size&sha256),
// backs off on network errors and busy answers, and re-reads the resume point after a failure or an offset mismatch.
// A hash mismatch or an oversized package is final (docs/protocol.md, "Investigation package upload").
import { open } from 'node:fs/promises';
import { type Clock, sleep } from '../../../common/clock.js';
import { AttacheError } from '../../../common/errors.js';
import type { PackageUploadStatus } from '../../../policy-schemas/src/index.js';
import type { CollectedPackage, ProgressSink } from '../actions/response-host.js';
import { type BackoffPolicy, equalJitterDelayMs } from '../core/backoff.js';

/** The endpoint calls an upload needs (EndpointClient implements them). */
export interface PackageUploadClient {
  getPackageUpload(actionId: string): Promise<PackageUploadStatus>;
  putPackageChunk(
    actionId: string,
    chunk: { readonly offset: number; readonly size: number; readonly sha256: string; readonly bytes: Uint8Array },
  ): Promise<PackageUploadStatus>;
}

export interface PackageUploadDeps {
  readonly client: PackageUploadClient;
  readonly clock: Clock;
}

export interface PackageUploadOptions {
  /** Bytes per PUT; at most MAX_CHUNK_BYTES (the endpoint's body limit). */
  readonly chunkBytes?: number;
  /** Failures in a row (network, busy, offset mismatch) before giving up; default 8. */
  readonly maxFailures?: number;
  readonly backoff?: BackoffPolicy;
}

/** The endpoint refuses a chunk above 1 MiB (docs/protocol.md). */
export const MAX_CHUNK_BYTES = 1024 * 1024;
const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000 };
/** Errors after which the upload cannot succeed: the package is discarded or refused. */
const FINAL: ReadonlySet<string> = new Set(['PACKAGE_HASH_MISMATCH', 'PACKAGE_TOO_LARGE']);

/**
 * Sends `pkg` for action `actionId` and resolves once the endpoint says it is complete (hash checked there). `signal`
 * stops it between chunks and during a backoff (the promise rejects with the abort reason).
 */
export async function uploadPackage(
  actionId: string,
  pkg: Pick<CollectedPackage, 'path' | 'sizeBytes' | 'sha256'>,
  deps: PackageUploadDeps,
  options: PackageUploadOptions = {},
  signal: AbortSignal = new AbortController().signal,
  progress: ProgressSink = () => undefined,
): Promise<void> {
  const chunkBytes = Math.min(options.chunkBytes ?? MAX_CHUNK_BYTES, MAX_CHUNK_BYTES);
  if (!(Number.isInteger(chunkBytes) && chunkBytes > 0)) throw new RangeError(`chunkBytes must be a whole number above 0, got ${options.chunkBytes}`);
  const maxFailures = options.maxFailures ?? 8;
  const file = await open(pkg.path, 'r');
  try {
    let failures = 0;
    for (;;) {
      signal.throwIfAborted();
      try {
        if (await sendFrom(actionId, pkg, file, chunkBytes, deps.client, signal, progress, () => (failures = 0))) return;
        throw new AttacheError('PACKAGE_HASH_MISMATCH', `the endpoint holds all ${pkg.sizeBytes} bytes of the package but does not call it complete`);
      } catch (err) {
        if (!(err instanceof AttacheError) || FINAL.has(err.code) || !(err.retryable || err.code === 'PACKAGE_OFFSET_MISMATCH')) throw err;
        failures++;
        if (failures >= maxFailures) throw err;
        // An offset mismatch is answered at once (the resume point is re-read); a network error or busy endpoint waits.
        if (err.code !== 'PACKAGE_OFFSET_MISMATCH') {
          const wait = Math.max(err.retryAfterMs ?? 0, equalJitterDelayMs(failures - 1, options.backoff ?? DEFAULT_BACKOFF, deps.clock.random));
          await sleep(deps.clock, wait, signal);
        }
      }
    }
  } finally {
    await file.close();
  }
}

/** From the endpoint's resume point to the end; true when the endpoint calls the package complete. */
async function sendFrom(
  actionId: string,
  pkg: Pick<CollectedPackage, 'sizeBytes' | 'sha256'>,
  file: Awaited<ReturnType<typeof open>>,
  chunkBytes: number,
  client: PackageUploadClient,
  signal: AbortSignal,
  progress: ProgressSink,
  succeeded: () => void,
): Promise<boolean> {
  const status = await client.getPackageUpload(actionId);
  checkStatus(status, pkg.sizeBytes);
  if (status.complete) return true;
  let offset = status.receivedBytes;
  while (offset < pkg.sizeBytes) {
    signal.throwIfAborted();
    const length = Math.min(chunkBytes, pkg.sizeBytes - offset);
    const bytes = Buffer.alloc(length);
    const { bytesRead } = await file.read(bytes, 0, length, offset);
    if (bytesRead !== length) throw new Error(`${pkg.sizeBytes}-byte package file ended at byte ${offset + bytesRead}: it changed after it was built`);
    const answer = await client.putPackageChunk(actionId, { offset, size: pkg.sizeBytes, sha256: pkg.sha256, bytes });
    checkStatus(answer, pkg.sizeBytes);
    succeeded();
    if (answer.complete) return true;
    offset = answer.receivedBytes;
    progress(Math.floor((offset / pkg.sizeBytes) * 100));
  }
  return false;
}

/** The endpoint must be talking about this package: a different declared size or more bytes than it has cannot resume. */
function checkStatus(status: PackageUploadStatus, sizeBytes: number): void {
  const declared = status.sizeBytes ?? null;
  if ((declared !== null && declared !== sizeBytes) || status.receivedBytes > sizeBytes) {
    throw new AttacheError(
      'PACKAGE_HASH_MISMATCH',
      `the endpoint holds ${status.receivedBytes} bytes of a ${declared ?? 'unknown'}-byte package, not of this ${sizeBytes}-byte one`,
    );
  }
}
