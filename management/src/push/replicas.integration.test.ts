// Two endpoint replicas on one PostgreSQL database (a scratch cluster), each with its own data dir and the same
// key-encryption key: they share the CA and policy-signing key through the database; a change made through one reaches
// a device whose push socket is on the other (its set delivered there), a revocation made through one closes the
// socket held by the other (as does a deletion, which also drops the device's access decision there), and only one of
// them runs the compliance timer. A wrong key-encryption key is refused.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '../../../common/validation.js';
import { ServerPushMessage } from '../../../policy-schemas/src/index.js';
import { startEndpoint } from '../endpoint.js';
import { createSilentLogger } from '../logging.js';
import { generateKekFile, rotateKek } from '../pki/kek-command.js';
import type { ScratchPostgres } from '../store/scratch-postgres.js';
import { httpsRequest } from '../testing/https-client.js';
import { TestPushClient } from '../testing/push-client.js';
import { type ReplicaPair, startReplicaPair } from '../testing/replica-pair.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';
import { PUSH_CLOSE } from './push-hub.js';

let pair: ReplicaPair;
let cluster: ScratchPostgres;
let a: TestEndpoint;
let b: TestEndpoint;
let kekDir: string;
let databaseUrl: string;
let keyEncryptionKeyFile: string;

beforeAll(async () => {
  pair = await startReplicaPair();
  ({ a, b, cluster, kekDir, databaseUrl, keyEncryptionKeyFile } = pair);
});

afterAll(async () => {
  await pair?.close();
});

const next = async (client: TestPushClient): Promise<ServerPushMessage> => validate(ServerPushMessage, await client.next(), 'server push message');

/** The policies of the `policies` messages received until one carries a policy at `version` (at most 5 messages). */
async function deliveredVersions(client: TestPushClient, version: number): Promise<[string, number][]> {
  for (let i = 0; i < 5; i++) {
    const message = await next(client);
    if (message.type !== 'policies') continue;
    const policies = message.body.policies.map((p): [string, number] => [p.payload.policyId, p.payload.version]);
    if (policies.some(([, v]) => v === version)) return policies;
  }
  throw new Error(`no set with version ${version} delivered`);
}

