// Several endpoint URLs, end to end on loopback: the endpoint lists its alternate URLs in every onboarding package and
// covers their hosts with its certificate; the agent's own enrollment, transport and sync code enroll and sync through
// the second URL while the first is a closed port, the push socket follows, and both return to the first URL once it
// listens (a TCP forwarder to the live endpoint: TLS end to end, as a load balancer in TCP mode). An HTTP error answer
// (503 ENDPOINT_BUSY) keeps the agent where it is; a certificate from another CA moves it on.
import { randomUUID, X509Certificate } from 'node:crypto';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enroll } from '../agent/src/enrollment/enroll.js';
import { silentLogger } from '../agent/src/logging.js';
import { selectHost } from '../agent/src/platform/index.js';
import { StateStore } from '../agent/src/state/state-store.js';
import { SyncEngine } from '../agent/src/sync/sync-engine.js';
import { EndpointClient } from '../agent/src/transport/endpoint-client.js';
import { PushClient } from '../agent/src/transport/push-client.js';
import { privateKeyFromPem } from '../common/signing.js';
import { onboardingSummary } from '../management/src/admin-cli/views.js';
import { startEndpoint } from '../management/src/endpoint.js';
import { createSilentLogger } from '../management/src/logging.js';
import { createCa, issueServerCertificate } from '../management/src/pki/certificates.js';
import type { TestDevice } from '../management/src/testing/https-client.js';
import { startTestEndpoint, type TestEndpoint } from '../management/src/testing/test-endpoint.js';
import { freePort, removeDir, startEndpoint as startServeProcess, tempDir, waitFor } from './harness.js';

let te: TestEndpoint;
let dir: string;

beforeAll(async () => {
  te = await startTestEndpoint();
  dir = await tempDir('failover');
});

afterAll(async () => {
  await te?.close();
  await removeDir(dir);
});

/** A TCP forwarder on `port` to the endpoint: the first URL "comes back" when it listens. Counts its open connections. */
function forwarder(port: number, upstreamPort: number): Promise<{ server: Server; open: Set<Socket> }> {
  const open = new Set<Socket>();
  const server = createServer((socket) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    open.add(socket);
    // Either side closing closes the other: the endpoint's close() waits for its connections.
    socket.on('close', () => {
      open.delete(socket);
      upstream.destroy();
    });
    upstream.on('close', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({ server, open }));
  });
}

