// The investigation package upload client against a small real HTTPS server that implements the documented contract
// (docs/protocol.md, "Investigation package upload"): signed requests verified over the raw chunk bytes, the offset
// check, the SHA-256 check at the end, and connections dropped mid-chunk. It tests the client; the endpoint's own
// route is tested with the endpoint.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EndpointClient } from '../agent/src/transport/endpoint-client.js';
import { uploadPackage } from '../agent/src/transport/package-upload.js';
import { systemClock } from '../common/clock.js';
import { generateEd25519KeyPair, privateKeyFromPem, publicKeyFromRaw, requestSigningString, SIGNED_REQUEST_HEADERS, verifyBytes } from '../common/signing.js';
import { type CertificateAndKey, createCa, issueServerCertificate } from '../management/src/pki/certificates.js';

const DEVICE = '55555555-5555-4555-8555-555555555555';
const ACTION = '0b8f7c1e-2d3a-4b5c-8d9e-0f1a2b3c4d5e';
const MIB = 1024 * 1024;
const keys = generateEd25519KeyPair();

/** The endpoint's side of one action's package, with the faults a test turns on. */
interface Endpoint {
  stored: Buffer;
  declaredSize: number | null;
  complete: boolean;
  maxBytes: number;
  /** The PUT at this offset reads half its body, then the connection is cut (nothing stored); once. */
  dropMidChunkAt: number | null;
  /** The next PUT is stored, then the connection is cut before the answer. */
  dropAfterStore: number;
  /** The next GET answers 0 bytes although more are stored (a stale replica). */
  staleGet: number;
  requests: string[];
  badSignatures: number;
}
let endpoint: Endpoint;
let ca: CertificateAndKey;
let server: Server;
let url: string;
let dir: string;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
const refuse = (res: ServerResponse, status: number, code: string, message: string, details: { path: string; message: string }[] = []) =>
  json(res, status, { error: { code, message, details } });

function signatureValid(req: IncomingMessage, body: Buffer): boolean {
  const h = (name: string) => String(req.headers[name] ?? '');
  const signed = requestSigningString({
    method: req.method ?? '',
    path: req.url ?? '',
    deviceId: h(SIGNED_REQUEST_HEADERS.device),
    time: h(SIGNED_REQUEST_HEADERS.time),
    nonce: h(SIGNED_REQUEST_HEADERS.nonce),
    body,
  });
  return verifyBytes(publicKeyFromRaw(keys.publicKey), signed, h(SIGNED_REQUEST_HEADERS.signature));
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const u = new URL(req.url ?? '/', 'https://x');
  endpoint.requests.push(`${req.method} ${u.search ? `offset=${u.searchParams.get('offset')}` : ''}`.trim());
  if (u.pathname !== `/v1/device/actions/${ACTION}/package`) {
    refuse(res, 404, 'ACTION_NOT_FOUND', 'no such action');
    return;
  }
  if (req.method === 'PUT' && endpoint.dropMidChunkAt === Number(u.searchParams.get('offset'))) {
    endpoint.dropMidChunkAt = null;
    let seen = 0;
    req.on('data', (c: Buffer) => {
      seen += c.length;
      if (seen >= Number(req.headers['content-length']) / 2) req.socket.destroy();
    });
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    if (!signatureValid(req, body)) {
      endpoint.badSignatures++;
      return refuse(res, 401, 'REQUEST_SIGNATURE_INVALID', 'bad signature');
    }
    if (req.method === 'GET') {
      const received = endpoint.staleGet-- > 0 ? 0 : endpoint.stored.length;
      return json(res, 200, { receivedBytes: received, sizeBytes: endpoint.declaredSize, complete: endpoint.complete });
    }
    if (req.headers['content-type'] !== 'application/octet-stream') return refuse(res, 415, 'SCHEMA_INVALID', 'octet-stream only');
    const offset = Number(u.searchParams.get('offset'));
    const size = Number(u.searchParams.get('size'));
    const sha256 = u.searchParams.get('sha256') ?? '';
    if (size > endpoint.maxBytes || body.length > MIB) return refuse(res, 413, 'PACKAGE_TOO_LARGE', `size ${size} exceeds ${endpoint.maxBytes}`);
    if (offset !== endpoint.stored.length)
      return refuse(res, 409, 'PACKAGE_OFFSET_MISMATCH', `offset ${offset}, stored ${endpoint.stored.length}`, [
        { path: 'receivedBytes', message: String(endpoint.stored.length) },
      ]);
    endpoint.declaredSize = size;
    endpoint.stored = Buffer.concat([endpoint.stored, body]);
    if (endpoint.stored.length === size) {
      if (createHash('sha256').update(endpoint.stored).digest('hex') !== sha256) {
        endpoint.stored = Buffer.alloc(0);
        endpoint.declaredSize = null;
        return refuse(res, 422, 'PACKAGE_HASH_MISMATCH', 'the package does not have the SHA-256 stated');
      }
      endpoint.complete = true;
    }
    if (endpoint.dropAfterStore > 0) {
      endpoint.dropAfterStore--;
      req.socket.destroy();
      return;
    }
    json(res, 200, { receivedBytes: endpoint.stored.length, complete: endpoint.complete });
  });
}

