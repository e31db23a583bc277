// Device-key rotation on the agent: a new key is generated here (never sent), kept as device-key.next.pem until the
// endpoint confirms it, then promoted. Any crash leaves a state from which "try the old key, then the new one" finishes.

import { createPublicKey, type KeyObject } from 'node:crypto';
import { AttacheError, toAttacheError } from '../../../common/errors.js';
import { isoTime } from '../../../common/iso-time.js';
import { deviceKeyRotationProofString, generateEd25519KeyPair, keyIdOf, privateKeyFromPem, rawPublicKey, signBytes } from '../../../common/signing.js';
import type { AgentIdentity, DeviceKeyRotationResponse } from '../../../policy-schemas/src/index.js';
import type { Logger } from '../logging.js';
import type { StateStore } from '../state/state-store.js';
import type { EndpointClient } from '../transport/endpoint-client.js';

const DAY_MS = 86_400_000;
/** Refusals that no retry of the same next key can change: the key is dropped and a later rotation makes a new one. */
const FINAL_REFUSALS = new Set(['DEVICE_KEY_PROOF_INVALID', 'CONFLICT', 'SCHEMA_INVALID']);

export interface KeyRotationOptions {
  /** Rotate when the device key is older than this many days; 0 turns automatic rotation off. */
  readonly rotateAfterDays: number;
}

export interface KeyRotationDeps {
  readonly store: StateStore;
  readonly client: Pick<EndpointClient, 'rotateDeviceKey' | 'useDeviceKey'>;
  readonly identity: AgentIdentity;
  readonly now: () => number;
  readonly logger: Logger;
}

/** True when the device key registered at `createdAt` is due for rotation at `nowMs`. */
export function keyRotationDue(createdAt: string, rotateAfterDays: number, nowMs: number): boolean {
  return rotateAfterDays > 0 && nowMs - Date.parse(createdAt) >= rotateAfterDays * DAY_MS;
}

const publicKeyOf = (privateKey: KeyObject) => rawPublicKey(createPublicKey(privateKey));

/** Rotates the device key and finishes interrupted rotations; one at a time. */
export class DeviceKeyRotator {
  private identity: AgentIdentity;
  private busy: Promise<void> | undefined;

  constructor(
    private readonly options: KeyRotationOptions,
    private readonly deps: KeyRotationDeps,
  ) {
    this.identity = deps.identity;
  }

  /** Rotates now (finishing an interrupted rotation first, which then counts as this one). */
  rotate(): Promise<DeviceKeyRotationResponse> {
    return this.exclusive(async () => (await this.resumeNow()) ?? this.rotateNow()) as Promise<DeviceKeyRotationResponse>;
  }

  /** Finishes a rotation a crash interrupted; undefined when none was pending (or the endpoint cannot be reached yet). */
  resume(): Promise<DeviceKeyRotationResponse | undefined> {
    return this.exclusive(() => this.resumeNow());
  }

  /**
   * After each fetch: finishes a pending rotation, or rotates when an admin asked (`requested`) or the key is older than
   * the configured age. Failures are logged; the next fetch tries again.
   */
  async maintain(requested: boolean): Promise<void> {
    try {
      if (await this.resume()) return;
      const createdAt = this.identity.deviceKeyCreatedAt ?? this.identity.enrolledAt;
      const due = keyRotationDue(createdAt, this.options.rotateAfterDays, this.deps.now());
      if (requested || due) await this.rotate();
    } catch (err) {
      const e = toAttacheError(err);
      this.deps.logger.warn('device key rotation failed', { code: e.code, error: e.message });
    }
  }

  private exclusive(run: () => Promise<DeviceKeyRotationResponse | undefined>): Promise<DeviceKeyRotationResponse | undefined> {
    const next = (this.busy ?? Promise.resolve()).then(run);
    // The queue only orders the runs; each caller sees its own run's failure.
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.busy = settled;
    void settled.then(() => {
      if (this.busy === settled) this.busy = undefined;
    });
    return next;
  }

