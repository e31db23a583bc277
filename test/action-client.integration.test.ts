// The agent's HTTPS side of response actions against a real loopback TLS endpoint: every policies fetch states the
// `actions` capability, and action updates are POSTed signed to /v1/device/actions/updates with the acknowledgement
// validated (a malformed one is ENDPOINT_ERROR, an unknown action the endpoint's 404 ACTION_NOT_FOUND).
import type { IncomingHttpHeaders } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPABILITIES_HEADER, EndpointClient } from '../agent/src/transport/endpoint-client.js';
import { generateEd25519KeyPair } from '../common/signing.js';
import { type CertificateAndKey, createCa, issueServerCertificate } from '../management/src/pki/certificates.js';
import type { ActionUpdatesRequest } from '../policy-schemas/src/index.js';

const DEVICE = '55555555-5555-4555-8555-555555555555';
const ACTION = 'aaaaaaaa-0000-4000-8000-000000000001';
const keys = generateEd25519KeyPair();
let ca: CertificateAndKey;
let server: Server;
let url: string;
const seen: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
let answer: { status: number; body: unknown } = { status: 200, body: {} };

beforeAll(async () => {
  ca = await createCa('test CA', new Date());
  const cert = await issueServerCertificate(ca, ['localhost', '127.0.0.1'], new Date());
  server = createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((res) => server.close(res));
});

const client = () => new EndpointClient({ endpointUrl: url, caCertificate: ca.certPem, credentials: { deviceId: DEVICE, privateKey: keys.privateKey } });

describe('EndpointClient and response actions', () => {
  it('states the actions capability on every policies fetch', async () => {
    const c = client();
    answer = { status: 304, body: {} };
    try {
      expect(await c.getPolicies('"etag"')).toEqual({ notModified: true });
    } finally {
      c.close();
    }
    const last = seen.at(-1);
    expect(last).toMatchObject({ method: 'GET', url: '/v1/device/policies' });
    expect(last?.headers[CAPABILITIES_HEADER]).toBe('actions');
    expect(last?.headers['if-none-match']).toBe('"etag"');
  });

  it('posts updates signed to /v1/device/actions/updates and validates the acknowledgement', async () => {
    const request: ActionUpdatesRequest = {
      updates: [{ actionId: ACTION, deviceId: DEVICE, sequence: 1, status: 'inProgress', at: '2026-12-05T12:00:00.000Z' }],
    };
    const c = client();
    try {
      answer = { status: 200, body: { acks: [{ actionId: ACTION, sequence: 1, status: 'inProgress' }] } };
      expect(await c.postActionUpdates(request)).toEqual(answer.body);
      const last = seen.at(-1);
      expect(last).toMatchObject({ method: 'POST', url: '/v1/device/actions/updates' });
      expect(JSON.parse(last?.body ?? '')).toEqual(request);
      expect(last?.headers['x-attache-device']).toBe(DEVICE);
      answer = { status: 200, body: { acks: 'no' } };
      await expect(c.postActionUpdates(request)).rejects.toMatchObject({ code: 'ENDPOINT_ERROR' });
      answer = { status: 404, body: { error: { code: 'ACTION_NOT_FOUND', message: `no action ${ACTION} for this device` } } };
      await expect(c.postActionUpdates(request)).rejects.toMatchObject({ code: 'ACTION_NOT_FOUND', retryable: false });
    } finally {
      c.close();
    }
  });
});
