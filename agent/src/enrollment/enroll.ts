// Enrollment: check the onboarding package, create the device key pair on the device, register the public key,
// and store the resulting directory identity. The private key never leaves the state dir.
import { createHash, X509Certificate } from 'node:crypto';
import { AttacheError } from '../../../common/errors.js';
import { enrollmentProofString, generateEd25519KeyPair, signBytes } from '../../../common/signing.js';
import { validate } from '../../../common/validation.js';
import { type AgentIdentity, OnboardingPackage, type OnboardingPackage as OnboardingPackageT } from '../../../policy-schemas/src/index.js';
import type { AgentHost } from '../platform/index.js';
import type { StateStore } from '../state/state-store.js';
import { EndpointClient } from '../transport/endpoint-client.js';
import { AGENT_VERSION } from '../version.js';

export interface EnrollOptions {
  /** Parsed JSON of the onboarding package file. */
  readonly onboardingPackage: unknown;
  /** A pin the admin gave out of band; when set it must match the package's CA. */
  readonly expectedCaPin?: string;
  readonly force?: boolean;
}

/** Pins already computed, by PEM: parsing the certificate is most of the cost, and a fleet host repeats it. */
const MAX_KNOWN_PINS = 8;
const knownPins = new Map<string, string>();

/** The `sha256/<base64>` pin of a PEM certificate (throws for a PEM that is not a readable certificate). */
export function caPinOf(pem: string): string {
  let pin = knownPins.get(pem);
  if (pin === undefined) {
    pin = `sha256/${createHash('sha256').update(new X509Certificate(pem).raw).digest('base64')}`;
    knownPins.set(pem, pin);
    if (knownPins.size > MAX_KNOWN_PINS) knownPins.delete(knownPins.keys().next().value as string);
  }
  return pin;
}

/** Checks the package without touching the network: schema, CA pin, expiry. */
export function checkOnboardingPackage(data: unknown, now: number, expectedCaPin?: string): OnboardingPackageT {
  const pkg = validate(OnboardingPackage, data, 'onboarding package');
  let pin: string;
  try {
    pin = caPinOf(pkg.caCertificate);
  } catch (err) {
    throw new AttacheError('SCHEMA_INVALID', 'onboarding package is invalid: /caCertificate is not a readable X.509 certificate', { cause: err });
  }
  if (pin !== pkg.caPin) throw new AttacheError('TLS_PIN_MISMATCH', `onboarding package CA does not match its pin ${pkg.caPin}`);
  if (expectedCaPin !== undefined && expectedCaPin !== pin)
    throw new AttacheError('TLS_PIN_MISMATCH', `onboarding package CA ${pin} is not the expected ${expectedCaPin}`);
  // The schema keeps the alternates unique; that they differ from the preferred URL needs both fields.
  const preferred = new URL(pkg.endpointUrl).href;
  const again = (pkg.alternateEndpointUrls ?? []).find((url) => new URL(url).href === preferred);
  if (again !== undefined)
    throw new AttacheError('SCHEMA_INVALID', `onboarding package is invalid: /alternateEndpointUrls lists the endpointUrl ${again} again`);
  if (Date.parse(pkg.expiresAt) <= now) throw new AttacheError('ENROLLMENT_TOKEN_EXPIRED', `onboarding package expired at ${pkg.expiresAt}`);
  return pkg;
}

/** Enrolls this device and writes identity.json + device-key.pem. */
export async function enroll(options: EnrollOptions, deps: { store: StateStore; host: AgentHost; now: () => number }): Promise<AgentIdentity> {
  const pkg = checkOnboardingPackage(options.onboardingPackage, deps.now(), options.expectedCaPin);
  await deps.store.init();
  const existing = await deps.store.readIdentity().catch(() => undefined);
  if (existing && !options.force) {
    throw new AttacheError('ALREADY_ENROLLED', `already enrolled as device ${existing.deviceId}; pass --force to enroll again with a new identity`);
  }
  const keys = generateEd25519KeyPair();
  const proof = signBytes(keys.privateKey, enrollmentProofString(pkg.enrollmentToken, keys.publicKey));
  const alternates = pkg.alternateEndpointUrls ?? [];
  // Tried in the package's order: an unreachable URL moves the request to the next one (EndpointClient).
  const client = new EndpointClient({ endpointUrl: pkg.endpointUrl, alternateEndpointUrls: alternates, caCertificate: pkg.caCertificate });
  try {
    const answer = await client.enroll({ enrollmentToken: pkg.enrollmentToken, publicKey: keys.publicKey, proof, device: deps.host.facts(AGENT_VERSION) });
    if (answer.tenantId !== pkg.tenantId)
      throw new AttacheError('ENDPOINT_ERROR', `endpoint enrolled us in tenant ${answer.tenantId}, package says ${pkg.tenantId}`);
    const identity: AgentIdentity = {
      formatVersion: 1,
      deviceId: answer.deviceId,
      tenantId: answer.tenantId,
      endpointUrl: pkg.endpointUrl,
      ...(alternates.length > 0 ? { alternateEndpointUrls: alternates } : {}),
      caCertificate: pkg.caCertificate,
      policySigningKey: pkg.policySigningKey,
      publicKey: keys.publicKey,
      enrolledAt: answer.enrolledAt,
    };
    // A new identity starts clean: the old device's policies, status and queued reports are not ours any more.
    if (existing) await deps.store.forgetDeviceState();
    await deps.store.writeIdentity(identity, keys.privateKeyPem);
    return identity;
  } finally {
    client.close();
  }
}
