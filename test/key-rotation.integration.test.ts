// Key rotation end to end: a real endpoint (in process, settable clock) and the agent's own enrollment, transport,
// rotation and sync code on a real state dir. Device keys rotate (by command, by admin request, after a crash at each
// step) and the old key is refused; the policy-signing key rotates with and without overlap, for an agent that stays
// online and one that was offline the whole overlap; a revoked device is refused everywhere.
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enroll } from '../agent/src/enrollment/enroll.js';
import { DeviceKeyRotator, withKeyMaintenance } from '../agent/src/enrollment/key-rotation.js';
import { silentLogger } from '../agent/src/logging.js';
import { selectHost } from '../agent/src/platform/index.js';
import { StateStore } from '../agent/src/state/state-store.js';
import { loadPolicySet } from '../agent/src/sync/policy-source.js';
import { SyncEngine } from '../agent/src/sync/sync-engine.js';
import { EndpointClient } from '../agent/src/transport/endpoint-client.js';
import { deviceKeyRotationProofString, generateEd25519KeyPair, keyIdOf, privateKeyFromPem, signBytes } from '../common/signing.js';
import { startTestEndpoint, type TestEndpoint } from '../management/src/testing/test-endpoint.js';
import type { AgentIdentity, PolicySummary, SignedSigningKeyAnnouncement, SigningKeyState } from '../policy-schemas/src/index.js';
import { removeDir, tempDir } from './harness.js';

const HOUR = 3_600_000;
const NP = 'mdatp.networkProtection.enforcementLevel';
let te: TestEndpoint;
let dir: string;
const clients: EndpointClient[] = [];

beforeAll(async () => {
  te = await startTestEndpoint();
  dir = await tempDir('keyrot');
});

afterAll(async () => {
  for (const c of clients) c.close();
  await te?.close();
  await removeDir(dir);
});

/** A freshly enrolled agent: its state dir, client (on the endpoint's clock), rotator and sync engine. */
async function newAgent() {
  const store = new StateStore(join(dir, randomUUID()), { posixPermissions: process.platform !== 'win32' });
  const host = selectHost({ kind: 'simulated', platform: 'linux', hostname: 'sim' });
  const identity = await enroll({ onboardingPackage: await te.onboarding() }, { store, host, now: te.now });
  const client = clientFor(identity, await store.readPrivateKeyPem());
  const rotator = new DeviceKeyRotator({ rotateAfterDays: 90 }, { store, client, identity, now: te.now, logger: silentLogger() });
  const engine = new SyncEngine({
    store,
    client: withKeyMaintenance(client, rotator),
    host,
    identity,
    now: te.now,
    newId: randomUUID,
    logger: silentLogger(),
  });
  return { store, identity, client, rotator, sync: () => engine.sync('manual') };
}

function clientFor(identity: AgentIdentity, pem: string): EndpointClient {
  const client = new EndpointClient(
    {
      endpointUrl: identity.endpointUrl,
      caCertificate: identity.caCertificate,
      credentials: { deviceId: identity.deviceId, privateKey: privateKeyFromPem(pem) },
    },
    { now: te.now },
  );
  clients.push(client);
  return client;
}

async function assignTo(deviceIds: string[]): Promise<PolicySummary> {
  const policy = await te.admin.ok<PolicySummary>('POST', '/policies', { name: `NP ${randomUUID()}`, kind: 'antivirus', settings: { [NP]: 'block' } });
  const group = await te.admin.ok<{ groupId: string }>('POST', '/groups', { name: `g-${randomUUID()}` });
  for (const deviceId of deviceIds) await te.admin.ok('POST', `/groups/${group.groupId}/members`, { deviceId });
  await te.admin.ok('POST', '/assignments', { policyId: policy.policyId, groupId: group.groupId });
  return policy;
}

const retired = (deviceId: string) => te.endpoint.context.store.listRetiredDeviceKeys(deviceId);

