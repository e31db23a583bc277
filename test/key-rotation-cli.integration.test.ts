// Key rotation through the shipped processes: `attache-agent rotate-key` through a running daemon, an admin's
// `attache-admin device rotate-key` reaching the daemon over push, and `attache-admin signing-key rotate --now`
// followed by the daemon (its policies re-signed, still applied). The old device key is refused afterwards; a daemon
// killed (-9) after the endpoint switched keys finishes the rotation when it starts again.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointClient } from '../agent/src/transport/endpoint-client.js';
import { deviceKeyRotationProofString, generateEd25519KeyPair, keyIdOf, privateKeyFromPem, signBytes } from '../common/signing.js';
import { adminCliRunner } from '../management/src/admin-cli/testing/cli-runner.js';
import {
  agentCommand,
  assignLinuxAntivirus,
  type Endpoint,
  enrollSimulatedAgent,
  type Proc,
  removeDir,
  startAgent,
  startEndpoint,
  tempDir,
  waitFor,
} from './harness.js';

let dir: string;
let endpoint: Endpoint;
let agent: Proc | undefined;

beforeAll(async () => {
  dir = await tempDir('keyrot-cli');
  endpoint = await startEndpoint(join(dir, 'endpoint'));
});

afterAll(async () => {
  await agent?.stop();
  await endpoint?.stop();
  await removeDir(dir);
});

const stateFile = async (name: string) => readFile(join(dir, 'agent', name), 'utf8');
const publicKey = async () => JSON.parse(await stateFile('identity.json')).publicKey as string;

describe('key rotation through the CLIs', () => {
  it('rotates the device key on command and on admin request, and follows a forced signing-key rotation', async () => {
    const admin = endpoint.admin;
    const { json } = adminCliRunner(() => endpoint.dataDir);
    const { args, deviceId, caCertificate } = await enrollSimulatedAgent(dir, endpoint);
    agent = startAgent(args);
    const { policy, doc } = await assignLinuxAntivirus(admin, deviceId);
    const status = () => admin.ok('GET', `/v1/admin/devices/${deviceId}/status`);
    await waitFor('v1 applied', async () => ((await status()).policies[0]?.state === 'succeeded' ? true : undefined), 30_000);
    await waitFor('push connected', async () => ((await admin.ok('GET', `/v1/admin/devices/${deviceId}`)).connected ? true : undefined), 30_000);

    // 1. On command, through the daemon.
    const oldPem = await stateFile('device-key.pem');
    const before = await publicKey();
    const rotated = await agentCommand([...args, 'rotate-key', '--json']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const result = JSON.parse(rotated.stdout);
    expect(result.rotatedBy).toBe('daemon');
    expect(keyIdOf(await publicKey())).toBe(result.keyId);
    expect(await publicKey()).not.toBe(before);
    const old = new EndpointClient({ endpointUrl: endpoint.url, caCertificate, credentials: { deviceId, privateKey: privateKeyFromPem(oldPem) } });
    try {
      await expect(old.getPolicies(undefined)).rejects.toMatchObject({ code: 'REQUEST_SIGNATURE_INVALID' });
    } finally {
      old.close();
    }

    // 2. On an admin's request: the push nudge makes the daemon fetch, see the request and rotate.
    const second = await publicKey();
    await waitFor('push reconnected', async () => ((await admin.ok('GET', `/v1/admin/devices/${deviceId}`)).connected ? true : undefined), 30_000);
    const mark = await json<{ nudged: boolean }>('device', 'rotate-key', deviceId);
    expect(mark.nudged).toBe(true);
    await waitFor('key rotated on request', async () => ((await publicKey()) !== second ? true : undefined), 30_000);

    // 3. A forced signing-key rotation: the daemon pins the new key from the announcement and keeps its policy applied.
    await waitFor('push reconnected', async () => ((await admin.ok('GET', `/v1/admin/devices/${deviceId}`)).connected ? true : undefined), 30_000);
    const announced = await json<{ payload: { newKeyId: string } }>('signing-key', 'rotate', '--now');
    await waitFor('new signing key pinned', async () => {
      const pins = JSON.parse(await stateFile('signing-keys.json').catch(() => '{"keys":[]}')).keys as { keyId: string }[];
      return pins.length === 1 && pins[0]?.keyId === announced.payload.newKeyId ? true : undefined;
    });
    const shown = await json<{ activeKeyId: string }>('signing-key', 'show');
    expect(shown.activeKeyId).toBe(announced.payload.newKeyId);
    await admin.ok('PUT', `/v1/admin/policies/${policy.policyId}`, doc);
    await waitFor(
      'v2 applied with the new key',
      async () => {
        const s = await status();
        return s.policies[0]?.reportedVersion === 2 && s.policies[0]?.state === 'succeeded' && !s.lastSyncError ? true : undefined;
      },
      30_000,
    );

    // 4. kill -9 mid-rotation: the new key is on disk and the endpoint switched to it, but the answer never arrived.
    //    The restarted daemon is refused with the old key, confirms with the new one and carries on.
    agent.child.kill('SIGKILL');
    await agent.stop();
    const next = generateEd25519KeyPair();
    await writeFile(join(dir, 'agent', 'device-key.next.pem'), next.privateKeyPem, { mode: 0o600 });
    const current = privateKeyFromPem(await stateFile('device-key.pem'));
    const requestedAt = new Date().toISOString();
    const proof = signBytes(
      privateKeyFromPem(next.privateKeyPem),
      deviceKeyRotationProofString({ deviceId, currentPublicKey: await publicKey(), newPublicKey: next.publicKey, requestedAt }),
    );
    const lost = new EndpointClient({ endpointUrl: endpoint.url, caCertificate, credentials: { deviceId, privateKey: current } });
    try {
      await lost.rotateDeviceKey({ publicKey: next.publicKey, requestedAt, proof });
    } finally {
      lost.close();
    }
    agent = startAgent(args);
    await waitFor('rotation finished after the restart', async () => ((await publicKey()) === next.publicKey ? true : undefined), 30_000);
    expect(await stateFile('device-key.pem')).toBe(next.privateKeyPem);
    await expect(stateFile('device-key.next.pem')).rejects.toMatchObject({ code: 'ENOENT' });
    const synced = await agentCommand([...args, 'sync', '--json']);
    expect(synced.code, synced.stderr).toBe(0);
    expect(JSON.parse(synced.stdout).error).toBeUndefined();
  });
});
