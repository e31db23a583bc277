// The policy-signing key ring: the onboarding (genesis) key, every key announced since (each private key in the key
// vault: <dataDir>/policy-signing-keys/ or the database), which one signs now, and the announcement chain devices
// follow (old key signs new).
import { createPublicKey, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../../../common/canonical-json.js';
import { AttacheError } from '../../../common/errors.js';
import { generateEd25519KeyPair, keyIdOf, privateKeyFromPem, rawPublicKey, signBytes, verifyBytes } from '../../../common/signing.js';
import type { SignedPolicy, SignedSigningKeyAnnouncement, SigningKeyAnnouncementPayload, SigningKeyState } from '../../../policy-schemas/src/index.js';
import type { Logger } from '../logging.js';
import type { ManagementStore, StoredSigningKeyAnnouncement } from '../store/store.js';
import type { PolicySigningKeys } from './endpoint-identity.js';
import type { KeyVault } from './key-vault.js';

const HOUR_MS = 3_600_000;
/** Default overlap of a scheduled rotation. */
export const DEFAULT_OVERLAP_HOURS = 24;

/** How a rotation is scheduled: `now` switches at once (no overlap); otherwise the endpoint switches after overlapHours. */
export interface RotationRequest {
  readonly overlapHours?: number;
  readonly now?: boolean;
}

/** Dependencies of the ring. */
export interface SigningKeyRingDeps {
  readonly store: ManagementStore;
  readonly logger: Logger;
  /** Called after this process announced or activated a key (replicas then reload theirs). */
  readonly onChange?: () => void;
}

function keysFromPem(pem: string): PolicySigningKeys {
  const privateKey = privateKeyFromPem(pem);
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/**
 * The times of an announcement made at `nowMs`: the endpoint signs with the new key from `validFrom` (after the overlap
 * hours, or at once), devices keep accepting the old key until `overlapUntil` (as long again, so sets cached just
 * before the switch stay valid until the next sync; equal to validFrom for an immediate rotation).
 */
export function rotationTimes(request: RotationRequest, nowMs: number): { validFrom: string; overlapUntil: string } {
  const overlapMs = request.now ? 0 : (request.overlapHours ?? DEFAULT_OVERLAP_HOURS) * HOUR_MS;
  return { validFrom: new Date(nowMs + overlapMs).toISOString(), overlapUntil: new Date(nowMs + 2 * overlapMs).toISOString() };
}

/** Holds every policy-signing key of this endpoint and switches to an announced one when its time comes. */
export class PolicySigningKeyRing {
  private activeKeyId: string;
  private chain: StoredSigningKeyAnnouncement[];
  private switching: Promise<void> | undefined;

  private constructor(
    private readonly vault: KeyVault,
    private readonly keys: Map<string, PolicySigningKeys>,
    genesisKeyId: string,
    chain: StoredSigningKeyAnnouncement[],
    private readonly deps: SigningKeyRingDeps,
  ) {
    this.chain = chain;
    this.activeKeyId = [...chain].reverse().find((a) => a.activatedAt !== undefined)?.announcement.payload.newKeyId ?? genesisKeyId;
  }

  /** Loads the genesis key and every announced key from `vault` (a data dir, or the database for replicas). */
  static async load(vault: KeyVault, genesis: PolicySigningKeys, deps: SigningKeyRingDeps): Promise<PolicySigningKeyRing> {
    const keys = new Map([[genesis.keyId, genesis]]);
    const chain = await deps.store.listSigningKeyAnnouncements();
    for (const { announcement } of chain) {
      const keyId = announcement.payload.newKeyId;
      const pem = await vault.read(`policySigningKeys/${keyId}`);
      if (!pem) throw new AttacheError('STATE_CORRUPT', `policy-signing key ${keyId} was announced but is missing from ${vault.where}`);
      keys.set(keyId, keysFromPem(pem));
    }
    return new PolicySigningKeyRing(vault, keys, genesis.keyId, chain, deps);
  }

  /**
   * Takes the announcements and keys another replica added or activated (a cluster event): the chain is re-read, new
   * keys are loaded from the vault, and the active key follows the chain's last activated announcement.
   */
  async reload(): Promise<void> {
    const chain = await this.deps.store.listSigningKeyAnnouncements();
    for (const { announcement } of chain) {
      const keyId = announcement.payload.newKeyId;
      if (this.keys.has(keyId)) continue;
      const pem = await this.vault.read(`policySigningKeys/${keyId}`);
      if (!pem) throw new AttacheError('STATE_CORRUPT', `policy-signing key ${keyId} was announced but is missing from ${this.vault.where}`);
      this.keys.set(keyId, keysFromPem(pem));
    }
    this.chain = chain;
    const activated = chain.filter((a) => a.activatedAt !== undefined).at(-1);
    if (activated) this.activeKeyId = activated.announcement.payload.newKeyId;
  }

  /** The key that signs policies and manifests now. */
  active(): PolicySigningKeys {
    const keys = this.keys.get(this.activeKeyId);
    if (!keys) throw new AttacheError('INTERNAL', `active policy-signing key ${this.activeKeyId} is not loaded`);
    return keys;
  }

  /** The announcement chain, oldest first, as devices receive it. */
  announcements(): SignedSigningKeyAnnouncement[] {
    return this.chain.map((a) => a.announcement);
  }

  /** The announced key not yet switched to, if any. */
  pending(): SigningKeyAnnouncementPayload | undefined {
    return this.chain.find((a) => a.activatedAt === undefined)?.announcement.payload;
  }

  state(): SigningKeyState {
    const pending = this.pending();
    return {
      activeKeyId: this.activeKeyId,
      ...(pending ? { pending: { keyId: pending.newKeyId, validFrom: pending.validFrom, overlapUntil: pending.overlapUntil } } : {}),
      announcements: this.announcements(),
    };
  }

  /**
   * Creates the next key and announces it, signed by the active key. Key file first, then the announcement: a crash
   * in between leaves an unused file. With `now` the endpoint switches at once. One pending rotation at a time.
   */
  async rotate(request: RotationRequest, tenantId: string, nowMs: number): Promise<SignedSigningKeyAnnouncement> {
    const pending = this.pending();
    if (pending) {
      throw new AttacheError('CONFLICT', `policy-signing key ${pending.newKeyId} is already announced and becomes active at ${pending.validFrom}`);
    }
    const pair = generateEd25519KeyPair();
    const next = keysFromPem(pair.privateKeyPem);
    await this.vault.createOnce(`policySigningKeys/${next.keyId}`, () => pair.privateKeyPem);
    const signer = this.active();
    const payload: SigningKeyAnnouncementPayload = {
      tenantId,
      previousKeyId: signer.keyId,
      newKeyId: next.keyId,
      newPublicKey: next.publicKey,
      ...rotationTimes(request, nowMs),
      announcedAt: new Date(nowMs).toISOString(),
    };
    const announcement = { payload, keyId: signer.keyId, signature: signBytes(signer.privateKey, canonicalJson(payload)) };
    await this.deps.store.addSigningKeyAnnouncement(announcement);
    this.keys.set(next.keyId, next);
    this.chain = await this.deps.store.listSigningKeyAnnouncements();
    this.deps.logger.info('policy-signing key announced', { component: 'pki', keyId: next.keyId, validFrom: payload.validFrom, now: !!request.now });
    this.deps.onChange?.();
    await this.advance(nowMs);
    return announcement;
  }

  /**
   * Switches to the pending key once its validFrom has come: in one store transaction every stored policy version
   * whose signature verifies with one of our keys is re-signed (same payload bytes, same version) with the new key.
   * Calls made meanwhile wait for the switch.
   */
  async advance(nowMs: number): Promise<void> {
    if (this.switching) return this.switching;
    const pending = this.pending();
    if (!pending || Date.parse(pending.validFrom) > nowMs) return;
    this.switching = this.activate(pending.newKeyId, nowMs).finally(() => {
      this.switching = undefined;
    });
    return this.switching;
  }

  /**
   * A stored policy signed by an older key of ours (stored while the switch ran) goes out re-signed with the active key;
   * only when its signature verifies with a key of this ring, so a database writer still cannot forge a policy.
   */
  resign<T extends Pick<SignedPolicy, 'keyId' | 'signature'> & { readonly payload: object }>(policy: T): T {
    const active = this.active();
    if (policy.keyId === active.keyId) return policy;
    const signer = this.keys.get(policy.keyId);
    const bytes = canonicalJson(policy.payload);
    if (!signer || !verifyBytes(publicKeyOf(signer), bytes, policy.signature)) return policy;
    return { ...policy, keyId: active.keyId, signature: signBytes(active.privateKey, bytes) };
  }

  private async activate(keyId: string, nowMs: number): Promise<void> {
    const next = this.keys.get(keyId);
    if (!next) throw new AttacheError('INTERNAL', `announced policy-signing key ${keyId} is not loaded`);
    const resigned = await this.deps.store.activateSigningKey(keyId, new Date(nowMs).toISOString(), (row) => {
      const signer = this.keys.get(row.keyId);
      if (!signer || !verifyBytes(publicKeyOf(signer), row.payload, row.signature)) return undefined;
      return { keyId: next.keyId, signature: signBytes(next.privateKey, row.payload) };
    });
    this.chain = await this.deps.store.listSigningKeyAnnouncements();
    this.activeKeyId = keyId;
    this.deps.logger.info('policy-signing key activated', { component: 'pki', keyId, resigned });
    this.deps.onChange?.();
  }
}

function publicKeyOf(keys: PolicySigningKeys): KeyObject {
  return createPublicKey(keys.privateKey);
}
