// Delivers changed policy sets over channel-2 push sockets: devices are taken in batches, their sets computed by the
// store in one go, and each gets one `policies` message whose policy list is serialised once per distinct set and sent
// as the same bytes to every device with that set. Paced by the endpoint's in-flight device requests.
import { randomUUID } from 'node:crypto';
import { endOfTurn } from '../../../common/clock.js';
import type { SyncReason } from '../../../policy-schemas/src/index.js';
import type { Logger } from '../logging.js';
import type { PushHub } from '../push/push-hub.js';
import type { ServiceContext } from './context.js';
import type { DeviceSetView } from './device-sets.js';

/** Devices per batch: one store round trip, then the event loop is given back. */
export const DELIVERY_BATCH = 256;
/** Deliveries wait while more device requests than this (mostly the reports of delivered sets) are in progress. */
export const MAX_IN_FLIGHT_REQUESTS = 2048;
/** Distinct serialised policy lists kept (a fleet has few distinct sets), and at most this many bytes of them. */
const SHARED_CACHE = 64;
const SHARED_CACHE_BYTES = 64 * 1024 * 1024;

/** Queues devices whose set changed and delivers their sets; a device queued twice gets one delivery. */
export class SetDelivery {
  private readonly pending = new Map<string, SyncReason>();
  private draining: Promise<void> | undefined;
  private readonly shared = new Map<string, Buffer>();
  private sharedBytes = 0;
  private readonly log: Logger;

  constructor(private readonly ctx: ServiceContext & { readonly hub: PushHub }) {
    this.log = ctx.logger.child({ component: 'push' });
  }

  /** Queues the devices (the hub calls this from nudge). */
  readonly enqueue = (deviceIds: readonly string[], reason: SyncReason): void => {
    // What the cache holds for them predates the change that queued them (a delivery or a check-in in flight may have
    // computed it from the data being changed): their delivered sets are read anew.
    this.ctx.sets.forget(...deviceIds);
    for (const id of deviceIds) this.pending.set(id, reason);
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  };

  /** Devices queued and not yet taken into a delivery batch (metrics). */
  get queued(): number {
    return this.pending.size;
  }

  /** Resolves once everything queued so far was sent (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    // Let the admin request that caused this finish first: its writes are complete before sets are computed.
    await endOfTurn();
    while (this.pending.size > 0) {
      await this.ctx.hub.requestsBelow(MAX_IN_FLIGHT_REQUESTS);
      const batch = [...this.pending].slice(0, DELIVERY_BATCH);
      for (const [id] of batch) this.pending.delete(id);
      try {
        await this.deliver(batch);
      } catch (err) {
        // The set could not be computed: the devices are told to sync and fetch it themselves (HTTP or socket request).
        this.log.warn('set delivery failed, nudging instead', { devices: batch.length, error: err instanceof Error ? err.message : String(err) });
        for (const [id, reason] of batch) this.ctx.hub.sendSync(id, reason);
      }
      await endOfTurn();
    }
  }

  private async deliver(batch: readonly (readonly [string, SyncReason])[]): Promise<void> {
    const connected = batch.filter(([id]) => this.ctx.hub.channelOf(id) === 2);
    if (connected.length === 0) return;
    const devices = (await this.ctx.store.getDevices(connected.map(([id]) => id))).filter((d) => !d.revoked);
    const views = await this.ctx.sets.views(devices);
    const reasons = new Map(connected);
    let sent = 0;
    for (const [deviceId, view] of views) {
      if (this.ctx.hub.send(deviceId, this.message(deviceId, view, reasons.get(deviceId) ?? 'policy-changed'))) sent++;
    }
    this.log.debug('sets delivered', { devices: connected.length, sent });
  }

  /**
   * `{"type":"policies","requestId":…,"reason":…,"body":{…,"policies":[…]}}` in two fragments: the device's own part
   * (ids, etag, manifest, key chain) and the policy list with the closing braces, shared by every device with that set.
   */
  private message(deviceId: string, view: DeviceSetView, reason: SyncReason): [string, Buffer] {
    const head = {
      deviceId,
      etag: view.etag,
      manifest: view.manifest,
      ...(view.signingKeys.length > 0 ? { signingKeys: view.signingKeys } : {}),
      ...(view.rotateDeviceKey ? { rotateDeviceKey: true } : {}),
      ...(view.suppressions ? { suppressions: view.suppressions } : {}),
    };
    const prefix = `{"type":"policies","requestId":"${randomUUID()}","reason":${JSON.stringify(reason)},"body":${JSON.stringify(head).slice(0, -1)},"policies":`;
    return [prefix, this.sharedPart(view)];
  }

  private sharedPart(view: DeviceSetView): Buffer {
    let bytes = this.shared.get(view.setKey);
    if (bytes) {
      // Least recently used goes first: re-insert on use.
      this.shared.delete(view.setKey);
    } else {
      bytes = Buffer.from(`${JSON.stringify(view.policies)}}}`, 'utf8');
      this.sharedBytes += bytes.length;
      while (this.shared.size >= SHARED_CACHE || (this.sharedBytes > SHARED_CACHE_BYTES && this.shared.size > 0)) {
        const [oldest, old] = this.shared.entries().next().value as [string, Buffer];
        this.shared.delete(oldest);
        this.sharedBytes -= old.length;
      }
    }
    this.shared.set(view.setKey, bytes);
    return bytes;
  }
}
