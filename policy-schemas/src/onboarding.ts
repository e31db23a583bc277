// The onboarding package: everything a device needs to enroll with one endpoint and trust what it sends.
import { type Static, Type } from '@sinclair/typebox';
import { PolicySigningKey } from './policy.js';
import { Timestamp, Uuid } from './primitives.js';

export const OnboardingPackage = Type.Object(
  {
    formatVersion: Type.Literal(1),
    tenantId: Uuid,
    endpointUrl: Type.String({ pattern: '^https://[^\\s/]+(/.*)?$', maxLength: 2048 }),
    /** PEM of the endpoint's own CA; the agent trusts only this CA for the endpoint. */
    caCertificate: Type.String({ pattern: '^-----BEGIN CERTIFICATE-----', maxLength: 16384 }),
    /** sha256/<base64> of the CA certificate DER, so an admin can compare it out of band. */
    caPin: Type.String({ pattern: '^sha256/[A-Za-z0-9+/]{43}=$' }),
    policySigningKey: PolicySigningKey,
    enrollmentToken: Type.String({ pattern: '^att_enr_[A-Za-z0-9_-]{43}$' }),
    expiresAt: Timestamp,
    issuedAt: Timestamp,
  },
  { additionalProperties: false, $id: 'urn:attache:onboarding-package', title: 'Onboarding package' },
);
export type OnboardingPackage = Static<typeof OnboardingPackage>;
