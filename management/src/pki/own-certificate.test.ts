// The checks of an own TLS certificate at start: key, validity, names, serverAuth, and that the pinned root issued it.
import 'reflect-metadata';
import { webcrypto, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../logging.js';
import { type CertificateAndKey, createCa, issueServerCertificate } from './certificates.js';
import type { EndpointIdentity } from './endpoint-identity.js';
import { checkOwnCertificate, loadOwnCertificate, withOwnCertificate } from './own-certificate.js';
import { caPinOf } from './pin.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A certificate certificates.ts does not make: an intermediate CA, or a leaf with a chosen extended key usage. */
async function issue(issuer: CertificateAndKey, subject: string, options: { ca?: boolean; names?: string[]; eku?: string[] }): Promise<CertificateAndKey> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const issuerKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decode(issuer.keyPem)[0] as ArrayBuffer, EC, false, ['sign']);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '01',
    subject: `CN=${subject}`,
    issuer: new x509.X509Certificate(issuer.certPem).subject,
    notBefore: new Date(NOW.getTime() - 60_000),
    notAfter: new Date(NOW.getTime() + 86_400_000),
    publicKey: keys.publicKey,
    signingKey: issuerKey,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(options.ca ?? false, undefined, true),
      ...(options.names ? [new x509.SubjectAlternativeNameExtension(options.names.map((value) => ({ type: 'dns' as const, value })))] : []),
      ...(options.eku ? [new x509.ExtendedKeyUsageExtension(options.eku)] : []),
    ],
  });
  const keyPem = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  return { certPem: cert.toString('pem'), keyPem };
}
const FILES = { certFile: 'server.pem', keyFile: 'server.key', caFile: 'ca.pem' };
let ca: CertificateAndKey;
let otherCa: CertificateAndKey;
let server: CertificateAndKey;
let dir: string;

