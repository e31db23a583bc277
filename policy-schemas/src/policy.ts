// Policies: the document an admin writes, the immutable signed version the endpoint hands to devices.
import { type Static, Type } from '@sinclair/typebox';
import { settingsSchemaOf } from './catalog/index.js';
import { DisplayName, POLICY_KINDS, PolicyKind, PublicKey, SettingValue, Signature, Timestamp, Uuid } from './primitives.js';

const Settings = Type.Record(Type.String({ minLength: 1, maxLength: 200 }), SettingValue, { maxProperties: 500 });

/** What an admin submits to create a policy or a new version of one. Settings are checked against the catalog too. */
export const PolicyDocument = Type.Object(
  {
    name: DisplayName,
    kind: PolicyKind,
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    settings: Settings,
  },
  { additionalProperties: false, $id: 'urn:attache:policy-document', title: 'Policy document' },
);
export type PolicyDocument = Static<typeof PolicyDocument>;

/** Per-kind schemas of a policy's `settings`, built from the catalog so they cannot drift from it. */
export const PolicySettingsSchemas = POLICY_KINDS.map((kind) => ({
  ...settingsSchemaOf(kind),
  $id: policySettingsSchemaId(kind),
  title: `Settings of a ${kind} policy`,
}));

export function policySettingsSchemaId(kind: PolicyKind): string {
  return `urn:attache:policy-settings-${kind}`;
}

/** The signed part of a policy version. Immutable once issued; tenantId stops replay across tenants. */
export const PolicyPayload = Type.Object(
  {
    policyId: Uuid,
    version: Type.Integer({ minimum: 1 }),
    tenantId: Uuid,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: PolicyKind,
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    settings: Settings,
    createdAt: Timestamp,
  },
  { additionalProperties: false, $id: 'urn:attache:policy-payload', title: 'Policy payload (signed)' },
);
export type PolicyPayload = Static<typeof PolicyPayload>;

/** A policy version as delivered: the payload and an Ed25519 signature over its canonical JSON. */
export const SignedPolicy = Type.Object(
  {
    payload: PolicyPayload,
    keyId: Type.String({ pattern: '^[0-9a-f]{32}$' }),
    signature: Signature,
  },
  { additionalProperties: false, $id: 'urn:attache:signed-policy', title: 'Signed policy' },
);
export type SignedPolicy = Static<typeof SignedPolicy>;

/** One policy of a device's set: which version of it the device must hold. */
export const ManifestEntry = Type.Object({ policyId: Uuid, version: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
export type ManifestEntry = Static<typeof ManifestEntry>;

/**
 * The policy set of one device, signed by the endpoint with the policy-signing key: binds the list itself (not just
 * each policy) to the device, so nobody between the endpoint's signing key and the agent can withhold a policy, add
 * one, or replay an older list. `setVersion` grows by one whenever the device's set changes; the agent keeps the
 * highest it applied as a floor.
 */
export const PolicySetManifest = Type.Object(
  {
    deviceId: Uuid,
    tenantId: Uuid,
    setVersion: Type.Integer({ minimum: 1 }),
    /** When this set version was created (stays the same while the set does). */
    issuedAt: Timestamp,
    /** Every assigned policy with its current version, sorted by policy id. */
    policies: Type.Array(ManifestEntry, { maxItems: 500 }),
  },
  { additionalProperties: false, $id: 'urn:attache:policy-set-manifest', title: 'Policy set manifest' },
);
export type PolicySetManifest = Static<typeof PolicySetManifest>;

/** The manifest and an Ed25519 signature over its canonical JSON (same key as the policies). */
export const SignedPolicySetManifest = Type.Object(
  { payload: PolicySetManifest, keyId: Type.String({ pattern: '^[0-9a-f]{32}$' }), signature: Signature },
  { additionalProperties: false, $id: 'urn:attache:signed-policy-set-manifest', title: 'Signed policy set manifest' },
);
export type SignedPolicySetManifest = Static<typeof SignedPolicySetManifest>;

/** The policy-signing public key a device pins at onboarding. */
export const PolicySigningKey = Type.Object({ keyId: Type.String({ pattern: '^[0-9a-f]{32}$' }), publicKey: PublicKey }, { additionalProperties: false });
export type PolicySigningKey = Static<typeof PolicySigningKey>;