/** An HTTPS server on loopback with `cert` that answers every request 503 with Retry-After (a busy endpoint). */
async function busyServer(cert: { certPem: string; keyPem: string }): Promise<{ url: string; requests: () => number; close(): void }> {
  let requests = 0;
  const server = createHttpsServer({ cert: cert.certPem, key: cert.keyPem }, (_req, res) => {
    requests++;
    res.writeHead(503, { 'retry-after': '7', connection: 'close' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () => server.close(),
  };
}

/** An enrolled device's client over `urls` (the first preferred), with the test endpoint's CA. */
async function deviceClient(urls: string[]): Promise<{ client: EndpointClient; policyCount: () => Promise<number> }> {
  const store = new StateStore(join(dir, randomUUID()), { posixPermissions: process.platform !== 'win32' });
  const host = selectHost({ kind: 'simulated', platform: 'linux', hostname: 'sim' });
  const identity = await enroll({ onboardingPackage: await te.onboarding() }, { store, host, now: te.now });
  const [endpointUrl = '', ...alternateEndpointUrls] = urls;
  const client = new EndpointClient(
    {
      endpointUrl,
      alternateEndpointUrls,
      caCertificate: identity.caCertificate,
      credentials: { deviceId: identity.deviceId, privateKey: privateKeyFromPem(await store.readPrivateKeyPem()) },
    },
    { now: te.now },
  );
  const policyCount = async () => {
    const res = await client.getPolicies(undefined);
    return res.notModified ? -1 : res.body.policies.length;
  };
  return { client, policyCount };
}

describe('an endpoint with alternate URLs', () => {
  it('lists them, normalised, after its public URL in every onboarding package, and its certificate covers their hosts', async () => {
    const other = await startTestEndpoint({
      publicUrl: 'https://attache.example.com:8443',
      alternateUrls: ['https://replica-2.example.com:8443/', 'https://[::1]:9443'],
    });
    try {
      const pkg = await other.onboarding();
      expect(pkg.endpointUrl).toBe('https://attache.example.com:8443');
      expect(pkg.alternateEndpointUrls).toEqual(['https://replica-2.example.com:8443', 'https://[::1]:9443']);
      // The admin CLI's summary of a written package shows them where it shows the endpoint.
      expect(onboardingSummary(pkg, 'onboarding.json')).toMatch(/alternate URLs: +https:\/\/replica-2\.example\.com:8443, https:\/\/\[::1\]:9443\n/);
      const names = new X509Certificate(other.endpoint.identity.serverCertPem).subjectAltName ?? '';
      expect(names).toContain('DNS:replica-2.example.com');
      expect(names).toContain('IP Address:0:0:0:0:0:0:0:1');
    } finally {
      await other.close();
    }
  });

  it('serve --alternate-url (repeatable) puts them in the packages it issues', async () => {
    const served = await startServeProcess(join(dir, randomUUID()), [
      '--alternate-url',
      'https://replica-2.example.com:8443',
      '--alternate-url',
      'https://lb.example.com',
    ]);
    try {
      const pkg = await served.admin.ok('POST', '/v1/admin/onboarding-packages', {});
      expect(pkg.alternateEndpointUrls).toEqual(['https://replica-2.example.com:8443', 'https://lb.example.com']);
    } finally {
      await served.stop();
    }
  });

  it('refuses a plain-http alternate URL and one equal to the public URL, naming it', async () => {
    const start = (alternateUrls: string[]) =>
      startEndpoint({ dataDir: join(dir, randomUUID()), publicUrl: 'https://a.example', alternateUrls, listenPort: 0 }, { logger: createSilentLogger() });
    await expect(start(['http://b.example'])).rejects.toThrow(/http:\/\/b\.example must use https/);
    await expect(start(['https://a.example/'])).rejects.toThrow(/https:\/\/a\.example is listed twice or is the public URL/);
  });
});

describe('an agent whose preferred URL is down', () => {
  it('enrolls and syncs through the second URL, the push socket follows, and all return to the first once it listens', async () => {
    const firstPort = await freePort();
    const first = `https://127.0.0.1:${firstPort}`;
    const pkg = await te.onboarding();
    const second = pkg.endpointUrl;
    const store = new StateStore(join(dir, randomUUID()), { posixPermissions: process.platform !== 'win32' });
    const host = selectHost({ kind: 'simulated', platform: 'linux', hostname: 'sim' });
    const identity = await enroll({ onboardingPackage: { ...pkg, endpointUrl: first, alternateEndpointUrls: [second] } }, { store, host, now: te.now });
    expect(identity.endpointUrl).toBe(first);
    expect(identity.alternateEndpointUrls).toEqual([second]);
    const { policy } = await te.assignedPolicy([{ deviceId: identity.deviceId } as TestDevice]);

    const client = new EndpointClient(
      {
        endpointUrl: first,
        alternateEndpointUrls: [second],
        caCertificate: identity.caCertificate,
        credentials: { deviceId: identity.deviceId, privateKey: privateKeyFromPem(await store.readPrivateKeyPem()) },
        preferredRetryMs: 200,
      },
      { now: te.now },
    );
    const engine = new SyncEngine({ store, client, host, identity, now: te.now, newId: randomUUID, logger: silentLogger() });
    const opened: string[] = [];
    const push = new PushClient(client, {
      onSync() {},
      onPolicies() {},
      onState: (state) => {
        if (state === 'connected') opened.push(client.url.origin);
      },
      onInvalidMessage() {},
    });
    let back: Awaited<ReturnType<typeof forwarder>> | undefined;
    try {
      const viaSecond = await engine.sync('manual');
      expect(viaSecond.error).toBeUndefined();
      expect(viaSecond.policies.map((p) => p.policyId)).toEqual([policy.policyId]);
      expect(client.url.origin).toBe(new URL(second).origin);
      push.start();
      await waitFor('push channel open on the second URL', async () => push.ready || undefined);

      back = await forwarder(firstPort, Number(new URL(second).port));
      await waitFor('back on the first URL', async () => client.url.origin === first || undefined, 10_000);
      const forwarded = back.open;
      // The socket on the second URL was closed to follow, and opened again on the first (through the forwarder).
      await waitFor('push channel open through the first URL', async () => (push.ready && opened.length === 2) || undefined, 10_000);
      expect(opened).toEqual([new URL(second).origin, first]);
      const viaFirst = await engine.sync('manual');
      expect(viaFirst.error).toBeUndefined();
      expect(client.url.origin).toBe(first);
      expect(forwarded.size).toBeGreaterThan(0);
    } finally {
      push.stop();
      client.close();
      back?.server.close();
      for (const socket of back?.open ?? []) socket.destroy();
    }
  });
});

describe('what moves the agent to the next URL', () => {
  it('not an HTTP error answer: a busy endpoint (503, Retry-After) is reachable, the agent stays and waits', async () => {
    const busy = await busyServer({ certPem: te.endpoint.identity.serverCertPem, keyPem: te.endpoint.identity.serverKeyPem });
    const { client } = await deviceClient([busy.url, te.endpoint.url]);
    try {
      await expect(client.getPolicies(undefined)).rejects.toMatchObject({ code: 'ENDPOINT_BUSY', retryAfterMs: 7000 });
      expect(busy.requests()).toBe(1);
      expect(client.url.origin).toBe(busy.url);
    } finally {
      client.close();
      busy.close();
    }
  });

  it('a certificate that does not chain to the pinned CA: the request goes on to the next URL', async () => {
    const impostorCa = await createCa('impostor CA', new Date());
    const impostor = await busyServer(await issueServerCertificate(impostorCa, ['127.0.0.1'], new Date()));
    const { client, policyCount } = await deviceClient([impostor.url, te.endpoint.url]);
    try {
      expect(await policyCount()).toBe(0);
      expect(impostor.requests()).toBe(0);
      expect(client.url.origin).toBe(te.endpoint.url);
    } finally {
      client.close();
      impostor.close();
    }
  });

  it('with every URL unreachable, one attempt per URL, then ENDPOINT_UNREACHABLE for the caller to back off', async () => {
    const closed = [`https://127.0.0.1:${await freePort()}`, `https://127.0.0.1:${await freePort()}`];
    const { client } = await deviceClient(closed);
    try {
      await expect(client.getPolicies(undefined)).rejects.toMatchObject({ code: 'ENDPOINT_UNREACHABLE' });
      // Moved once per failed URL: around the list and back to the preferred one.
      expect(client.url.origin).toBe(closed[0]);
    } finally {
      client.close();
    }
  });
});
