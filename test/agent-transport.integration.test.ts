// The agent's transport against a hostile or impostor endpoint: malformed push messages, a certificate from another CA.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { EndpointClient, pinnedContext } from '../agent/src/transport/endpoint-client.js';
import { PushClient } from '../agent/src/transport/push-client.js';
import { generateEd25519KeyPair, privateKeyFromPem, publicKeyFromRaw, requestSigningString, verifyBytes } from '../common/signing.js';
import { type CertificateAndKey, createCa, issueServerCertificate } from '../management/src/pki/certificates.js';
import { waitFor } from './harness.js';

const DEVICE = '55555555-5555-4555-8555-555555555555';
const keys = generateEd25519KeyPair();
let ca: CertificateAndKey;
let otherCa: CertificateAndKey;
let server: Server;
let wss: WebSocketServer;
let url: string;
const received: string[] = [];
const upgrades: boolean[] = [];

beforeAll(async () => {
  ca = await createCa('test CA', new Date());
  otherCa = await createCa('impostor CA', new Date());
  const cert = await issueServerCertificate(ca, ['localhost', '127.0.0.1'], new Date());
  server = createServer({ key: cert.keyPem, cert: cert.certPem }, (_req, res) => res.writeHead(404).end());
  wss = new WebSocketServer({ server });
  wss.on('connection', (socket, req) => {
    // The upgrade must carry a valid device signature over GET /v1/device/push with an empty body.
    const h = req.headers;
    const text = requestSigningString({
      method: 'GET',
      path: req.url ?? '',
      deviceId: String(h['x-attache-device']),
      time: String(h['x-attache-time']),
      nonce: String(h['x-attache-nonce']),
      body: '',
    });
    upgrades.push(verifyBytes(publicKeyFromRaw(keys.publicKey), text, String(h['x-attache-signature'])));
    socket.on('message', (data) => received.push(data.toString()));
    socket.send('this is not json');
    socket.send(JSON.stringify({ type: 'launch-missiles' }));
    socket.send(JSON.stringify({ type: 'sync', requestId: '66666666-6666-4666-8666-666666666666', reason: 'admin-request' }));
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  wss.close();
  await new Promise((res) => server.close(res));
});

describe('agent transport', () => {
  it('ignores malformed push messages, keeps the connection, and acts on the next valid one', async () => {
    const client = new EndpointClient({
      endpointUrl: url,
      caCertificate: ca.certPem,
      credentials: { deviceId: DEVICE, privateKey: privateKeyFromPem(keys.privateKeyPem) },
    });
    const invalid: string[] = [];
    const syncs: string[] = [];
    let connects = 0;
    const push = new PushClient(client, {
      onSync: (requestId) => syncs.push(requestId),
      onState: (state) => {
        if (state === 'connected') connects++;
      },
      onInvalidMessage: (m) => invalid.push(m),
    });
    push.start();
    try {
      await waitFor('sync nudge', async () => (syncs.length > 0 ? true : undefined));
      expect(invalid).toHaveLength(2);
      expect(invalid[1]).toContain('push message is invalid');
      expect(upgrades).toEqual([true]);
      expect(connects).toBe(1);
      await waitFor('ack', async () => (received.length > 0 ? true : undefined));
      expect(JSON.parse(received[0] as string)).toEqual({ type: 'ack', requestId: '66666666-6666-4666-8666-666666666666' });
    } finally {
      push.stop();
      client.close();
    }
  });

  it('refuses an endpoint whose certificate does not chain to the pinned CA', async () => {
    const client = new EndpointClient({
      endpointUrl: url,
      caCertificate: otherCa.certPem,
      credentials: { deviceId: DEVICE, privateKey: privateKeyFromPem(keys.privateKeyPem) },
    });
    try {
      await expect(client.getPolicies(undefined)).rejects.toMatchObject({ code: 'TLS_PIN_MISMATCH' });
    } finally {
      client.close();
    }
  });

  it('shares one TLS context per pinned CA without mixing the trust of two CAs', async () => {
    expect(pinnedContext(ca.certPem)).toBe(pinnedContext(ca.certPem));
    expect(pinnedContext(otherCa.certPem)).not.toBe(pinnedContext(ca.certPem));
    const credentials = { deviceId: DEVICE, privateKey: privateKeyFromPem(keys.privateKeyPem) };
    for (let round = 0; round < 2; round++) {
      const good = new EndpointClient({ endpointUrl: url, caCertificate: ca.certPem, credentials });
      const impostor = new EndpointClient({ endpointUrl: url, caCertificate: otherCa.certPem, credentials });
      try {
        // The test server answers 404 to everything: reaching it over TLS gives an endpoint error, not a trust failure.
        await expect(good.getPolicies(undefined)).rejects.toMatchObject({ code: 'ENDPOINT_ERROR' });
        await expect(impostor.getPolicies(undefined)).rejects.toMatchObject({ code: 'TLS_PIN_MISMATCH' });
      } finally {
        good.close();
        impostor.close();
      }
    }
  });
});
