// Bring your own TLS certificate end to end: `serve --config` naming a server certificate, key and root CA from an
// operator's PKI (relative to the config file); the onboarding package carries that root, a real agent pins it,
// enrolls and applies a policy; the admin CLI connects through admin.json; a key that does not match exits 78.
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../management/src/admin-cli/admin-client.js';
import { resolveConnection } from '../management/src/admin-cli/connection.js';
import { type CertificateAndKey, createCa, issueServerCertificate } from '../management/src/pki/certificates.js';
import { caPinOf } from '../management/src/pki/pin.js';
import {
  AdminApi,
  assignLinuxAntivirus,
  type Endpoint,
  enrollSimulatedAgent,
  freePort,
  type Proc,
  removeDir,
  startAgent,
  startEndpoint,
  tempDir,
  waitFor,
} from './harness.js';

let dir: string;
let root: CertificateAndKey;
let server: CertificateAndKey;
let endpoint: Endpoint;
let agent: Proc | undefined;
let port: number;

/** The SHA-256 fingerprint of the certificate the endpoint presents on `port`. */
function presentedFingerprint(): Promise<string> {
  return new Promise((res, rej) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: root.certPem }, () => {
      res(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.once('error', rej);
  });
}

beforeAll(async () => {
  dir = await tempDir('own-cert');
  root = await createCa('Operator Root CA', new Date());
  // The operator's certificate covers only the load balancer's name (localhost here), not the listener's 127.0.0.1.
  server = await issueServerCertificate(root, ['localhost'], new Date());
  await mkdir(join(dir, 'pki'));
  await writeFile(join(dir, 'pki', 'server.pem'), server.certPem);
  await writeFile(join(dir, 'pki', 'server.key'), server.keyPem, { mode: 0o600 });
  await writeFile(join(dir, 'pki', 'root.pem'), root.certPem);
  port = await freePort();
  const config = { publicUrl: `https://localhost:${port}`, tlsCert: 'pki/server.pem', tlsKey: 'pki/server.key', tlsCa: 'pki/root.pem', logLevel: 'warn' };
  await writeFile(join(dir, 'endpoint.json'), JSON.stringify(config));
  const started = await startEndpoint(join(dir, 'endpoint'), ['--config', join(dir, 'endpoint.json'), '--listen', `127.0.0.1:${port}`]);
  const token = (await readFile(join(dir, 'endpoint', 'admin.token'), 'utf8')).trim();
  endpoint = { ...started, admin: new AdminApi(`https://localhost:${port}`, token, root.certPem) };
});

afterAll(async () => {
  await agent?.stop();
  await endpoint?.stop();
  await removeDir(dir);
});

describe('own TLS certificate', () => {
  it('serves the operator certificate and puts the operator root in onboarding packages and admin.json', async () => {
    expect(await presentedFingerprint()).toBe(new X509Certificate(server.certPem).fingerprint256);
    const pkg = await endpoint.admin.ok('POST', '/v1/admin/onboarding-packages', {});
    expect(pkg.endpointUrl).toBe(`https://localhost:${port}`);
    expect(pkg.caCertificate.trim()).toBe(root.certPem.trim());
    expect(pkg.caPin).toBe(caPinOf(root.certPem));
    const adminJson = JSON.parse(await readFile(join(dir, 'endpoint', 'admin.json'), 'utf8'));
    expect(adminJson).toMatchObject({ caFile: join(dir, 'pki', 'root.pem'), serverName: 'localhost' });
    // The admin CLI's own client, through admin.json: the local URL (127.0.0.1), the certificate checked for localhost.
    const client = new AdminClient(await resolveConnection({ dataDir: join(dir, 'endpoint') }));
    expect((await client.listPolicies()).items).toEqual([]);
  });

  it('lets an agent pinning the operator root enroll, sync and apply a policy', async () => {
    const { args, deviceId, caCertificate } = await enrollSimulatedAgent(dir, endpoint);
    expect(caCertificate.trim()).toBe(root.certPem.trim());
    agent = startAgent(args);
    await assignLinuxAntivirus(endpoint.admin, deviceId);
    const status = () => endpoint.admin.ok('GET', `/v1/admin/devices/${deviceId}/status`);
    const applied = await waitFor(
      'policy applied',
      async () => {
        const s = await status();
        return s.policies[0]?.state === 'succeeded' ? s : undefined;
      },
      30_000,
    );
    expect(applied.policies[0]).toMatchObject({ state: 'succeeded', reportedVersion: 1 });
  });

  it('refuses to start (exit 78) with a key that is not the certificate’s, naming the file', async () => {
    const args = [
      '--public-url',
      'https://localhost:1',
      '--tls-cert',
      join(dir, 'pki', 'server.pem'),
      '--tls-key',
      join(dir, 'pki', 'root.key'),
      '--tls-ca',
      join(dir, 'pki', 'root.pem'),
    ];
    await writeFile(join(dir, 'pki', 'root.key'), root.keyPem);
    await expect(startEndpoint(join(dir, 'other'), args)).rejects.toThrow(/exited with 78[\s\S]*pki\/root\.key is not the private key of the certificate in/);
  });
});
