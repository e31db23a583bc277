// Investigation packages: the device uploads its .tar.gz in chunks (PUT /v1/device/actions/:id/package?offset&size&sha256,
// ≤ 1 MiB each, resumable: GET says how much is stored), the endpoint keeps them in the database (any replica serves
// them) and checks the SHA-256 when the last byte arrives; admins download the bytes (GET /v1/admin/actions/:id/package).
import { isoNow } from '../../../../common/clock.js';
import { AttacheError } from '../../../../common/errors.js';
import type { ActionRecord } from '../../store/action-store.js';
import type { DeviceRecord } from '../../store/store.js';
import type { AdminPrincipal } from '../admin-principal.js';
import type { ServiceContext } from '../context.js';
import { queryInvalid, refuseUnknown, single } from '../device-list-query.js';
import { DEFAULT_PACKAGE_MAX_BYTES, PACKAGE_CHUNK_MAX_BYTES } from './action-envelope.js';
import { scopedAction } from './action-views.js';

/** GET /v1/device/actions/:id/package: where an upload stands (the agent resumes from receivedBytes). */
export interface PackageUploadState {
  readonly receivedBytes: number;
  readonly sizeBytes: number | null;
  readonly complete: boolean;
}

const SHA256_RE = /^[0-9a-f]{64}$/;

async function deviceCollectAction(ctx: ServiceContext, device: DeviceRecord, actionId: string): Promise<ActionRecord> {
  const record = /^[0-9a-f-]{36}$/.test(actionId) ? await ctx.store.getAction(actionId) : undefined;
  if (!record || record.deviceId !== device.deviceId) throw new AttacheError('ACTION_NOT_FOUND', `no action ${actionId.slice(0, 64)} for this device`);
  if (record.type !== 'collectInvestigationPackage')
    throw new AttacheError('ACTION_INVALID', `action ${actionId} is a ${record.type}; only collectInvestigationPackage takes a package`);
  return record;
}

function stateOf(record: ActionRecord): PackageUploadState {
  return { receivedBytes: record.package?.receivedBytes ?? 0, sizeBytes: record.package?.sizeBytes ?? null, complete: record.package?.complete === true };
}

/** GET /v1/device/actions/:id/package. */
export async function packageUploadState(ctx: ServiceContext, device: DeviceRecord, actionId: string): Promise<PackageUploadState> {
  return stateOf(await deviceCollectAction(ctx, device, actionId));
}

function integer(query: Readonly<Record<string, unknown>>, name: string, min: number): number {
  const text = single(query, name);
  const value = text !== undefined && /^\d{1,12}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min) throw queryInvalid(`query parameter ${name} must be an integer ≥ ${min}`);
  return value;
}

/** PUT /v1/device/actions/:id/package?offset=N&size=S&sha256=H with the chunk's bytes. */
export async function uploadPackageChunk(
  ctx: ServiceContext,
  device: DeviceRecord,
  actionId: string,
  query: Readonly<Record<string, unknown>>,
  data: Buffer,
): Promise<{ receivedBytes: number; complete: boolean }> {
  refuseUnknown(query, ['offset', 'size', 'sha256']);
  const offset = integer(query, 'offset', 0);
  const sizeBytes = integer(query, 'size', 1);
  const sha256 = single(query, 'sha256');
  if (sha256 === undefined || !SHA256_RE.test(sha256)) throw queryInvalid('query parameter sha256 must be the lowercase hex SHA-256 of the whole package');
  const record = await deviceCollectAction(ctx, device, actionId);
  if (record.status === 'succeeded') throw new AttacheError('CONFLICT', `action ${actionId} already succeeded with its package; nothing more is accepted`);
  const maxBytes = Number(record.parameters.maxBytes ?? DEFAULT_PACKAGE_MAX_BYTES);
  if (sizeBytes > maxBytes) throw new AttacheError('PACKAGE_TOO_LARGE', `the package is ${sizeBytes} bytes; this action accepts at most ${maxBytes}`);
  if (data.length > PACKAGE_CHUNK_MAX_BYTES) throw new AttacheError('PACKAGE_TOO_LARGE', `a chunk holds at most ${PACKAGE_CHUNK_MAX_BYTES} bytes`);
  const progress = await ctx.store.putPackageChunk(actionId, device.deviceId, { offset, sizeBytes, sha256, data, at: isoNow(ctx.clock) });
  if (progress.hashMismatch) {
    ctx.logger.warn('package hash mismatch', { component: 'actions', actionId, deviceId: device.deviceId, sizeBytes });
    throw new AttacheError(
      'PACKAGE_HASH_MISMATCH',
      `the ${sizeBytes} bytes received do not have SHA-256 ${sha256}; the upload was discarded, start again at offset 0`,
    );
  }
  if (progress.complete) ctx.logger.info('package received', { component: 'actions', actionId, deviceId: device.deviceId, sizeBytes });
  return { receivedBytes: progress.receivedBytes, complete: progress.complete };
}

/** A download: the bytes (chunk by chunk), their SHA-256 and the attachment's file name. */
export interface PackageDownload {
  readonly record: ActionRecord;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly filename: string;
  readonly chunks: AsyncIterable<Buffer>;
}

/** A file name made only of safe characters from the device name (never a path, quote or control character). */
export function packageFilename(deviceName: string, actionId: string): string {
  const safe =
    deviceName
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._]+/, '')
      .slice(0, 100) || 'device';
  return `${safe}-${actionId}.tar.gz`;
}

/** GET /v1/admin/actions/:id/package: PACKAGE_NOT_AVAILABLE until the package is complete. */
export async function downloadPackage(ctx: ServiceContext, admin: AdminPrincipal | undefined, actionId: string): Promise<PackageDownload> {
  const record = await scopedAction(ctx, admin, actionId);
  const stored = record.package;
  if (record.type !== 'collectInvestigationPackage' || !stored?.complete) {
    throw new AttacheError(
      'PACKAGE_NOT_AVAILABLE',
      `action ${actionId} has no complete investigation package${stored ? ` (${stored.receivedBytes} of ${stored.sizeBytes} bytes received)` : ''}`,
    );
  }
  return {
    record,
    sha256: stored.sha256,
    sizeBytes: stored.sizeBytes,
    filename: packageFilename(record.deviceName, record.actionId),
    chunks: ctx.store.packageChunks(record.actionId),
  };
}
