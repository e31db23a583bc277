// Bring your own TLS certificate (`serve --tls-cert --tls-key --tls-ca`): a server certificate from the operator's
// PKI instead of the endpoint-issued one, checked at start; agents then pin the operator's root CA (docs/deploy.md).
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { AttacheError } from '../../../common/errors.js';
import type { Logger } from '../logging.js';
import type { EndpointIdentity } from './endpoint-identity.js';
import { caPinOf } from './pin.js';

/** The three PEM files of an own certificate. */
export interface OwnCertificateFiles {
  /** Server certificate first, then any intermediates (the chain the server sends). */
  readonly certFile: string;
  readonly keyFile: string;
  /** The root CA that agents pin: exactly one self-signed CA certificate. */
  readonly caFile: string;
}

/** The checked PEMs of an own certificate. */
export interface OwnCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem: string;
  /** Absolute path of the CA file (admin.json points the admin CLI at it). */
  readonly caFile: string;
}

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
// Warn at start when the certificate expires within this long: the endpoint cannot renew a certificate it did not issue.
const EXPIRY_WARNING_MS = 30 * 86_400_000;
const MAX_CHAIN = 10;

const invalid = (message: string, cause?: unknown) => new AttacheError('CONFIG_INVALID', message, cause === undefined ? undefined : { cause });

async function readPem(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw invalid(`cannot read ${what} ${path}: ${(err as Error).message}`, err);
  }
}

/** The certificates of a PEM file, in order. */
function certificatesIn(pem: string, file: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw invalid(`${file} holds no PEM certificate`);
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (err) {
      throw invalid(`certificate ${i + 1} in ${file} is not a readable X.509 certificate`, err);
    }
  });
}

function privateKeyIn(pem: string, file: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (err) {
    throw invalid(`${file} is not a readable PEM private key (a passphrase-protected key is not supported)`, err);
  }
}

function checkValidNow(cert: X509Certificate, file: string, now: Date): void {
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  if (now < from || now > to) {
    throw invalid(`certificate ${cert.subject.replace(/\n/g, ', ')} in ${file} is not valid now (valid from ${from.toISOString()} to ${to.toISOString()})`);
  }
}

function checkCovers(leaf: X509Certificate, names: readonly string[], file: string): void {
  for (const name of names) {
    const covered = isIP(name) ? leaf.checkIP(name) : leaf.checkHost(name, { subject: 'never' });
    if (covered === undefined)
      throw invalid(`the certificate in ${file} does not cover ${name}; it covers ${leaf.subjectAltName ?? 'no subject alternative name'}`);
  }
}

/** Walks from the leaf through the file's intermediates to a certificate the CA signed. */
function checkIssuedByCa(chain: readonly X509Certificate[], ca: X509Certificate, certFile: string, caFile: string): void {
  const issued = (child: X509Certificate, parent: X509Certificate) => child.checkIssued(parent) && child.verify(parent.publicKey);
  let current = chain[0] as X509Certificate;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    if (issued(current, ca)) return;
    const next = chain.find((c) => c !== current && issued(current, c));
    if (!next) break;
    current = next;
  }
  throw invalid(`the certificate in ${certFile} is not issued by the CA in ${caFile} (directly or through intermediates following it in ${certFile})`);
}

/**
 * Checks an own certificate: the key is the certificate's, every certificate of the chain is valid at `now`, the
 * server certificate covers `names` (the public URL's host and the extra names) and is for TLS servers, and the CA
 * is one self-signed root that issued it. Node's TLS client (the agent) needs a root as its trust anchor.
 */
export function checkOwnCertificate(pems: Omit<OwnCertificate, 'caFile'>, files: OwnCertificateFiles, names: readonly string[], now: Date): string {
  const chain = certificatesIn(pems.certPem, files.certFile);
  const leaf = chain[0] as X509Certificate;
  if (!leaf.checkPrivateKey(privateKeyIn(pems.keyPem, files.keyFile))) {
    throw invalid(`${files.keyFile} is not the private key of the certificate in ${files.certFile}`);
  }
  if (leaf.keyUsage !== undefined && !leaf.keyUsage.includes(SERVER_AUTH)) {
    throw invalid(`the certificate in ${files.certFile} is not for TLS servers (its extended key usage lacks serverAuth)`);
  }
  for (const cert of chain) checkValidNow(cert, files.certFile, now);
  checkCovers(leaf, names, files.certFile);
  const cas = certificatesIn(pems.caPem, files.caFile);
  const ca = cas[0] as X509Certificate;
  if (cas.length !== 1) throw invalid(`${files.caFile} must hold exactly one certificate, the root CA agents pin (it holds ${cas.length})`);
  if (!ca.ca) throw invalid(`the certificate in ${files.caFile} is not a CA certificate`);
  if (!ca.checkIssued(ca) || !ca.verify(ca.publicKey)) {
    throw invalid(
      `the CA in ${files.caFile} is not a self-signed root: give the root, and put intermediates after the server certificate in ${files.certFile}`,
    );
  }
  checkValidNow(ca, files.caFile, now);
  checkIssuedByCa(chain, ca, files.certFile, files.caFile);
  // Only the certificate, as onboarding packages carry it (comments or text around the PEM block dropped).
  return ca.toString();
}

/**
 * Reads and checks an own certificate (checkOwnCertificate) for the public URL's host and the extra names; every
 * problem is CONFIG_INVALID naming the file. The public URL is required: it names what the certificate must cover.
 */
export async function loadOwnCertificate(
  files: OwnCertificateFiles,
  names: { readonly publicUrl: string | undefined; readonly extraNames: readonly string[] },
  deps: { readonly now: Date; readonly logger: Logger },
): Promise<OwnCertificate> {
  const now = deps.now;
  if (names.publicUrl === undefined) {
    throw invalid('your own TLS certificate needs --public-url: the name devices connect to, which the certificate must cover');
  }
  const covered = [new URL(names.publicUrl).hostname.replace(/^\[|\]$/g, ''), ...names.extraNames];
  const [certPem, keyPem, caPem] = await Promise.all([
    readPem(files.certFile, 'TLS certificate'),
    readPem(files.keyFile, 'TLS key'),
    readPem(files.caFile, 'TLS CA certificate'),
  ]);
  const caCertPem = checkOwnCertificate({ certPem, keyPem, caPem }, files, covered, now);
  const notAfter = new Date(new X509Certificate(certPem).validTo);
  const log = deps.logger.child({ component: 'pki' });
  log.info('own TLS certificate in use', { certFile: files.certFile, names: covered, notAfter: notAfter.toISOString(), caPin: caPinOf(caCertPem) });
  if (notAfter.getTime() - now.getTime() < EXPIRY_WARNING_MS) {
    log.warn('own TLS certificate expires soon', { certFile: files.certFile, notAfter: notAfter.toISOString() });
  }
  return { certPem, keyPem, caPem: caCertPem, caFile: resolve(files.caFile) };
}

/** The identity with the own certificate as the server's and its CA as the one onboarding packages carry and pin. */
export function withOwnCertificate(identity: EndpointIdentity, own: OwnCertificate | undefined): EndpointIdentity {
  if (!own) return identity;
  return { ...identity, caCertPem: own.caPem, caPin: caPinOf(own.caPem), serverCertPem: own.certPem, serverKeyPem: own.keyPem };
}
