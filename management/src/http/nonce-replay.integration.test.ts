// Replay across restarts: a captured signed request (and a captured push upgrade) is refused by a restarted endpoint on
// the same data dir, and by a second endpoint sharing the database, because used nonces live in the store.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNED_REQUEST_HEADERS } from '../../../common/signing.js';
import { type RunningEndpoint, startEndpoint } from '../endpoint.js';
import { createSilentLogger } from '../logging.js';
import { dataPath } from '../pki/files.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import { TestAdmin } from '../testing/admin-api.js';
import { errorCode, TestDevice } from '../testing/https-client.js';
import { TestPushClient } from '../testing/push-client.js';

let dir: string;
let endpoint: RunningEndpoint;

const start = () => startEndpoint({ dataDir: dir, listenHost: '127.0.0.1', listenPort: 0 }, { logger: createSilentLogger() });

async function enrolledDevice(): Promise<TestDevice> {
  const admin = new TestAdmin(endpoint.url, endpoint.identity.caCertPem, (await readFile(join(dir, 'admin.token'), 'utf8')).trim());
  const pkg = await admin.ok<{ enrollmentToken: string }>('POST', '/onboarding-packages', {});
  const device = new TestDevice(endpoint.url, endpoint.identity.caCertPem);
  expect((await device.enroll(pkg.enrollmentToken)).status).toBe(201);
  return device;
}

// The same device talking to the endpoint now listening (a restart picks another port; the signature covers the path only).
function againstCurrent(device: TestDevice): TestDevice {
  const now = new TestDevice(endpoint.url, endpoint.identity.caCertPem);
  return Object.assign(now, { deviceId: device.deviceId, privateKey: device.privateKey, publicKey: device.publicKey });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attache-replay-'));
  endpoint = await start();
});

afterAll(async () => {
  await endpoint.close();
  await rm(dir, { recursive: true, force: true });
});

describe('used nonces survive a restart', () => {
  it('refuses a captured signed request and a captured push upgrade after the endpoint restarts', async () => {
    const device = await enrolledDevice();
    const captured = device.signedHeaders('GET', '/v1/device/policies', '');
    expect((await device.send('GET', '/v1/device/policies', '', captured)).status).toBe(200);
    const upgrade = device.signedHeaders('GET', '/v1/device/push', '');
    const push = await TestPushClient.open(endpoint.url, endpoint.identity.caCertPem, device, upgrade);
    push.close();
    await push.closed;

    await endpoint.close();
    endpoint = await start();
    const same = againstCurrent(device);

    const replay = await same.send('GET', '/v1/device/policies', '', captured);
    expect(replay.status).toBe(401);
    expect(errorCode(replay)).toBe('REQUEST_REPLAYED');
    await expect(TestPushClient.open(endpoint.url, endpoint.identity.caCertPem, same, upgrade)).rejects.toThrow('upgrade refused: 401');
    // Fresh requests of the device still work.
    expect((await same.get('/v1/device/policies')).status).toBe(200);
  });

  it('shares used nonces with another store on the same database (a second replica)', async () => {
    const device = await enrolledDevice();
    const replica = await openSqliteStore({ file: dataPath(dir, 'db') });
    try {
      const headers = device.signedHeaders('GET', '/v1/device/policies', '');
      // The replica accepted this request first: the endpoint must refuse it.
      expect(await replica.claimNonce(device.deviceId, headers[SIGNED_REQUEST_HEADERS.nonce] as string, Date.now() + 300_000)).toBe(true);
      const res = await device.send('GET', '/v1/device/policies', '', headers);
      expect(errorCode(res)).toBe('REQUEST_REPLAYED');
    } finally {
      await replica.close();
    }
  });
});
