// Authentication of /v1/device/* requests (and the push upgrade) by Ed25519 request signatures, exactly as
// docs/protocol.md "Request signing" specifies: known, unrevoked device; fresh time; unused nonce; valid signature.
// Used nonces live in the store (inserted on a unique key, batched across concurrent requests), so replays are refused
// across restarts and replicas.
import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../../common/clock.js';
import { AttacheError } from '../../../common/errors.js';
import { publicKeyFromRaw, requestSigningString, SIGNED_REQUEST_HEADERS, verifyBytes } from '../../../common/signing.js';
import type { Logger } from '../logging.js';
import type { DeviceRecord, ManagementStore } from '../store/store.js';

/** Allowed clock distance of a signed request (protocol: 300 s). */
export const REQUEST_WINDOW_MS = 300_000;
/** Expired nonces are deleted at most this often, at most NONCE_SWEEP_BATCH rows at a time (10,000 / s, twice the 5,000 requests/s of issue 13). */
export const NONCE_SWEEP_INTERVAL_MS = 1_000;
export const NONCE_SWEEP_BATCH = 10_000;
// lastSeenAt is written at most this often per device: one signed request per minute is "seen" enough.
const TOUCH_INTERVAL_MS = 60_000;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIME_RE = /^\d{1,16}$/;
const NONCE_RE = /^[A-Za-z0-9_-]{22}$/;

/** Dependencies of the device authenticator. */
export interface DeviceAuthDeps {
  readonly store: ManagementStore;
  readonly clock: Pick<Clock, 'now'>;
  readonly logger: Logger;
}

function header(req: FastifyRequest, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** Verifies signed device requests, claims their nonces in the store and keeps the lastSeenAt throttle. */
export class DeviceAuthenticator {
  private readonly lastTouched = new Map<string, number>();
  private nextSweepAt = 0;

  constructor(private readonly deps: DeviceAuthDeps) {}

  /** A fastify preHandler: sets request.device or throws an AttacheError with the protocol's code. */
  readonly preHandler = async (req: FastifyRequest): Promise<void> => {
    req.device = await this.authenticate(req);
  };

  /**
   * What can be checked without the body: the device header names an enrolled device that is neither revoked nor
   * offboarded, and the time header is inside the window. Large-body routes run it in onRequest (software-upload-gate.ts).
   */
  async identify(req: FastifyRequest): Promise<DeviceRecord> {
    const deviceId = header(req, SIGNED_REQUEST_HEADERS.device);
    if (!deviceId || !UUID_RE.test(deviceId)) throw new AttacheError('DEVICE_UNKNOWN', `missing or malformed ${SIGNED_REQUEST_HEADERS.device} header`);
    const device = await this.deps.store.getDevice(deviceId.toLowerCase());
    if (!device) throw new AttacheError('DEVICE_UNKNOWN', 'unknown device');
    if (device.revoked) throw new AttacheError('DEVICE_REVOKED', 'this device was revoked; enroll again');
    if (device.offboardedAt) throw new AttacheError('DEVICE_OFFBOARDED', 'this device was offboarded; enroll again to manage it');

    const now = this.deps.clock.now();
    const time = header(req, SIGNED_REQUEST_HEADERS.time);
    if (!time || !TIME_RE.test(time)) throw new AttacheError('REQUEST_EXPIRED', `missing or malformed ${SIGNED_REQUEST_HEADERS.time} header`);
    if (Math.abs(now - Number(time)) > REQUEST_WINDOW_MS) {
      throw new AttacheError('REQUEST_EXPIRED', 'request time is more than 300 s away from the endpoint clock', {
        details: [{ path: 'serverTime', message: new Date(now).toISOString() }],
      });
    }
    return device;
  }

  /** Checks one request. Order: identity, freshness, signature, then the nonce (only signed nonces are remembered). */
  async authenticate(req: FastifyRequest): Promise<DeviceRecord> {
    const device = await this.identify(req);
    const now = this.deps.clock.now();
    const deviceId = header(req, SIGNED_REQUEST_HEADERS.device) ?? '';
    const time = header(req, SIGNED_REQUEST_HEADERS.time) ?? '';
    const nonce = header(req, SIGNED_REQUEST_HEADERS.nonce);
    const signature = header(req, SIGNED_REQUEST_HEADERS.signature);
    if (!nonce || !NONCE_RE.test(nonce) || !signature) throw new AttacheError('REQUEST_SIGNATURE_INVALID', 'missing or malformed signature headers');
    // Verified before the nonce is stored, so unsigned traffic cannot fill the nonce table.
    const signed = requestSigningString({ method: req.method, path: req.url, deviceId, time, nonce, body: req.rawBody ?? '' });
    if (!verifyBytes(publicKeyFromRaw(device.publicKey), signed, signature)) {
      throw new AttacheError('REQUEST_SIGNATURE_INVALID', 'request signature does not verify with the device key');
    }

    // The nonce must be remembered for as long as the time check would still accept the request: time + window.
    this.sweep(now);
    if (!(await this.deps.store.claimNonce(device.deviceId, nonce, Number(time) + REQUEST_WINDOW_MS))) {
      throw new AttacheError('REQUEST_REPLAYED', 'request nonce was already used');
    }

    await this.seen(device.deviceId, now);
    return device;
  }

  // Batched and off the request path: a sweep failure only delays the clean-up (expired nonces are refused by time anyway).
  private sweep(now: number): void {
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + NONCE_SWEEP_INTERVAL_MS;
    // One window of slack: a replica whose clock runs ahead must not delete nonces a lagging replica still accepts.
    this.deps.store.sweepNonces(now - REQUEST_WINDOW_MS, NONCE_SWEEP_BATCH).catch((err: unknown) => {
      this.deps.logger.warn('nonce sweep failed', { component: 'device-auth', error: err instanceof Error ? err.message : String(err) });
    });
  }

  /** Records that the device was seen (a signed request, or a request over its authenticated push channel). */
  async seen(deviceId: string, now: number = this.deps.clock.now()): Promise<void> {
    const last = this.lastTouched.get(deviceId);
    if (last !== undefined && now - last < TOUCH_INTERVAL_MS) return;
    this.lastTouched.set(deviceId, now);
    try {
      await this.deps.store.touchDevice(deviceId, new Date(now).toISOString());
    } catch (err) {
      this.deps.logger.warn('lastSeenAt update failed', { component: 'device-auth', deviceId, error: err instanceof Error ? err.message : String(err) });
    }
  }
}
