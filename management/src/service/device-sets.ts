// What a device's fetch answers (its signed policy set, manifest, key chain, signed suppression list, etag), computed once per change and
// kept per device: a check-in whose etag still matches costs a map lookup and a short hash, not a transaction.
import { canonicalJson } from '../../../common/canonical-json.js';
import { isoNow } from '../../../common/clock.js';
import { sha256Hex, signBytes } from '../../../common/signing.js';
import type {
  PoliciesResponse,
  PolicySetManifest,
  SignedPolicy,
  SignedPolicySetManifest,
  SignedSigningKeyAnnouncement,
  SignedSuppressionList,
} from '../../../policy-schemas/src/index.js';
import type { ClusterBus } from '../push/cluster-bus.js';
import type { DevicePolicySet, DeviceRecord } from '../store/store.js';
import type { ServiceContext } from './context.js';
import { type CachedSuppressions, signedSuppressions } from './suppression-list.js';

/** What a device's fetch answers: the signed set, its signed manifest, the signing-key chain and the etag of all that. */
export interface DeviceSetView {
  readonly etag: string;
  readonly manifest: SignedPolicySetManifest;
  readonly policies: readonly SignedPolicy[];
  readonly signingKeys: readonly SignedSigningKeyAnnouncement[];
  /** An admin asked the device to rotate its key. */
  readonly rotateDeviceKey: boolean;
  /** The alert suppressions in force for the device, signed; an empty list when none is. */
  readonly suppressions?: SignedSuppressionList;
  /** Identifies the policy list and the key that signs it: devices with equal `setKey` get the same `policies` bytes. */
  readonly setKey: string;
}

/** The body of a full fetch (GET /v1/device/policies, or `getPolicies` on the push channel). */
export function policiesResponse(deviceId: string, view: DeviceSetView): PoliciesResponse {
  return {
    deviceId,
    etag: view.etag,
    manifest: view.manifest,
    policies: view.policies as SignedPolicy[],
    ...(view.signingKeys.length > 0 ? { signingKeys: view.signingKeys as SignedSigningKeyAnnouncement[] } : {}),
    ...(view.rotateDeviceKey ? { rotateDeviceKey: true as const } : {}),
    ...(view.suppressions ? { suppressions: view.suppressions } : {}),
  };
}

interface Cached {
  readonly generation: number;
  readonly set: DevicePolicySet;
  /** The signed manifest and the key it was signed with (signed on first use, then kept). */
  manifest?: { readonly keyId: string; readonly signed: SignedPolicySetManifest };
  /** The device's suppression rules (suppression rule changes invalidate like set changes). */
  readonly suppressions: CachedSuppressions;
}

type Deps = Pick<ServiceContext, 'store' | 'signingKeys' | 'identity' | 'clock'> & { readonly bus?: ClusterBus };

/**
 * The per-device set cache. Anything that can change which policies a device gets (an admin write, a membership change
 * from a report) calls invalidateAll or invalidate; a computation that overlapped an invalidation is not kept; a device
 * queued for delivery is invalidated when queued, so its delivered set is read after the change that queued it. The
 * key that signs and the chain are checked at every read, so a time-based key switch needs no invalidation.
 * Each endpoint process has its own cache: with a cluster bus, invalidateAll and invalidate are also published, and the
 * other replicas apply them with forgetAll and forget (which do not publish).
 */