beforeAll(async () => {
  ca = await createCa('test CA', new Date());
  const cert = await issueServerCertificate(ca, ['localhost', '127.0.0.1'], new Date());
  server = createServer({ key: cert.keyPem, cert: cert.certPem }, handle);
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'upload-'));
});

afterAll(async () => {
  await new Promise((res) => server.close(res));
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  endpoint = {
    stored: Buffer.alloc(0),
    declaredSize: null,
    complete: false,
    maxBytes: 64 * MIB,
    dropMidChunkAt: null,
    dropAfterStore: 0,
    staleGet: 0,
    requests: [],
    badSignatures: 0,
  };
});

async function packageOf(size: number): Promise<{ path: string; sizeBytes: number; sha256: string; data: Buffer }> {
  const data = randomBytes(size);
  const path = join(dir, `p-${size}-${Math.random()}.tar.gz`);
  await writeFile(path, data, { mode: 0o600 });
  return { path, sizeBytes: size, sha256: createHash('sha256').update(data).digest('hex'), data };
}

function upload(pkg: { path: string; sizeBytes: number; sha256: string }, progress?: (p: number) => void) {
  const client = new EndpointClient({
    endpointUrl: url,
    caCertificate: ca.certPem,
    credentials: { deviceId: DEVICE, privateKey: privateKeyFromPem(keys.privateKeyPem) },
  });
  return uploadPackage(ACTION, pkg, { client, clock: systemClock }, { backoff: { baseMs: 5, maxMs: 20 } }, new AbortController().signal, progress).finally(() =>
    client.close(),
  );
}

