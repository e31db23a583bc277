// Investigation packages and durability over the real endpoint (issue 17): a chunked upload resumes at the stored
// offset (409 with receivedBytes otherwise), a wrong SHA-256 is discarded (422), the admin download is byte for byte
// the upload with its hash header, audited; the endpoint restarted on the same data dir keeps actions, results and
// packages; the package cap comes from the endpoint config (actions.packageMaxBytes).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineAction } from '../../../policy-schemas/src/index.js';
import { type RunningEndpoint, startEndpoint } from '../endpoint.js';
import { createSilentLogger } from '../logging.js';
import { adminBytes, postUpdates, putChunk } from '../testing/action-device.js';
import { TestAdmin } from '../testing/admin-api.js';
import { errorCode, TestDevice, type TestResponse } from '../testing/https-client.js';

const MAX_BYTES = 256 * 1024;
let dir: string;
let endpoint: RunningEndpoint;
let admin: TestAdmin;
let token: string;

async function start(): Promise<void> {
  endpoint = await startEndpoint(
    { dataDir: dir, listenHost: '127.0.0.1', listenPort: 0, admission: false, actions: { packageMaxBytes: MAX_BYTES } },
    { logger: createSilentLogger() },
  );
  token = (await readFile(join(dir, 'admin.token'), 'utf8')).trim();
  admin = new TestAdmin(endpoint.url, endpoint.identity.caCertPem, token);
}

// The same device talking to the endpoint now listening (a restart picks another port; the signature covers the path only).
function againstCurrent(device: TestDevice): TestDevice {
  const now = new TestDevice(endpoint.url, endpoint.identity.caCertPem);
  return Object.assign(now, { deviceId: device.deviceId, privateKey: device.privateKey, publicKey: device.publicKey });
}

async function enrolledDevice(hostname = 'ws-042'): Promise<TestDevice> {
  const pkg = await admin.ok<{ enrollmentToken: string }>('POST', '/onboarding-packages', {});
  const device = new TestDevice(endpoint.url, endpoint.identity.caCertPem, {
    hostname,
    platform: 'linux',
    osVersion: '6.1',
    arch: 'x64',
    agentVersion: '0.1.0',
  });
  expect((await device.enroll(pkg.enrollmentToken)).status).toBe(201);
  return device;
}

const put = (device: TestDevice, actionId: string, q: { offset: number; size: number; sha256: string }, data: Buffer) =>
  putChunk(endpoint.url, endpoint.identity.caCertPem, device, actionId, q, data);