beforeAll(async () => {
  ca = await createCa('Operator Root CA', NOW);
  otherCa = await createCa('Other CA', NOW);
  server = await issueServerCertificate(ca, ['attache.example.org', '10.0.0.5'], NOW);
  dir = await mkdtemp(join(tmpdir(), 'attache-own-cert-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const check =
  (pems: Partial<{ certPem: string; keyPem: string; caPem: string }>, names = ['attache.example.org'], now = NOW) =>
  () =>
    checkOwnCertificate({ certPem: server.certPem, keyPem: server.keyPem, caPem: ca.certPem, ...pems }, FILES, names, now);

describe('checkOwnCertificate', () => {
  it('accepts a certificate its root issued, covering the names, and returns the CA certificate alone', () => {
    expect(check({ caPem: `# operator root\n${ca.certPem}` }, ['attache.example.org', '10.0.0.5'])()).toBe(`${ca.certPem}\n`);
  });

  it('refuses a key that is not the certificate’s, naming the key file', () => {
    expect(check({ keyPem: otherCa.keyPem })).toThrow('server.key is not the private key of the certificate in server.pem');
    expect(check({ keyPem: 'garbage' })).toThrow('server.key is not a readable PEM private key');
  });

  it('refuses a certificate that is not valid now', () => {
    expect(check({}, undefined, new Date('2035-01-01T00:00:00Z'))).toThrow(/in server\.pem is not valid now \(valid from 2026-05-31T23:59:00\.000Z/);
  });

  it('refuses a certificate that does not cover the public host name, listing what it covers', () => {
    expect(check({}, ['lb.example.org'])).toThrow(
      'the certificate in server.pem does not cover lb.example.org; it covers DNS:attache.example.org, IP Address:10.0.0.5',
    );
  });

  it('refuses a CA that did not issue the certificate, a non-CA, and a file of several certificates', () => {
    expect(check({ caPem: otherCa.certPem })).toThrow('the certificate in server.pem is not issued by the CA in ca.pem');
    expect(check({ caPem: server.certPem })).toThrow('the certificate in ca.pem is not a CA certificate');
    expect(check({ caPem: ca.certPem + otherCa.certPem })).toThrow('ca.pem must hold exactly one certificate, the root CA agents pin (it holds 2)');
    expect(check({ caPem: 'nothing' })).toThrow('ca.pem holds no PEM certificate');
  });

  it('follows intermediates after the server certificate to the root, and refuses an intermediate as the pinned CA', async () => {
    const intermediate = await issue(ca, 'Operator Issuing CA', { ca: true });
    const leaf = await issueServerCertificate(intermediate, ['attache.example.org'], NOW);
    const fullChain = `${leaf.certPem}\n${intermediate.certPem}`;
    expect(check({ certPem: fullChain, keyPem: leaf.keyPem })()).toBe(`${ca.certPem}\n`);
    expect(check({ certPem: leaf.certPem, keyPem: leaf.keyPem })).toThrow('is not issued by the CA in ca.pem (directly or through intermediates');
    expect(check({ certPem: fullChain, keyPem: leaf.keyPem, caPem: intermediate.certPem })).toThrow('the CA in ca.pem is not a self-signed root');
  });

  it('refuses a certificate whose extended key usage lacks serverAuth', async () => {
    const client = await issue(ca, 'client', { names: ['attache.example.org'], eku: [x509.ExtendedKeyUsage.clientAuth] });
    expect(check({ certPem: client.certPem, keyPem: client.keyPem })).toThrow(
      'the certificate in server.pem is not for TLS servers (its extended key usage lacks serverAuth)',
    );
  });

  it('refuses a certificate without names (the CA certificate itself as server certificate)', () => {
    expect(check({ certPem: ca.certPem, keyPem: ca.keyPem })).toThrow('does not cover attache.example.org; it covers no subject alternative name');
  });
});

/** What loadOwnCertificate logged: [level, message, fields]. */
function recordingLogger(): { logger: Logger; lines: [string, string, Record<string, unknown>][] } {
  const lines: [string, string, Record<string, unknown>][] = [];
  const at = (level: string) => (message: string, fields: Record<string, unknown>) => lines.push([level, message, fields]);
  return { logger: { child: () => ({ info: at('info'), warn: at('warn') }) } as unknown as Logger, lines };
}

describe('loadOwnCertificate', () => {
  const files = { certFile: '', keyFile: '', caFile: '' };
  beforeAll(async () => {
    Object.assign(files, { certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server.key'), caFile: join(dir, 'ca.pem') });
    await writeFile(files.certFile, server.certPem);
    await writeFile(files.keyFile, server.keyPem);
    await writeFile(files.caFile, ca.certPem);
  });

  it('reads the files, needs a public URL, and names a file it cannot read', async () => {
    const { logger, lines } = recordingLogger();
    const deps = { now: NOW, logger };
    const own = await loadOwnCertificate(files, { publicUrl: 'https://attache.example.org:8443', extraNames: ['10.0.0.5'] }, deps);
    expect(own).toEqual({ certPem: server.certPem, keyPem: server.keyPem, caPem: `${ca.certPem}\n`, caFile: files.caFile });
    expect(lines).toEqual([
      ['info', 'own TLS certificate in use', expect.objectContaining({ names: ['attache.example.org', '10.0.0.5'], caPin: caPinOf(ca.certPem) })],
    ]);
    await expect(loadOwnCertificate(files, { publicUrl: undefined, extraNames: [] }, deps)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('needs --public-url'),
    });
    await expect(
      loadOwnCertificate({ ...files, keyFile: join(dir, 'missing.key') }, { publicUrl: 'https://attache.example.org', extraNames: [] }, deps),
    ).rejects.toThrow(`cannot read TLS key ${join(dir, 'missing.key')}`);
  });

  it('warns when the certificate expires within 30 days', async () => {
    const { logger, lines } = recordingLogger();
    const late = new Date(new Date(new X509Certificate(server.certPem).validTo).getTime() - 86_400_000);
    await loadOwnCertificate(files, { publicUrl: 'https://attache.example.org', extraNames: [] }, { now: late, logger });
    expect(lines.map(([level, message]) => `${level} ${message}`)).toEqual(['info own TLS certificate in use', 'warn own TLS certificate expires soon']);
  });

  it('puts the own certificate and its CA pin into the identity', () => {
    const identity = { tenantId: 't', caCertPem: 'own-ca', caPin: 'own-pin', serverCertPem: 'c', serverKeyPem: 'k' } as unknown as EndpointIdentity;
    const own = { certPem: server.certPem, keyPem: server.keyPem, caPem: ca.certPem, caFile: '/x/ca.pem' };
    expect(withOwnCertificate(identity, own)).toMatchObject({
      tenantId: 't',
      caCertPem: ca.certPem,
      caPin: caPinOf(ca.certPem),
      serverCertPem: server.certPem,
    });
    expect(withOwnCertificate(identity, undefined)).toBe(identity);
  });
});
