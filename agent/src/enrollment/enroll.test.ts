// The CA pin of an onboarding package: the SHA-256 of the certificate's DER, the same on every call (remembered per PEM,
// also past the memory's bound), and an unreadable PEM refused every time, never remembered. The package check of the
// alternate endpoint URLs: an old package without them passes, a bad or repeated one is refused naming the field.
import { createHash, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { onboardingPackage } from '../../../test/fuzz-samples.js';
import { caPinOf, checkOnboardingPackage } from './enroll.js';

const pems: string[] = [];
beforeAll(async () => {
  // Each sample package has a CA of its own.
  for (let i = 0; i < 10; i++) pems.push((await onboardingPackage()).caCertificate as string);
});

const expected = (pem: string) => `sha256/${createHash('sha256').update(new X509Certificate(pem).raw).digest('base64')}`;

describe('caPinOf', () => {
  it('gives each certificate its own pin, again and again, past the bound of remembered pins', () => {
    for (let round = 0; round < 3; round++) for (const pem of pems) expect(caPinOf(pem)).toBe(expected(pem));
    expect(new Set(pems.map(caPinOf)).size).toBe(pems.length);
  });

  it('refuses a PEM that is not a readable certificate every time', () => {
    const broken = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(() => caPinOf(broken)).toThrow();
    expect(() => caPinOf(broken)).toThrow();
  });
});

describe('checkOnboardingPackage: alternate endpoint URLs', () => {
  const at = (pkg: Record<string, unknown>) => Date.parse(pkg.issuedAt as string);

  it('accepts a package without them (older endpoints) and one listing other https URLs', async () => {
    const pkg = await onboardingPackage();
    expect(checkOnboardingPackage(pkg, at(pkg)).alternateEndpointUrls).toBeUndefined();
    const alternates = ['https://replica-2.example:8443', 'https://lb.example'];
    expect(checkOnboardingPackage({ ...pkg, alternateEndpointUrls: alternates }, at(pkg)).alternateEndpointUrls).toEqual(alternates);
  });

  it('refuses a plain-http URL, a repeated URL, more than 8, and the preferred URL listed again', async () => {
    const pkg = await onboardingPackage();
    const check = (alternateEndpointUrls: unknown) => () => checkOnboardingPackage({ ...pkg, alternateEndpointUrls }, at(pkg));
    expect(check(['http://replica.example'])).toThrow(/alternateEndpointUrls/);
    expect(check(['https://a.example', 'https://a.example'])).toThrow(/alternateEndpointUrls/);
    expect(check(Array.from({ length: 9 }, (_, i) => `https://r${i}.example`))).toThrow(/alternateEndpointUrls/);
    expect(check([`${pkg.endpointUrl as string}/`])).toThrow(/alternateEndpointUrls lists the endpointUrl/);
  });
});
