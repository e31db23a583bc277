// First start creates, later starts reuse: the CA and server certificate, the policy-signing key, the tenant id and
// the admin token. Files live in the data dir (0700, secrets 0600); the tenant id and admin token hash live in the DB.
import { createPublicKey, type KeyObject, randomUUID } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import type { Clock } from '../../../common/clock.js';
import { generateEd25519KeyPair, keyIdOf, privateKeyFromPem, rawPublicKey } from '../../../common/signing.js';
import type { Logger } from '../logging.js';
import type { ManagementStore } from '../store/store.js';
import { type CertificateAndKey, createCa, describeServerCertificate, issueServerCertificate, normaliseName } from './certificates.js';
import { dataPath, readIfExists, writePrivateFile } from './files.js';
import { caPinOf } from './pin.js';
import { ADMIN_TOKEN_PREFIX, newSecretToken, tokenHash } from './tokens.js';

// Re-issue the server certificate this long before it expires.
const RENEW_BEFORE_MS = 30 * 86_400_000;

/** The policy-signing key: private key object, raw public key (base64) and its key id. */
export interface PolicySigningKeys {
  readonly privateKey: KeyObject;
  readonly publicKey: string;
  readonly keyId: string;
}

/** Everything that identifies this endpoint to devices and admins. */
export interface EndpointIdentity {
  readonly tenantId: string;
  readonly caCertPem: string;
  readonly caPin: string;
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
  readonly policySigning: PolicySigningKeys;
  /** SHA-256 hex of the admin token; the token itself is only in <dataDir>/admin.token. */
  readonly adminTokenHash: string;
}

/** Where the identity lives and which extra names the server certificate must cover. */
export interface EndpointIdentityOptions {
  readonly dataDir: string;
  readonly extraNames?: readonly string[];
}

/** Dependencies of loadOrCreateEndpointIdentity. */
export interface EndpointIdentityDeps {
  readonly store: ManagementStore;
  readonly clock: Pick<Clock, 'now'>;
  readonly logger: Logger;
}

/** The names the server certificate always covers, plus `extra`, normalised and de-duplicated. */
export function serverNames(extra: readonly string[] = []): string[] {
  return [...new Set(['localhost', '127.0.0.1', '::1', osHostname(), ...extra].filter((n) => n.length > 0).map(normaliseName))];
}

/** Loads the endpoint identity from the data dir and DB, creating whatever is missing. The data dir must exist. */
export async function loadOrCreateEndpointIdentity(options: EndpointIdentityOptions, deps: EndpointIdentityDeps): Promise<EndpointIdentity> {
  const log = deps.logger.child({ component: 'pki' });
  const now = new Date(deps.clock.now());
  const { ca, created: caCreated } = await loadOrCreateCa(options.dataDir, now, log);
  const server = await loadOrIssueServerCert(options.dataDir, ca, serverNames(options.extraNames), caCreated, now, log);
  const policySigning = await loadOrCreatePolicySigningKey(options.dataDir, log);
  const tenantId = await deps.store.initMeta('tenantId', randomUUID());
  const adminTokenHash = await loadOrCreateAdminToken(options.dataDir, deps.store, log);
  return {
    tenantId,
    caCertPem: ca.certPem,
    caPin: caPinOf(ca.certPem),
    serverCertPem: server.certPem,
    serverKeyPem: server.keyPem,
    policySigning,
    adminTokenHash,
  };
}

async function loadOrCreateCa(dataDir: string, now: Date, log: Logger): Promise<{ ca: CertificateAndKey; created: boolean }> {
  const certPem = await readIfExists(dataPath(dataDir, 'caCert'));
  const keyPem = await readIfExists(dataPath(dataDir, 'caKey'));
  if (certPem && keyPem) return { ca: { certPem, keyPem }, created: false };
  const ca = await createCa('Attache Management CA', now);
  // Key first: a crash in between leaves no certificate, so the next start creates a fresh pair.
  await writePrivateFile(dataPath(dataDir, 'caKey'), ca.keyPem);
  await writePrivateFile(dataPath(dataDir, 'caCert'), ca.certPem);
  log.info('ca created', { caPin: caPinOf(ca.certPem) });
  return { ca, created: true };
}

async function loadOrIssueServerCert(
  dataDir: string,
  ca: CertificateAndKey,
  names: string[],
  force: boolean,
  now: Date,
  log: Logger,
): Promise<CertificateAndKey> {
  const certPem = await readIfExists(dataPath(dataDir, 'serverCert'));
  const keyPem = await readIfExists(dataPath(dataDir, 'serverKey'));
  if (!force && certPem && keyPem) {
    const existing = describeServerCertificate(certPem);
    const coversNames = names.every((n) => existing.names.includes(n));
    if (coversNames && existing.notAfter.getTime() - now.getTime() > RENEW_BEFORE_MS) return { certPem, keyPem };
  }
  const server = await issueServerCertificate(ca, names, now);
  await writePrivateFile(dataPath(dataDir, 'serverKey'), server.keyPem);
  await writePrivateFile(dataPath(dataDir, 'serverCert'), server.certPem);
  log.info('server certificate issued', { names });
  return server;
}

async function loadOrCreatePolicySigningKey(dataDir: string, log: Logger): Promise<PolicySigningKeys> {
  const path = dataPath(dataDir, 'policySigningKey');
  let pem = await readIfExists(path);
  if (!pem) {
    pem = generateEd25519KeyPair().privateKeyPem;
    await writePrivateFile(path, pem);
    log.info('policy-signing key created');
  }
  const privateKey = privateKeyFromPem(pem);
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

async function loadOrCreateAdminToken(dataDir: string, store: ManagementStore, log: Logger): Promise<string> {
  const existing = await store.getMeta('adminTokenHash');
  if (existing) return existing;
  // File first, then the hash: a crash in between only means the next start makes (and writes) a new token.
  const token = newSecretToken(ADMIN_TOKEN_PREFIX);
  await writePrivateFile(dataPath(dataDir, 'adminToken'), `${token}\n`);
  await store.setMeta('adminTokenHash', tokenHash(token));
  log.info('admin token created', { file: dataPath(dataDir, 'adminToken') });
  return tokenHash(token);
}
