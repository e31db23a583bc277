// Tests of the endpoint identity: first start creates CA, server certificate, keys and secrets with tight modes;
// a second start reuses all of them; the server certificate chains to the CA and covers the expected names.
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../logging.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import type { ManagementStore } from '../store/store.js';
import { createCa, SERVER_VALIDITY_DAYS } from './certificates.js';
import { type EndpointIdentity, loadOrCreateEndpointIdentity } from './endpoint-identity.js';
import { dataPath, ensureDataDir } from './files.js';
import { caPinOf } from './pin.js';
import { tokenHash } from './tokens.js';

const NOW = Date.parse('2025-03-01T00:00:00.000Z');
let dir: string;
let store: ManagementStore;

beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'attache-pki-')), 'data');
  await ensureDataDir(dir);
  store = await openSqliteStore({ file: dataPath(dir, 'db') });
});

afterEach(async () => {
  await store.close();
  await rm(join(dir, '..'), { recursive: true, force: true });
});

function load(extraNames: string[] = []): Promise<EndpointIdentity> {
  return loadOrCreateEndpointIdentity({ dataDir: dir, extraNames }, { store, clock: { now: () => NOW }, logger: createSilentLogger() });
}

describe('endpoint identity', () => {
  it('creates a CA and a server certificate for the local names and the extra ones', async () => {
    const id = await load(['attache.example.org']);
    const ca = new X509Certificate(id.caCertPem);
    const server = new X509Certificate(id.serverCertPem);
    expect(ca.ca).toBe(true);
    expect(ca.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(server.ca).toBe(false);
    expect(server.verify(ca.publicKey)).toBe(true);
    for (const host of ['localhost', hostname(), 'attache.example.org']) expect(server.checkHost(host)).toBe(host);
    for (const ip of ['127.0.0.1', '::1']) expect(server.checkIP(ip)).toBe(ip);
    expect(Date.parse(server.validTo) - NOW).toBeGreaterThanOrEqual((SERVER_VALIDITY_DAYS - 1) * 86_400_000);
    expect(id.caPin).toBe(caPinOf(id.caCertPem));
    expect(id.caPin).toMatch(/^sha256\/[A-Za-z0-9+/]{43}=$/);
  });

  it('writes secrets 0600 in a 0700 dir and stores only the admin token hash', async () => {
    const id = await load();
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const file of ['caKey', 'serverKey', 'policySigningKey', 'adminToken'] as const) {
      expect((await stat(dataPath(dir, file))).mode & 0o777).toBe(0o600);
    }
    const token = (await readFile(dataPath(dir, 'adminToken'), 'utf8')).trim();
    expect(token).toMatch(/^att_adm_[A-Za-z0-9_-]{43}$/);
    expect(id.adminTokenHash).toBe(tokenHash(token));
    expect(await store.getMeta('adminTokenHash')).toBe(tokenHash(token));
  });

  it('reuses everything on a second start', async () => {
    const first = await load();
    const token = await readFile(dataPath(dir, 'adminToken'), 'utf8');
    const second = await load();
    expect(second.tenantId).toBe(first.tenantId);
    expect(second.caPin).toBe(first.caPin);
    expect(second.serverCertPem).toBe(first.serverCertPem);
    expect(second.policySigning.publicKey).toBe(first.policySigning.publicKey);
    expect(second.adminTokenHash).toBe(first.adminTokenHash);
    expect(await readFile(dataPath(dir, 'adminToken'), 'utf8')).toBe(token);
  });

  it('re-issues only the server certificate when a new name is needed', async () => {
    const first = await load();
    const second = await load(['new.example.org']);
    expect(second.caPin).toBe(first.caPin);
    expect(second.serverCertPem).not.toBe(first.serverCertPem);
    expect(new X509Certificate(second.serverCertPem).checkHost('new.example.org')).toBe('new.example.org');
  });

  it('re-issues the server certificate when the CA in the vault is another one than the one that issued it', async () => {
    const first = await load();
    // Another CA in the vault (a data dir reused with another database's keys): the old certificate would fail every
    // device. This process did not create that CA, so only the issuer check can notice.
    const other = createCa('Other CA', new Date(NOW));
    await writeFile(dataPath(dir, 'caKey'), (await other).keyPem);
    await writeFile(dataPath(dir, 'caCert'), (await other).certPem);
    const second = await load();
    expect(second.caPin).not.toBe(first.caPin);
    expect(second.serverCertPem).not.toBe(first.serverCertPem);
    expect(new X509Certificate(second.serverCertPem).verify(new X509Certificate(second.caCertPem).publicKey)).toBe(true);
  });
});
