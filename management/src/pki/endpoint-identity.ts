// First start creates, later starts reuse: the CA and server certificate, the policy-signing key, the tenant id and
// the admin token. The CA and policy-signing key live in the key vault (key-vault.ts: data-dir files, or the database
// encrypted for replicas); the server certificate and admin token in the data dir (0700, secrets 0600); the tenant id
// and admin token hash in the DB.
import { createPublicKey, type KeyObject, randomUUID, X509Certificate } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import type { Clock } from '../../../common/clock.js';
import { generateEd25519KeyPair, keyIdOf, privateKeyFromPem, rawPublicKey } from '../../../common/signing.js';
import type { Logger } from '../logging.js';
import type { ManagementStore } from '../store/store.js';
import { type CertificateAndKey, createCa, describeServerCertificate, issueServerCertificate, normaliseName } from './certificates.js';
import { dataPath, readIfExists, writePrivateFile } from './files.js';
import { type CaEntry, FileVault, type KeyVault } from './key-vault.js';
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

/**
 * Where the identity lives and which extra names the server certificate must cover. The CA and the policy-signing key
 * are in `vault` (default: files in the data dir); the server certificate and its key are always this process's own,
 * in its data dir, issued by that CA for this replica's names.
 */
export interface EndpointIdentityOptions {
  readonly dataDir: string;
  readonly extraNames?: readonly string[];
  readonly vault?: KeyVault;
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
  const vault = options.vault ?? new FileVault(options.dataDir);
  const { ca, created: caCreated } = await loadOrCreateCa(vault, now, log);
  // The CA certificate is public: the admin CLI reads it from the data dir (admin.json caFile) whatever the vault.
  if (!(vault instanceof FileVault) && (await readIfExists(dataPath(options.dataDir, 'caCert'))) !== ca.certPem) {
    await writePrivateFile(dataPath(options.dataDir, 'caCert'), ca.certPem);
  }
  const server = await loadOrIssueServerCert(options.dataDir, ca, serverNames(options.extraNames), caCreated, now, log);
  const policySigning = await loadOrCreatePolicySigningKey(vault, log);
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

async function loadOrCreateCa(vault: KeyVault, now: Date, log: Logger): Promise<{ ca: CertificateAndKey; created: boolean }> {
  let made: CertificateAndKey | undefined;
  const stored = await vault.createOnce('ca', async () => {
    made = await createCa('Attache Management CA', now);
    return JSON.stringify({ certPem: made.certPem, keyPem: made.keyPem } satisfies CaEntry);
  });
  const ca = JSON.parse(stored) as CaEntry;
  // Created here only when what is stored is what this process made (another replica may have been first).
  const created = made !== undefined && made.certPem === ca.certPem;
  if (created) log.info('ca created', { caPin: caPinOf(ca.certPem), in: vault.where });
  return { ca: { certPem: ca.certPem, keyPem: ca.keyPem }, created };
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
    // A data dir reused with another CA (a restored or switched database) keeps a certificate no device trusts.
    const issuedByCa = new X509Certificate(certPem).verify(new X509Certificate(ca.certPem).publicKey);
    if (coversNames && issuedByCa && existing.notAfter.getTime() - now.getTime() > RENEW_BEFORE_MS) return { certPem, keyPem };
  }
  const server = await issueServerCertificate(ca, names, now);
  await writePrivateFile(dataPath(dataDir, 'serverKey'), server.keyPem);
  await writePrivateFile(dataPath(dataDir, 'serverCert'), server.certPem);
  log.info('server certificate issued', { names });
  return server;
}

async function loadOrCreatePolicySigningKey(vault: KeyVault, log: Logger): Promise<PolicySigningKeys> {
  let created = false;
  const pem = await vault.createOnce('policySigningKey', () => {
    created = true;
    return generateEd25519KeyPair().privateKeyPem;
  });
  const privateKey = privateKeyFromPem(pem);
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  if (created) log.info('policy-signing key created', { in: vault.where });
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

async function loadOrCreateAdminToken(dataDir: string, store: ManagementStore, log: Logger): Promise<string> {
  const existing = await store.getMeta('adminTokenHash');
  if (existing) return existing;
  // File first, then the hash: a crash in between only means the next start makes (and writes) a new token. Replicas
  // starting together each write a token, and the first hash stored wins: the others remove their file.
  const token = newSecretToken(ADMIN_TOKEN_PREFIX);
  await writePrivateFile(dataPath(dataDir, 'adminToken'), `${token}\n`);
  const stored = await store.initMeta('adminTokenHash', tokenHash(token));
  if (stored !== tokenHash(token)) {
    await rm(dataPath(dataDir, 'adminToken'), { force: true });
    log.info('admin token created by another replica: its token file is on that replica', {});
    return stored;
  }
  log.info('admin token created', { file: dataPath(dataDir, 'adminToken') });
  return stored;
}