describe('uploadPackage', () => {
  it('sends 1 MiB signed octet-stream chunks from the resume point until the endpoint calls the package complete', async () => {
    const pkg = await packageOf(2 * MIB + 1234);
    const progress: number[] = [];
    await upload(pkg, (p) => progress.push(p));
    expect(endpoint.requests).toEqual(['GET', 'PUT offset=0', `PUT offset=${MIB}`, `PUT offset=${2 * MIB}`]);
    expect(endpoint.stored.equals(pkg.data)).toBe(true);
    expect(endpoint).toMatchObject({ complete: true, badSignatures: 0 });
    expect(progress).toEqual([49, 99]);
  });

  it('resumes where the endpoint stands after a connection dropped mid-chunk', async () => {
    const pkg = await packageOf(2 * MIB + 10);
    endpoint.dropMidChunkAt = MIB;
    await upload(pkg);
    expect(endpoint.requests).toEqual(['GET', 'PUT offset=0', `PUT offset=${MIB}`, 'GET', `PUT offset=${MIB}`, `PUT offset=${2 * MIB}`]);
    expect(endpoint.stored.equals(pkg.data)).toBe(true);
    expect(endpoint.complete).toBe(true);
  });

  it('does not send a chunk twice when the answer was lost after the endpoint stored it', async () => {
    const pkg = await packageOf(2 * MIB);
    endpoint.dropAfterStore = 1;
    await upload(pkg);
    expect(endpoint.requests).toEqual(['GET', 'PUT offset=0', 'GET', `PUT offset=${MIB}`]);
    expect(endpoint.stored.equals(pkg.data)).toBe(true);
  });

  it('re-reads the resume point after PACKAGE_OFFSET_MISMATCH', async () => {
    const pkg = await packageOf(MIB + 5);
    endpoint.stored = pkg.data.subarray(0, MIB);
    endpoint.declaredSize = pkg.sizeBytes;
    endpoint.staleGet = 1;
    await upload(pkg);
    expect(endpoint.requests).toEqual(['GET', 'PUT offset=0', 'GET', `PUT offset=${MIB}`]);
    expect(endpoint.stored.equals(pkg.data)).toBe(true);
  });

  it('a package the endpoint already holds complete is not sent again', async () => {
    const pkg = await packageOf(1000);
    Object.assign(endpoint, { stored: pkg.data, declaredSize: 1000, complete: true });
    await upload(pkg);
    expect(endpoint.requests).toEqual(['GET']);
  });

  it('stops at PACKAGE_HASH_MISMATCH without retrying', async () => {
    const pkg = await packageOf(MIB + 1);
    await expect(upload({ ...pkg, sha256: 'a'.repeat(64) })).rejects.toMatchObject({ code: 'PACKAGE_HASH_MISMATCH' });
    expect(endpoint.requests).toEqual(['GET', 'PUT offset=0', `PUT offset=${MIB}`]);
    expect(endpoint.stored.length).toBe(0);
  });

  it('stops at PACKAGE_TOO_LARGE without retrying', async () => {
    const pkg = await packageOf(3000);
    endpoint.maxBytes = 2048;
    await expect(upload(pkg)).rejects.toMatchObject({ code: 'PACKAGE_TOO_LARGE' });
    expect(endpoint.requests).toEqual(['GET', 'PUT offset=0']);
  });

  it('gives up after maxFailures when the endpoint cannot be reached, with the network error', async () => {
    const pkg = await packageOf(100);
    const closed = createServer();
    await new Promise<void>((res) => closed.listen(0, '127.0.0.1', res));
    const deadUrl = `https://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((res) => closed.close(res));
    const client = new EndpointClient({
      endpointUrl: deadUrl,
      caCertificate: ca.certPem,
      credentials: { deviceId: DEVICE, privateKey: privateKeyFromPem(keys.privateKeyPem) },
    });
    let gets = 0;
    const counting = {
      getPackageUpload: (id: string) => {
        gets++;
        return client.getPackageUpload(id);
      },
      putPackageChunk: client.putPackageChunk.bind(client),
    };
    await expect(
      uploadPackage(ACTION, pkg, { client: counting, clock: systemClock }, { maxFailures: 3, backoff: { baseMs: 1, maxMs: 2 } }),
    ).rejects.toMatchObject({
      code: 'ENDPOINT_UNREACHABLE',
    });
    client.close();
    expect(gets).toBe(3);
  });

  it('an abort stops the upload between chunks', async () => {
    const pkg = await packageOf(3 * MIB);
    const abort = new AbortController();
    const client = new EndpointClient({
      endpointUrl: url,
      caCertificate: ca.certPem,
      credentials: { deviceId: DEVICE, privateKey: privateKeyFromPem(keys.privateKeyPem) },
    });
    const progress = (p: number) => p > 0 && abort.abort(new Error('cancelled'));
    await expect(uploadPackage(ACTION, pkg, { client, clock: systemClock }, {}, abort.signal, progress)).rejects.toThrow('cancelled');
    client.close();
    expect(endpoint.requests).toEqual(['GET', 'PUT offset=0']);
  });

  it('refuses to resume a different package the endpoint holds part of', async () => {
    const pkg = await packageOf(4000);
    Object.assign(endpoint, { stored: Buffer.alloc(100), declaredSize: 5000 });
    await expect(upload(pkg)).rejects.toMatchObject({ code: 'PACKAGE_HASH_MISMATCH', message: expect.stringContaining('5000-byte') });
    expect(endpoint.requests).toEqual(['GET']);
  });
});