const refused = (res: TestResponse) => [res.status, errorCode(res)];
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-actions-'));
  await start();
});
afterAll(async () => {
  await endpoint?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('investigation package upload', () => {
  it('resumes at the stored offset, refuses another one, and serves the exact bytes to the admin with their hash', async () => {
    const device = await enrolledDevice('ws-042.corp_x');
    const action = await admin.ok<MachineAction>('POST', `/devices/${device.deviceId}/collectInvestigationPackage`, { comment: 'triage' });
    expect(action.parameters).toEqual({ maxBytes: MAX_BYTES });
    const bytes = randomBytes(150_000);
    const q = (offset: number) => ({ offset, size: bytes.length, sha256: sha(bytes) });
    expect((await put(device, action.id, q(0), bytes.subarray(0, 60_000))).body).toEqual({ receivedBytes: 60_000, complete: false });
    // A broken connection: the agent asks where to resume.
    expect((await device.get(`/v1/device/actions/${action.id}/package`)).body).toEqual({ receivedBytes: 60_000, sizeBytes: bytes.length, complete: false });
    const wrongOffset = await put(device, action.id, q(50_000), bytes.subarray(50_000, 100_000));
    expect(refused(wrongOffset)).toEqual([409, 'PACKAGE_OFFSET_MISMATCH']);
    expect(JSON.stringify(wrongOffset.body)).toContain('"receivedBytes"');
    const early = await adminBytes(endpoint.url, endpoint.identity.caCertPem, token, `/actions/${action.id}/package`);
    expect([early.status, (JSON.parse(early.bytes.toString('utf8')) as { error: { code: string } }).error.code]).toEqual([404, 'PACKAGE_NOT_AVAILABLE']);
    expect((await put(device, action.id, q(60_000), bytes.subarray(60_000))).body).toEqual({ receivedBytes: bytes.length, complete: true });

    const result = { sizeBytes: bytes.length, sha256: sha(bytes), entries: 9, truncated: false };
    expect((await postUpdates(device, [{ actionId: action.id, sequence: 1, status: 'succeeded', result }])).status).toBe(200);
    const done = await admin.ok<MachineAction>('GET', `/actions/${action.id}`);
    expect(done).toMatchObject({ status: 'succeeded', result, package: { receivedBytes: bytes.length, sizeBytes: bytes.length, available: true } });

    const download = await adminBytes(endpoint.url, endpoint.identity.caCertPem, token, `/actions/${action.id}/package`);
    expect(download.status).toBe(200);
    expect(download.bytes.equals(bytes)).toBe(true);
    expect(download.headers['content-type']).toBe('application/gzip');
    expect(download.headers['x-attache-package-sha256']).toBe(sha(bytes));
    expect(download.headers['content-disposition']).toBe(`attachment; filename="ws-042.corp_x-${action.id}.tar.gz"`);
    const audit = await admin.ok<{ entries: { action: string; target: { id: string | null }; outcome: string }[] }>(
      'GET',
      '/audit?action=action.downloadPackage',
    );
    expect(audit.entries.map((e) => [e.target.id, e.outcome])).toEqual(
      expect.arrayContaining([
        [action.id, 'success'],
        [action.id, 'failure'],
      ]),
    );
  });

  it('discards an upload whose bytes do not have the stated SHA-256 (422), and refuses one over the cap', async () => {
    const device = await enrolledDevice();
    const action = await admin.ok<MachineAction>('POST', `/devices/${device.deviceId}/collectInvestigationPackage`, { comment: 'triage' });
    const bytes = randomBytes(5000);
    const wrong = { offset: 0, size: bytes.length, sha256: sha(Buffer.from('other')) };
    expect(refused(await put(device, action.id, wrong, bytes))).toEqual([422, 'PACKAGE_HASH_MISMATCH']);
    expect((await device.get(`/v1/device/actions/${action.id}/package`)).body).toEqual({ receivedBytes: 0, sizeBytes: null, complete: false });
    expect(refused(await put(device, action.id, { offset: 0, size: MAX_BYTES + 1, sha256: sha(bytes) }, bytes))).toEqual([413, 'PACKAGE_TOO_LARGE']);
    const scan = await admin.ok<MachineAction>('POST', `/devices/${device.deviceId}/runAntivirusScan`, { comment: 'x' });
    expect(refused(await put(device, scan.id, { offset: 0, size: 10, sha256: sha(bytes) }, bytes.subarray(0, 10)))).toEqual([400, 'ACTION_INVALID']);
  });
});

describe('an endpoint restart', () => {
  it('keeps actions, their results and packages', async () => {
    const device = await enrolledDevice();
    const scan = await admin.ok<MachineAction>('POST', `/devices/${device.deviceId}/runAntivirusScan`, { comment: 'x' });
    const collect = await admin.ok<MachineAction>('POST', `/devices/${device.deviceId}/collectInvestigationPackage`, { comment: 'y' });
    const bytes = randomBytes(2048);
    await put(device, collect.id, { offset: 0, size: bytes.length, sha256: sha(bytes) }, bytes.subarray(0, 1024));
    const result = { scanType: 'quick', engine: 'simulated', durationMs: 1, threatsFound: 0, threats: [] };
    await postUpdates(device, [{ actionId: scan.id, sequence: 1, status: 'succeeded', result }]);

    await endpoint.close();
    await start();
    const again = againstCurrent(device);
    expect(await admin.ok<MachineAction>('GET', `/actions/${scan.id}`)).toMatchObject({ status: 'succeeded', result });
    expect((await again.get(`/v1/device/actions/${collect.id}/package`)).body).toEqual({ receivedBytes: 1024, sizeBytes: 2048, complete: false });
    expect((await put(again, collect.id, { offset: 1024, size: bytes.length, sha256: sha(bytes) }, bytes.subarray(1024))).body).toEqual({
      receivedBytes: 2048,
      complete: true,
    });
    const download = await adminBytes(endpoint.url, endpoint.identity.caCertPem, token, `/actions/${collect.id}/package`);
    expect(download.bytes.equals(bytes)).toBe(true);
  });
});
