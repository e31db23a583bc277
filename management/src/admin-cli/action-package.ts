// `attache-admin action package <id> --out <file>`: streams an investigation package to a 0600 file while hashing it,
// and keeps the file only when its SHA-256 is the one the endpoint's `x-attache-package-sha256` header names and the
// one the action's result reported (and its size matches); otherwise the file is deleted and the command fails.
import { createHash } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AttacheError } from '../../../common/errors.js';
import type { MachineAction } from '../../../policy-schemas/src/index.js';
import type { AdminClient } from './admin-client.js';

/** What was saved. */
export interface SavedPackage {
  readonly actionId: string;
  readonly file: string;
  readonly sizeBytes: number;
  readonly sha256: string;
}

/** What the saved bytes must be: the header's hash, and the result's hash and size when the action has a result. */
export interface PackageExpectation {
  readonly headerSha256: string;
  readonly result?: { readonly sha256: string; readonly sizeBytes: number } | undefined;
}

const SHA256 = /^[0-9a-f]{64}$/;

function mismatch(message: string): AttacheError {
  return new AttacheError('PACKAGE_HASH_MISMATCH', message);
}

/**
 * Writes `body` to `<out>.partial` (0600, also when it exists), hashing it on the way, then renames it to `out` once it
 * verifies. On a mismatch or a broken stream the partial file is removed: `out` is never left with unverified bytes.
 */
export async function savePackage(body: Readable, expected: PackageExpectation, out: string): Promise<{ sizeBytes: number; sha256: string }> {
  const partial = `${out}.partial`;
  const hash = createHash('sha256');
  let sizeBytes = 0;
  try {
    let file: Awaited<ReturnType<typeof open>>;
    try {
      file = await open(partial, 'w', 0o600);
      // The mode of open() applies only to a new file: an existing one is made 0600 through its descriptor first.
      await file.chmod(0o600).catch(async (err) => {
        await file.close();
        throw err;
      });
    } catch (err) {
      throw new AttacheError('STATE_WRITE_FAILED', `cannot write ${partial}: ${(err as Error).message}`, { cause: err });
    }
    await pipeline(
      body,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          hash.update(chunk);
          sizeBytes += chunk.length;
          yield chunk;
        }
      },
      file.createWriteStream(),
    );
    const sha256 = hash.digest('hex');
    if (sha256 !== expected.headerSha256) {
      throw mismatch(`the downloaded package has SHA-256 ${sha256}, the endpoint announced ${expected.headerSha256}; ${out} was not written`);
    }
    if (expected.result && (expected.result.sha256 !== sha256 || expected.result.sizeBytes !== sizeBytes)) {
      const r = expected.result;
      throw mismatch(
        `the downloaded package (${sizeBytes} bytes, SHA-256 ${sha256}) is not the one the device reported (${r.sizeBytes} bytes, ${r.sha256}); ${out} was not written`,
      );
    }
    await rename(partial, out);
    return { sizeBytes, sha256 };
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
}

/** The package's header hash (ENDPOINT_ERROR when the answer lacks a valid one). */
export function packageHeaderSha256(res: IncomingMessage): string {
  const header = res.headers['x-attache-package-sha256'];
  if (typeof header !== 'string' || !SHA256.test(header)) {
    res.destroy();
    throw new AttacheError('ENDPOINT_ERROR', 'the package answer has no valid x-attache-package-sha256 header (64 lowercase hex digits)');
  }
  return header;
}

/** The hash and size the device reported for the package, when the action has its result. */
function reportedPackage(action: MachineAction): PackageExpectation['result'] {
  const r = action.result as { sha256?: unknown; sizeBytes?: unknown } | null;
  return r && typeof r.sha256 === 'string' && typeof r.sizeBytes === 'number' ? { sha256: r.sha256, sizeBytes: r.sizeBytes } : undefined;
}

/** Downloads the package of a collectInvestigationPackage action to `out` and verifies it (see savePackage). */
export async function downloadPackage(api: AdminClient, actionId: string, out: string): Promise<SavedPackage> {
  const action = await api.getAction(actionId);
  if (action.type !== 'collectInvestigationPackage') {
    throw new AttacheError('PACKAGE_NOT_AVAILABLE', `action ${action.id} is a ${action.type} action; only a collectInvestigationPackage action has a package`);
  }
  const res = await api.downloadActionPackage(action.id);
  const saved = await savePackage(res, { headerSha256: packageHeaderSha256(res), result: reportedPackage(action) }, out);
  return { actionId: action.id, file: out, ...saved };
}
