// Delivery of risk signals over real HTTPS (a local test server with its own CA, checking every device signature):
// queued on disk first, sent at once, retried with backoff until acknowledged (time driven by a manual clock),
// routes the endpoint lacks retried rather than dropped, messages it refuses dropped, health superseded, and what
// is queued survives a restart.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { equalJitterDelayMs } from '../agent/src/core/backoff.js';
import { silentLogger } from '../agent/src/logging.js';
import { SIGNAL_RETRY_BACKOFF, SignalDelivery } from '../agent/src/risk/signal-delivery.js';
import { StateStore } from '../agent/src/state/state-store.js';
import { EndpointClient } from '../agent/src/transport/endpoint-client.js';
import { generateEd25519KeyPair, privateKeyFromPem, publicKeyFromRaw, requestSigningString, verifyBytes } from '../common/signing.js';
import { ManualClock } from '../common/testing/manual-clock.js';
import { validate } from '../common/validation.js';
import { type CertificateAndKey, createCa, issueServerCertificate } from '../management/src/pki/certificates.js';
import { type Alert, AlertReport, type DeviceHealth, HealthUpload, InventoryUpload } from '../policy-schemas/src/index.js';
import { removeDir, tempDir } from './harness.js';

const DEVICE = '55555555-5555-4555-8555-555555555555';
const keys = generateEd25519KeyPair();
const SCHEMAS = { '/v1/device/alerts': AlertReport, '/v1/device/health': HealthUpload, '/v1/device/inventory': InventoryUpload } as const;

interface Received {
  readonly path: string;
  readonly body: any;
  readonly signed: boolean;
}

/** What the server answers next, per request: 'ok', an HTTP error status with an error code, or 'drop' (socket destroyed). */
let script: (string | { status: number; code: string })[] = [];
const received: Received[] = [];
let ca: CertificateAndKey;
let server: Server;
let url: string;

beforeAll(async () => {
  ca = await createCa('test CA', new Date());
  const cert = await issueServerCertificate(ca, ['127.0.0.1'], new Date());
  server = createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const h = req.headers;
      const signingText = requestSigningString({
        method: req.method ?? '',
        path: req.url ?? '',
        deviceId: String(h['x-attache-device']),
        time: String(h['x-attache-time']),
        nonce: String(h['x-attache-nonce']),
        body: text,
      });
      const signed = verifyBytes(publicKeyFromRaw(keys.publicKey), signingText, String(h['x-attache-signature']));
      const step = script.shift() ?? 'ok';
      if (step === 'drop') return req.socket.destroy();
      const body = JSON.parse(text);
      received.push({ path: req.url ?? '', body, signed });
      if (typeof step === 'object') {
        res.writeHead(step.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: step.code, message: 'scripted' } }));
        return;
      }
      validate(SCHEMAS[req.url as keyof typeof SCHEMAS], body, req.url ?? '');
      if (req.url === '/v1/device/alerts') {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ reportId: body.reportId, duplicate: false, stale: false, riskLevel: body.riskLevel }));
      } else res.writeHead(204).end();
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((res) => server.close(res));
});

let dir: string;
let store: StateStore;
let clock: ManualClock;
let client: EndpointClient;
const acks: string[] = [];

function delivery(random = 0): SignalDelivery {
  return new SignalDelivery({
    store,
    client,
    clock,
    random: () => random,
    newId: randomUUID,
    logger: silentLogger(),
    onAlertsAcked: (ack) => acks.push(ack.reportId),
  });
}

const alert: Alert = {
  alertId: 'indicator.0123456789abcdef0123456789abcdef',
  category: 'indicator',
  severity: 'high',
  title: 'Coin miner',
  evidence: { processName: 'xmrig', pids: '42' },
  firstSeen: '2026-12-01T00:00:00.000Z',
  lastSeen: '2026-12-01T00:00:00.000Z',
  status: 'active',
};
const report = () => ({
  kind: 'alerts' as const,
  body: { reportId: randomUUID(), deviceId: DEVICE, generatedAt: new Date().toISOString(), riskLevel: 'high' as const, alerts: [alert] },
});
const health = (enabled: boolean) => {
  const h: DeviceHealth = {
    collectedAt: new Date().toISOString(),
    antivirus: { source: 'simulated', mode: 'active', realTimeProtection: true, tamperProtection: false },
    firewall: { source: 'simulated', enabled },
  };
  return { kind: 'health' as const, body: { deviceId: DEVICE, health: h } };
};
const queued = async () => (await store.pendingSignals()).map((p) => p.message.kind);