  private async rotateNow(): Promise<DeviceKeyRotationResponse> {
    const pair = generateEd25519KeyPair();
    // Stored before the endpoint hears of it: if we crash after the endpoint switched, this key is the one it accepts.
    await this.deps.store.writeNextKey(pair.privateKeyPem);
    this.deps.logger.info('device key rotation started');
    return this.complete(pair.privateKeyPem);
  }

  private async resumeNow(): Promise<DeviceKeyRotationResponse | undefined> {
    const nextPem = await this.deps.store.readNextKeyPem();
    if (nextPem === undefined) return undefined;
    this.deps.logger.info('finishing an interrupted device key rotation');
    try {
      return await this.complete(nextPem);
    } catch (err) {
      if (toAttacheError(err).code === 'ENDPOINT_UNREACHABLE') return undefined;
      throw err;
    }
  }

  /** Registers `nextPem`: signed with the current key, or confirmed with the next key when the current one is refused. */
  private async complete(nextPem: string): Promise<DeviceKeyRotationResponse> {
    const currentPem = await this.deps.store.readPrivateKeyPem();
    const next = privateKeyFromPem(nextPem);
    if (currentPem === nextPem) return this.promote(nextPem, next, undefined); // crashed after the key file was replaced
    const current = privateKeyFromPem(currentPem);
    const requestedAt = isoTime(this.deps.now());
    const newPublicKey = publicKeyOf(next);
    const proof = signBytes(
      next,
      deviceKeyRotationProofString({ deviceId: this.identity.deviceId, currentPublicKey: publicKeyOf(current), newPublicKey, requestedAt }),
    );
    const body = { publicKey: newPublicKey, requestedAt, proof };
    let answer: DeviceKeyRotationResponse;
    try {
      answer = await this.deps.client.rotateDeviceKey(body);
    } catch (err) {
      const e = toAttacheError(err);
      if (e.code === 'REQUEST_SIGNATURE_INVALID') {
        // The endpoint no longer accepts the current key: it switched before we heard. Confirm with the new key.
        answer = await this.deps.client.rotateDeviceKey(body, next);
      } else {
        if (FINAL_REFUSALS.has(e.code)) {
          await this.deps.store.removeNextKey();
          this.deps.logger.warn('device key rotation refused; new key dropped', { code: e.code, error: e.message });
        }
        throw e;
      }
    }
    return this.promote(nextPem, next, answer);
  }

  private async promote(nextPem: string, next: KeyObject, answer: DeviceKeyRotationResponse | undefined): Promise<DeviceKeyRotationResponse> {
    const publicKey = publicKeyOf(next);
    if (answer && answer.deviceId !== this.identity.deviceId) throw new AttacheError('ENDPOINT_ERROR', `endpoint answered for device ${answer.deviceId}`);
    const rotatedAt = answer?.rotatedAt ?? isoTime(this.deps.now());
    const identity: AgentIdentity = { ...this.identity, publicKey, deviceKeyCreatedAt: rotatedAt };
    await this.deps.store.promoteNextKey(nextPem, identity);
    this.identity = identity;
    this.deps.client.useDeviceKey(next);
    const result = answer ?? { deviceId: identity.deviceId, keyId: keyIdOf(publicKey), rotatedAt };
    this.deps.logger.info('device key rotated', { keyId: result.keyId });
    return result;
  }
}

/**
 * `client` with its policy fetches watched: after each fetch (answered or failed) the rotator finishes a pending
 * rotation or rotates when the response carries an admin's request or the key is due. Awaited, so the rest of the
 * sync already signs with the new key.
 */
export function withKeyMaintenance<T extends Pick<EndpointClient, 'getPolicies'>>(client: T, rotator: Pick<DeviceKeyRotator, 'maintain'>): T {
  const getPolicies: EndpointClient['getPolicies'] = async (etag) => {
    let result: Awaited<ReturnType<EndpointClient['getPolicies']>>;
    try {
      result = await client.getPolicies(etag);
    } catch (err) {
      await rotator.maintain(false);
      throw err;
    }
    await rotator.maintain(!result.notModified && result.body.rotateDeviceKey === true);
    return result;
  };
  return new Proxy(client, { get: (target, prop, receiver) => (prop === 'getPolicies' ? getPolicies : Reflect.get(target, prop, receiver)) });
}