describe('replicas on one PostgreSQL database', () => {
  it('share one tenant, CA and policy-signing key through the database, never in plaintext; one leads', async () => {
    expect(b.endpoint.identity.tenantId).toBe(a.endpoint.identity.tenantId);
    expect(b.endpoint.identity.caPin).toBe(a.endpoint.identity.caPin);
    expect(b.endpoint.identity.policySigning.keyId).toBe(a.endpoint.identity.policySigning.keyId);
    // Each replica's data dir holds its own server certificate and the public CA certificate, not the shared keys.
    for (const dir of [a.dir, b.dir]) {
      await expect(stat(join(dir, 'ca-key.pem'))).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(stat(join(dir, 'policy-signing-key.pem'))).rejects.toMatchObject({ code: 'ENOENT' });
    }
    const secrets = await a.endpoint.context.store.listSecrets();
    expect([...secrets.keys()]).toEqual(['ca', 'policySigningKey']);
    for (const envelope of secrets.values()) expect(envelope).not.toContain('PRIVATE KEY');
    const leaders = [a, b].filter((r) => r.endpoint.isLeader());
    expect(leaders).toHaveLength(1);
  });

  it('delivers a policy changed through one replica to a device connected to the other, and closes it on revocation', async () => {
    const device = await a.enrolledDevice();
    const client = await TestPushClient.open(b.endpoint.url, b.ca, device, undefined, '/v1/device/push?channel=2');
    expect(await next(client)).toMatchObject({ type: 'hello', channel: 2 });

    // Group membership, then the assignment: each change is delivered; the last set holds the policy.
    const { policy } = await a.assignedPolicy([device]);
    expect(await deliveredVersions(client, 1)).toEqual([[policy.policyId, 1]]);

    await a.admin.ok('PUT', `/policies/${policy.policyId}`, { name: 'AV baseline', kind: 'antivirus', settings: { 'defender.AllowRealtimeMonitoring': 0 } });
    expect(await deliveredVersions(client, 2)).toEqual([[policy.policyId, 2]]);

    const token = (await readFile(join(a.dir, 'admin.token'), 'utf8')).trim();
    const decision = async () =>
      (
        (await httpsRequest(b.endpoint.url, b.ca, 'GET', `/v1/access/devices/${device.deviceId}`, { headers: { authorization: `Bearer ${token}` } })).body as {
          decision: string;
        }
      ).decision;
    expect(await decision()).toBe('allow');
    await a.admin.ok('POST', `/devices/${device.deviceId}/revoke`, {});
    expect((await client.closed).code).toBe(PUSH_CLOSE.revoked);
    // A evaluated the revoked device; B serves the decision A stored.
    const end = Date.now() + 5_000;
    while ((await decision()) !== 'block' && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(await decision()).toBe('block');
  });

  it('pushes a response action created through one replica to a capable device connected to the other', async () => {
    const device = await a.enrolledDevice();
    const client = await TestPushClient.open(b.endpoint.url, b.ca, device, undefined, '/v1/device/push?channel=2&capabilities=actions');
    expect(await next(client)).toMatchObject({ type: 'hello', channel: 2 });
    const action = await a.admin.ok<{ id: string }>('POST', `/devices/${device.deviceId}/runAntivirusScan`, { comment: 'from a' });
    let message = await next(client);
    for (let i = 0; i < 5 && message.type !== 'actions'; i++) message = await next(client);
    expect(message.type === 'actions' ? message.actions.map((e) => e.payload.actionId) : message).toEqual([action.id]);
    client.close();
  });

  it('forgets on every replica a device deleted through one: its socket on the other closes, its decision goes', async () => {
    const device = await a.enrolledDevice();
    const client = await TestPushClient.open(b.endpoint.url, b.ca, device, undefined, '/v1/device/push?channel=2');
    expect(await next(client)).toMatchObject({ type: 'hello' });
    const token = (await readFile(join(a.dir, 'admin.token'), 'utf8')).trim();
    const ask = async () =>
      (await httpsRequest(b.endpoint.url, b.ca, 'GET', `/v1/access/devices/${device.deviceId}`, { headers: { authorization: `Bearer ${token}` } })).status;
    let end = Date.now() + 5_000;
    while ((await ask()) !== 200 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(await ask()).toBe(200);
    expect((await a.admin.call('DELETE', `/devices/${device.deviceId}`)).status).toBe(204);
    expect(await client.closed).toEqual({ code: PUSH_CLOSE.revoked, reason: 'device deleted' });
    end = Date.now() + 5_000;
    while ((await ask()) !== 404 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(await ask()).toBe(404);
  });

  it('tells an admin asking one replica that a device is connected to the other, and when it no longer is', async () => {
    const device = await a.enrolledDevice();
    const connected = async () => (await a.admin.ok<{ connected: boolean }>('GET', `/devices/${device.deviceId}`)).connected;
    expect(await connected()).toBe(false);
    const client = await TestPushClient.open(b.endpoint.url, b.ca, device, undefined, '/v1/device/push?channel=2');
    expect(await next(client)).toMatchObject({ type: 'hello' });
    await b.endpoint.context.presence?.sync();
    expect(await connected()).toBe(true);
    // "Sync now" through A reaches the socket on B, and A says so.
    expect(await a.admin.ok('POST', `/devices/${device.deviceId}/sync`, {})).toEqual({ delivered: true });
    expect(await next(client)).toMatchObject({ type: 'policies', reason: 'admin-request' });
    const listed = await a.admin.ok<{ devices: { deviceId: string; connected: boolean }[] }>('GET', '/devices');
    expect(listed.devices.find((d) => d.deviceId === device.deviceId)?.connected).toBe(true);
    client.close();
    await client.closed;
    const end = Date.now() + 5_000;
    while (b.endpoint.context.hub.isConnected(device.deviceId) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await b.endpoint.context.presence?.sync();
    expect(await connected()).toBe(false);
  });

  it('accepts on every replica an access token created through one, and refuses it everywhere once revoked', async () => {
    const device = await a.enrolledDevice();
    const created = await a.admin.ok<{ tokenId: string; token: string }>('POST', '/access-tokens', { description: 'gateway' });
    const ask = async () =>
      (await httpsRequest(b.endpoint.url, b.ca, 'GET', `/v1/access/devices/${device.deviceId}`, { headers: { authorization: `Bearer ${created.token}` } }))
        .status;
    await b.endpoint.context.accessTokens.refresh();
    // B knows the device's decision once A's evaluation at enrollment reached it over the bus.
    const end = Date.now() + 5_000;
    while ((await ask()) !== 200 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(await ask()).toBe(200);
    await a.admin.ok('DELETE', `/access-tokens/${created.tokenId}`);
    await b.endpoint.context.accessTokens.refresh();
    expect(await ask()).toBe(401);
  });

  it('switches every replica to a policy-signing key rotated through one of them', async () => {
    const before = b.endpoint.context.signingKeys.active().keyId;
    await a.admin.ok('POST', '/signing-key/rotate', { now: true });
    const rotated = a.endpoint.context.signingKeys.active().keyId;
    expect(rotated).not.toBe(before);
    const end = Date.now() + 10_000;
    while (b.endpoint.context.signingKeys.active().keyId !== rotated && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(b.endpoint.context.signingKeys.active().keyId).toBe(rotated);
    expect(b.endpoint.context.signingKeys.announcements()).toEqual(a.endpoint.context.signingKeys.announcements());
  });

  it('refuses to start with another key-encryption key, naming both key ids, and changes nothing', async () => {
    const other = join(kekDir, 'other');
    await generateKekFile(other);
    const before = await a.endpoint.context.store.listSecrets();
    const failed = await startTestEndpoint({ databaseUrl, keyEncryptionKeyFile: other, adminTokenFile: join(a.dir, 'admin.token') }).then(
      (t) => t.close().then(() => 'started'),
      (err: { code?: string; message: string }) => `${err.code}: ${err.message}`,
    );
    expect(failed).toMatch(/^KEY_ENCRYPTION_KEY_WRONG: .*encrypted with key-encryption key [0-9a-f]{16}; the key given is [0-9a-f]{16}/);
    expect(await a.endpoint.context.store.listSecrets()).toEqual(before);
  });

  it('rotates the key-encryption key in one go: a replica starts with the new key, the old one is refused', async () => {
    const next = join(kekDir, 'next');
    await generateKekFile(next);
    expect(await rotateKek(databaseUrl, keyEncryptionKeyFile, next)).toBe(3);
    const c = await startTestEndpoint({ databaseUrl, keyEncryptionKeyFile: next, adminTokenFile: join(a.dir, 'admin.token') });
    try {
      expect(c.endpoint.identity.caPin).toBe(a.endpoint.identity.caPin);
    } finally {
      await c.close();
    }
    await expect(startTestEndpoint({ databaseUrl, keyEncryptionKeyFile, adminTokenFile: join(a.dir, 'admin.token') })).rejects.toMatchObject({
      code: 'KEY_ENCRYPTION_KEY_WRONG',
    });
  });

  it('refuses to start a data dir that ran on SQLite (its CA key) on a database without a CA, naming the file', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'attache-was-sqlite-'));
    try {
      await writeFile(join(dataDir, 'ca-key.pem'), 'a CA key devices pin');
      const started = startEndpoint(
        { dataDir, databaseUrl: await cluster.createDatabase(), keyEncryptionKeyFile, listenHost: '127.0.0.1', listenPort: 0, admission: false },
        { logger: createSilentLogger() },
      );
      await expect(started).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining(join(dataDir, 'ca-key.pem')) });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