beforeEach(async () => {
  dir = await tempDir('delivery');
  store = new StateStore(dir, { posixPermissions: true });
  await store.init();
  clock = new ManualClock(Date.parse('2026-12-01T00:00:00Z'));
  client = new EndpointClient({
    endpointUrl: url,
    caCertificate: ca.certPem,
    credentials: { deviceId: DEVICE, privateKey: privateKeyFromPem(keys.privateKeyPem) },
  });
  script = [];
  received.length = 0;
  acks.length = 0;
});

afterEach(async () => {
  client.close();
  await removeDir(dir);
});

describe('signal delivery', () => {
  it('sends an alert report at once, signed, and forgets it once acknowledged', async () => {
    const d = delivery();
    const r = report();
    await d.enqueue(r);
    await d.idle();
    expect(received).toEqual([{ path: '/v1/device/alerts', body: r.body, signed: true }]);
    expect(acks).toEqual([r.body.reportId]);
    expect(await queued()).toEqual([]);
    expect(d.lastError).toBeUndefined();
  });

  it('keeps messages on disk through failures and retries them in order with growing delays until acknowledged', async () => {
    script = [{ status: 503, code: 'ENDPOINT_UNREACHABLE' }, 'drop', { status: 500, code: 'INTERNAL' }];
    const d = delivery();
    const first = report();
    await d.enqueue(first);
    await d.idle();
    await d.enqueue(health(true));
    await d.idle();
    expect(await queued()).toEqual(['alerts', 'health']);
    expect(d.lastError).toMatch(/^ENDPOINT_UNREACHABLE/);
    // Each retry waits at least half of base·2^(n-1) (equal jitter): nothing happens before the delay is over.
    for (const attempt of [1, 2]) {
      const delay = equalJitterDelayMs(attempt - 1, SIGNAL_RETRY_BACKOFF, () => 0);
      await clock.advance(delay - 1);
      await d.idle();
      expect(await queued()).toEqual(['alerts', 'health']);
      await clock.advance(1);
      await d.idle();
    }
    expect(await queued()).toEqual(['alerts', 'health']);
    await clock.advance(equalJitterDelayMs(2, SIGNAL_RETRY_BACKOFF, () => 0));
    await d.idle();
    expect(await queued()).toEqual([]);
    expect(received.every((r) => r.signed)).toBe(true);
    expect(received.slice(-2).map((r) => r.path)).toEqual(['/v1/device/alerts', '/v1/device/health']);
    expect(received.at(-2)?.body.reportId).toBe(first.body.reportId);
    expect(clock.pendingTimers).toBe(0);
  });

  it('retries a route the endpoint does not have yet, and drops a message the endpoint refuses for good', async () => {
    script = [{ status: 404, code: 'NOT_FOUND' }];
    const d = delivery();
    await d.enqueue(report());
    await d.idle();
    expect(await queued()).toEqual(['alerts']);
    await clock.advance(equalJitterDelayMs(0, SIGNAL_RETRY_BACKOFF, () => 0));
    await d.idle();
    expect(await queued()).toEqual([]);

    script = [{ status: 400, code: 'SCHEMA_INVALID' }];
    const refused = report();
    const next = report();
    await d.enqueue(refused);
    await d.idle();
    await d.enqueue(next);
    await d.idle();
    expect(await queued()).toEqual([]);
    expect(acks.at(-1)).toBe(next.body.reportId);
    expect(acks).not.toContain(refused.body.reportId);
  });

  it('sends only the newest health while the endpoint is away, and resends what is queued after a restart', async () => {
    script = ['drop', 'drop', 'drop'];
    const d = delivery();
    await d.enqueue(health(true));
    await d.idle();
    await d.enqueue(health(false));
    await d.idle();
    await d.enqueue({ kind: 'inventory', body: { deviceId: DEVICE, inventory: inventory() } });
    await d.idle();
    expect(await queued()).toEqual(['health', 'inventory']);
    await d.stop();

    // A new agent process: a fresh delivery over the same state dir sends the queue, oldest first.
    const restarted = delivery();
    await restarted.flush();
    expect(await queued()).toEqual([]);
    const sent = received.slice(-2);
    expect(sent.map((r) => r.path)).toEqual(['/v1/device/health', '/v1/device/inventory']);
    expect(sent[0]?.body.health.firewall.enabled).toBe(false);
  });
});

function inventory() {
  return {
    collectedAt: new Date().toISOString(),
    hash: 'a'.repeat(64),
    agentVersion: '0.1.0',
    hostname: 'sim',
    os: { platform: 'linux' as const, arch: 'x64' },
    hardware: {},
    network: [],
    diskEncryption: { state: 'unknown' as const },
  };
}
