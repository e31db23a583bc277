// The onboarding package: everything a device needs to enroll with one endpoint and trust what it sends.
import { type Static, Type } from '@sinclair/typebox';
import { PolicySigningKey } from './policy.js';
import { Timestamp, Uuid } from './primitives.js';

/** An endpoint URL in an onboarding package: https, a host, an optional path. */
export const EndpointUrl = Type.String({ pattern: '^https://[^\\s/]+(/.*)?$', maxLength: 2048 });

/** The most alternate URLs a package may list (each costs a connection attempt when the preferred one is down). */
export const MAX_ALTERNATE_ENDPOINT_URLS = 8;

/** Alternate endpoint URLs: unique, at most MAX_ALTERNATE_ENDPOINT_URLS. */
export const AlternateEndpointUrls = Type.Array(EndpointUrl, { maxItems: MAX_ALTERNATE_ENDPOINT_URLS, uniqueItems: true });

export const OnboardingPackage = Type.Object(
  {
    formatVersion: Type.Literal(1),
    tenantId: Uuid,
    /** The preferred endpoint URL: the agent uses it first and returns to it after a failover. */
    endpointUrl: EndpointUrl,
    /**
     * Other URLs of the same deployment (replicas, load balancer names), in the order the agent tries them when the
     * preferred one cannot be reached. Absent in older packages. Distinct from endpointUrl (the agent checks that).
     */
    alternateEndpointUrls: Type.Optional(AlternateEndpointUrls),
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
