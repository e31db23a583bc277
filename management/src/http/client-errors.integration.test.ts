// Parser- and router-level errors over a raw TLS socket on loopback: each malformed request gets its status and the
// documented `{ error: { code, message } }` envelope with a stable code (issue 12, error envelope gaps).
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '../../../common/validation.js';
import { ErrorResponse } from '../../../policy-schemas/src/index.js';
import { startTestEndpoint, type TestEndpoint } from '../testing/test-endpoint.js';

let t: TestEndpoint;
beforeAll(async () => {
  t = await startTestEndpoint();
});
afterAll(async () => {
  await t.close();
});

/** Sends `raw` bytes over TLS and resolves to the status and parsed body of the answer (the server closes). */
function rawRequest(raw: string): Promise<{ status: number; body: ErrorResponse }> {
  const url = new URL(t.endpoint.url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), ca: t.ca }, () => socket.write(raw));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
      try {
        resolve({ status, body: validate(ErrorResponse, JSON.parse(body), 'error body') });
      } catch (err) {
        reject(new Error(`not an error envelope: ${JSON.stringify(text.slice(0, 300))}: ${(err as Error).message}`));
      }
    });
  });
}

describe('errors before any handler runs', () => {
  it('431 HEADERS_TOO_LARGE for headers over 16 KiB', async () => {
    const res = await rawRequest(`GET /v1/admin/devices HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(res.body.error.code).toBe('HEADERS_TOO_LARGE');
  });

  it('414 URI_TOO_LONG for a path segment over the parameter limit', async () => {
    const res = await rawRequest(`GET /v1/admin/devices/${'a'.repeat(500)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(res.status).toBe(414);
    expect(res.body.error.code).toBe('URI_TOO_LONG');
  });

  it('400 REQUEST_MALFORMED for a URL that does not decode', async () => {
    const res = await rawRequest('GET /v1/admin/devices/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'REQUEST_MALFORMED', message: expect.stringContaining('URL') });
  });

  it('400 REQUEST_MALFORMED for a bad request line', async () => {
    const res = await rawRequest('THIS IS NOT HTTP\r\n\r\n');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('REQUEST_MALFORMED');
  });

  it('400 REQUEST_MALFORMED for an HTTP/1.1 request without Host', async () => {
    const res = await rawRequest('GET /v1/admin/devices HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'REQUEST_MALFORMED', message: expect.stringContaining('Host') });
  });

  it('still answers a well-formed request normally', async () => {
    const res = await rawRequest('GET /v1/admin/devices HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('ADMIN_UNAUTHORIZED');
  });
});