export class DeviceSetViews {
  private generation = 0;
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly deps: Deps) {}

  /** Forgets every device's set (an admin changed policies, assignments, groups or keys), in every replica. */
  invalidateAll(): void {
    this.forgetAll();
    this.deps.bus?.publish({ type: 'sets', deviceIds: 'all' });
  }

  /** Forgets these devices' sets (their memberships changed), in every replica. */
  invalidate(...deviceIds: readonly string[]): void {
    this.forget(...deviceIds);
    if (deviceIds.length > 0) this.deps.bus?.publish({ type: 'sets', deviceIds });
  }

  /** invalidateAll in this process only (another replica's event, a gap in the bus). */
  forgetAll(): void {
    this.generation++;
    this.cache.clear();
  }

  /** invalidate in this process only (another replica's event; a device queued for delivery here). */
  forget(...deviceIds: readonly string[]): void {
    this.generation++;
    for (const id of deviceIds) this.cache.delete(id);
  }

  /** Number of devices with a cached set. */
  get size(): number {
    return this.cache.size;
  }

  /** The device's view, from the cache when nothing changed since it was computed. */
  async view(device: DeviceRecord): Promise<DeviceSetView> {
    await this.deps.signingKeys.advance(this.deps.clock.now());
    let cached = this.cache.get(device.deviceId);
    if (!cached) {
      const generation = this.generation;
      const [set, rules] = await Promise.all([
        this.deps.store.policySetForDevice(device.deviceId, isoNow(this.deps.clock)),
        this.deps.store.suppressionRulesForDevice(device.deviceId),
      ]);
      cached = { generation, set, suppressions: { rules } };
      if (generation === this.generation) this.cache.set(device.deviceId, cached);
    }
    return this.viewOf(device, cached);
  }

  /** The views of many devices (the push fan-out): the uncached ones are computed in batches by the store. */
  async views(devices: readonly DeviceRecord[]): Promise<Map<string, DeviceSetView>> {
    await this.deps.signingKeys.advance(this.deps.clock.now());
    const missing = devices.filter((d) => !this.cache.has(d.deviceId)).map((d) => d.deviceId);
    const fresh = new Map<string, Cached>();
    if (missing.length > 0) {
      const generation = this.generation;
      const sets = await this.deps.store.policySetsForDevices(missing, isoNow(this.deps.clock));
      const rules = await this.deps.store.suppressionRulesForDevices(missing);
      for (const [deviceId, set] of sets) {
        const entry = { generation, set, suppressions: { rules: rules.get(deviceId) ?? [] } };
        fresh.set(deviceId, entry);
        if (generation === this.generation) this.cache.set(deviceId, entry);
      }
    }
    const out = new Map<string, DeviceSetView>();
    for (const device of devices) {
      const cached = this.cache.get(device.deviceId) ?? fresh.get(device.deviceId);
      if (cached) out.set(device.deviceId, this.viewOf(device, cached));
    }
    return out;
  }

  private viewOf(device: DeviceRecord, cached: Cached): DeviceSetView {
    const { signingKeys, identity } = this.deps;
    const keys = signingKeys.active();
    const { set } = cached;
    if (cached.manifest?.keyId !== keys.keyId) {
      const payload: PolicySetManifest = {
        deviceId: device.deviceId,
        tenantId: identity.tenantId,
        setVersion: set.setVersion,
        issuedAt: set.issuedAt,
        policies: [...set.entries],
      };
      cached.manifest = { keyId: keys.keyId, signed: { payload, keyId: keys.keyId, signature: signBytes(keys.privateKey, canonicalJson(payload)) } };
    }
    const chain = signingKeys.announcements();
    const rotateDeviceKey = device.keyRotationRequestedAt !== undefined;
    const now = this.deps.clock.now();
    const suppressions = signedSuppressions(cached.suppressions, { deviceId: device.deviceId, tenantId: identity.tenantId }, keys, {
      ms: now,
      iso: new Date(now).toISOString(),
    });
    // The etag covers what a 304 would hide: the set, the key that signs it, the chain, a pending rotation request and
    // the suppressions in force (an expiry changes it without any write). No suppression: the etag of before issue 17.
    const base = `${set.setVersion}:${set.digest}:${keys.keyId}:${chain.length}:${rotateDeviceKey}`;
    const etag = `"${sha256Hex(suppressions.digest === '' ? base : `${base}:${suppressions.digest}`)}"`;
    // Stored versions are re-signed when a key is activated: a set cached before that is read again next time.
    const current = set.policies.every((p) => p.keyId === keys.keyId);
    if (!current) this.cache.delete(device.deviceId);
    const policies = current ? set.policies : set.policies.map((p) => signingKeys.resign(p));
    return {
      etag,
      manifest: cached.manifest.signed,
      policies,
      signingKeys: chain,
      rotateDeviceKey,
      setKey: `${set.digest}:${keys.keyId}`,
      suppressions: suppressions.list,
    };
  }
}