describe('device-key rotation', () => {
  it('registers a key made on the device; the old key is refused afterwards, the new one works', async () => {
    const agent = await newAgent();
    await assignTo([agent.identity.deviceId]);
    expect((await agent.sync()).error).toBeUndefined();
    const oldPem = await agent.store.readPrivateKeyPem();

    const answer = await agent.rotator.rotate();

    const newPem = await agent.store.readPrivateKeyPem();
    expect(newPem).not.toBe(oldPem);
    expect(await agent.store.readNextKeyPem()).toBeUndefined();
    const identity = await agent.store.readIdentity();
    expect(keyIdOf(identity?.publicKey ?? '')).toBe(answer.keyId);
    expect(identity?.deviceKeyCreatedAt).toBe(answer.rotatedAt);
    await expect(clientFor(agent.identity, oldPem).getPolicies(undefined)).rejects.toMatchObject({ code: 'REQUEST_SIGNATURE_INVALID' });
    const outcome = await agent.sync();
    expect(outcome.error).toBeUndefined();
    expect(outcome.policies[0]?.state).toBe('succeeded');
    expect((await retired(agent.identity.deviceId)).map((r) => r.keyId)).toEqual([keyIdOf(agent.identity.publicKey)]);
  });

  it('refuses a proof not made with the new key and a key the device used before', async () => {
    const agent = await newAgent();
    const other = generateEd25519KeyPair();
    const stranger = generateEd25519KeyPair();
    const requestedAt = new Date(te.now()).toISOString();
    const proofString = deviceKeyRotationProofString({
      deviceId: agent.identity.deviceId,
      currentPublicKey: agent.identity.publicKey,
      newPublicKey: other.publicKey,
      requestedAt,
    });
    const forged = signBytes(privateKeyFromPem(stranger.privateKeyPem), proofString);
    await expect(agent.client.rotateDeviceKey({ publicKey: other.publicKey, requestedAt, proof: forged })).rejects.toMatchObject({
      code: 'DEVICE_KEY_PROOF_INVALID',
    });
    const first = await agent.store.readPrivateKeyPem();
    await agent.rotator.rotate();
    // Rotating back to the retired key is refused: a stolen old key cannot be brought back.
    const back = deviceKeyRotationProofString({
      deviceId: agent.identity.deviceId,
      currentPublicKey: (await agent.store.readIdentity())?.publicKey ?? '',
      newPublicKey: agent.identity.publicKey,
      requestedAt,
    });
    await expect(
      agent.client.rotateDeviceKey({ publicKey: agent.identity.publicKey, requestedAt, proof: signBytes(privateKeyFromPem(first), back) }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('recovers from a crash at every step: before the request, after the endpoint switched, after the key file was replaced', async () => {
    // 1. Crashed after writing the next key, before the endpoint heard of it.
    const a = await newAgent();
    await a.store.writeNextKey(generateEd25519KeyPair().privateKeyPem);
    const resumedA = await new DeviceKeyRotator({ rotateAfterDays: 0 }, { ...a, now: te.now, logger: silentLogger() }).resume();
    expect(resumedA?.keyId).toBeDefined();
    expect(await a.store.readNextKeyPem()).toBeUndefined();
    await expect(clientFor(a.identity, await a.store.readPrivateKeyPem()).getPolicies(undefined)).resolves.toMatchObject({ notModified: false });

    // 2. The endpoint switched but the answer was lost: the old key is refused, the agent confirms with the new one.
    const b = await newAgent();
    const next = generateEd25519KeyPair();
    await b.store.writeNextKey(next.privateKeyPem);
    const requestedAt = new Date(te.now()).toISOString();
    const proof = signBytes(
      privateKeyFromPem(next.privateKeyPem),
      deviceKeyRotationProofString({ deviceId: b.identity.deviceId, currentPublicKey: b.identity.publicKey, newPublicKey: next.publicKey, requestedAt }),
    );
    await b.client.rotateDeviceKey({ publicKey: next.publicKey, requestedAt, proof });
    await expect(b.sync()).resolves.toMatchObject({ source: 'cache' }); // the fetch fails with the old key; maintenance then finishes
    expect(await b.store.readPrivateKeyPem()).toBe(next.privateKeyPem);
    expect(await b.store.readNextKeyPem()).toBeUndefined();
    expect((await b.sync()).error).toBeUndefined();

    // 3. Crashed after the key file was replaced, before identity.json: the next file equals the key; finish the promotion.
    const c = await newAgent();
    const nextC = generateEd25519KeyPair();
    await c.store.writeNextKey(nextC.privateKeyPem);
    const proofC = signBytes(
      privateKeyFromPem(nextC.privateKeyPem),
      deviceKeyRotationProofString({ deviceId: c.identity.deviceId, currentPublicKey: c.identity.publicKey, newPublicKey: nextC.publicKey, requestedAt }),
    );
    await c.client.rotateDeviceKey({ publicKey: nextC.publicKey, requestedAt, proof: proofC });
    await c.store.writeIdentity(c.identity, nextC.privateKeyPem);
    const client = clientFor(c.identity, await c.store.readPrivateKeyPem());
    const resumedC = await new DeviceKeyRotator(
      { rotateAfterDays: 0 },
      { store: c.store, client, identity: c.identity, now: te.now, logger: silentLogger() },
    ).resume();
    expect(resumedC?.keyId).toBe(keyIdOf(nextC.publicKey));
    expect((await c.store.readIdentity())?.publicKey).toBe(nextC.publicKey);
    await expect(client.getPolicies(undefined)).resolves.toMatchObject({ notModified: false });
  });

  it('rotates at once when an admin asks, and only once', async () => {
    const agent = await newAgent();
    expect((await agent.sync()).error).toBeUndefined();
    const before = await agent.store.readPrivateKeyPem();
    const mark = await te.admin.ok<{ requestedAt: string }>('POST', `/devices/${agent.identity.deviceId}/rotate-key`);
    expect(mark.requestedAt).toBeDefined();
    expect((await agent.sync()).error).toBeUndefined();
    const after = await agent.store.readPrivateKeyPem();
    expect(after).not.toBe(before);
    expect((await agent.sync()).error).toBeUndefined();
    expect(await agent.store.readPrivateKeyPem()).toBe(after);
    expect(await retired(agent.identity.deviceId)).toHaveLength(1);
  });

  it('rotates by itself once the key is older than the configured age', async () => {
    const agent = await newAgent();
    const identity = { ...agent.identity, enrolledAt: new Date(te.now() - 91 * 24 * HOUR).toISOString() };
    const rotator = new DeviceKeyRotator({ rotateAfterDays: 90 }, { store: agent.store, client: agent.client, identity, now: te.now, logger: silentLogger() });
    await new DeviceKeyRotator({ rotateAfterDays: 0 }, { store: agent.store, client: agent.client, identity, now: te.now, logger: silentLogger() }).maintain(
      false,
    );
    expect(await retired(agent.identity.deviceId)).toHaveLength(0); // 0 = only on request
    await rotator.maintain(false);
    expect(await retired(agent.identity.deviceId)).toHaveLength(1);
  });
});

describe('revocation', () => {
  it('refuses a revoked device on every signed route, including a key rotation', async () => {
    const agent = await newAgent();
    await te.admin.ok('POST', `/devices/${agent.identity.deviceId}/revoke`);
    await expect(agent.client.getPolicies(undefined)).rejects.toMatchObject({ code: 'DEVICE_REVOKED' });
    await expect(agent.rotator.rotate()).rejects.toMatchObject({ code: 'DEVICE_REVOKED' });
    // The push upgrade goes through the same authenticator.
    const headers = agent.client.signedHeaders('GET', '/v1/device/push', '');
    const { httpsRequest } = await import('../management/src/testing/https-client.js');
    const res = await httpsRequest(te.endpoint.url, te.ca, 'GET', '/v1/device/push', { headers });
    expect(res.status).toBe(403);
    await expect(te.admin.ok('POST', `/devices/${agent.identity.deviceId}/rotate-key`)).rejects.toThrow(/409/);
  });
});

describe('policy-signing key rotation', () => {
  it('an online agent pins both keys during the overlap, verifies the re-signed set after the switch, drops the old key after', async () => {
    const online = await newAgent();
    const offline = await newAgent();
    const sleeper = await newAgent();
    const policy = await assignTo([online.identity.deviceId, offline.identity.deviceId, sleeper.identity.deviceId]);
    for (const agent of [online, offline, sleeper]) expect((await agent.sync()).error).toBeUndefined();
    const oldKeyId = (await te.admin.ok<SigningKeyState>('GET', '/signing-key')).activeKeyId;

    const announced = await te.admin.ok<SignedSigningKeyAnnouncement>('POST', '/signing-key/rotate', { overlapHours: 1 });
    expect(announced.keyId).toBe(oldKeyId);
    expect((await online.sync()).error).toBeUndefined();
    const pinned = await online.store.readSigningKeys();
    expect(pinned?.map((k) => k.keyId)).toEqual([oldKeyId, announced.payload.newKeyId]);
    expect(pinned?.[0]?.notAfter).toBe(announced.payload.overlapUntil);
    expect((await online.store.readPolicies())?.policies[0]?.keyId).toBe(oldKeyId); // still signed with the old key
    expect((await sleeper.sync()).error).toBeUndefined(); // pins both keys, then loses the network

    te.setClockOffset(HOUR + 1000);
    const switched = await online.sync();
    expect(switched.error).toBeUndefined();
    const cached = await online.store.readPolicies();
    expect(cached?.policies[0]?.keyId).toBe(announced.payload.newKeyId);
    expect(cached?.manifest?.keyId).toBe(announced.payload.newKeyId);
    expect(cached?.policies[0]?.payload.version).toBe(1); // re-signed, same version
    expect((await te.endpoint.context.store.getPolicy(policy.policyId))?.latest.keyId).toBe(announced.payload.newKeyId); // stored re-signed
    expect((await te.admin.ok<SigningKeyState>('GET', '/signing-key')).activeKeyId).toBe(announced.payload.newKeyId);

    // A new version after the switch is signed with the new key.
    await te.admin.ok('PUT', `/policies/${policy.policyId}`, { name: policy.name, kind: 'antivirus', settings: { [NP]: 'audit' } });
    te.setClockOffset(2 * HOUR + 2000);
    const later = await online.sync();
    expect(later.error).toBeUndefined();
    expect(later.policies[0]?.version).toBe(2);
    expect((await online.store.readSigningKeys())?.map((k) => k.keyId)).toEqual([announced.payload.newKeyId]);

    // The sleeper, offline since the overlap began, keeps enforcing its cached set (signed with the now ended key).
    const cachedSet = await loadPolicySet({ store: sleeper.store, identity: sleeper.identity, logger: silentLogger(), now: te.now }, 'cache', {});
    expect(cachedSet.error).toBeUndefined();
    expect(cachedSet.payloads).toHaveLength(1);

    // The agent offline during the whole overlap comes back and follows the chain from its old pin.
    expect(await offline.store.readSigningKeys()).toBeUndefined();
    const back = await offline.sync();
    expect(back.error).toBeUndefined();
    expect(back.policies[0]?.version).toBe(2);
    expect((await offline.store.readSigningKeys())?.map((k) => k.keyId)).toEqual([announced.payload.newKeyId]);
  });

  it('rotates at once with now: the old key is dropped at the first sync; a forged announcement is ignored', async () => {
    const agent = await newAgent();
    await assignTo([agent.identity.deviceId]);
    expect((await agent.sync()).error).toBeUndefined();
    await expect(te.admin.call('POST', '/signing-key/rotate', { now: true, overlapHours: 2 })).resolves.toMatchObject({ status: 400 });
    const announced = await te.admin.ok<SignedSigningKeyAnnouncement>('POST', '/signing-key/rotate', { now: true });
    expect(announced.payload.validFrom).toBe(announced.payload.overlapUntil);
    const outcome = await agent.sync();
    expect(outcome.error).toBeUndefined();
    const pins = await agent.store.readSigningKeys();
    expect(pins?.map((k) => k.keyId)).toEqual([announced.payload.newKeyId]);

    // A policies cache edited to carry a policy signed by a key announced by nobody fails verification. The running
    // agent serves its own state files from memory (state/file-memo.ts); the edit is read by the next agent start.
    const cache = JSON.parse(await readFile(join(agent.store.dir, 'policies.json'), 'utf8'));
    const attacker = generateEd25519KeyPair();
    cache.policies[0].keyId = keyIdOf(attacker.publicKey);
    await writeFile(join(agent.store.dir, 'policies.json'), JSON.stringify(cache));
    const restarted = new StateStore(agent.store.dir, { posixPermissions: process.platform !== 'win32' });
    const set = await loadPolicySet({ store: restarted, identity: agent.identity, logger: silentLogger(), now: te.now }, 'cache', {});
    expect(set.error?.code).toBe('POLICY_SIGNATURE_INVALID');
  });
});
