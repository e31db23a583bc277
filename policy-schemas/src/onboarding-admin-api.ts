// Bodies of the admin API for onboarding packages as listable objects (GET /v1/admin/onboarding-packages, revoke by
// id) and for deleting a group that assignments still target. The token itself is never listed: only its short id.
import { type Static, Type } from '@sinclair/typebox';
import { DeviceTag } from './admin-api.js';
import { Timestamp, Uuid } from './primitives.js';

/** Hex characters of the token's SHA-256 that form an onboarding package id (48 bits: unique among a tenant's packages). */
export const ONBOARDING_PACKAGE_ID_LENGTH = 12;

/** An onboarding package's short id: the start of the SHA-256 (hex) of its enrollment token, stable and not secret. */
export const OnboardingPackageId = Type.String({ pattern: `^[0-9a-f]{${ONBOARDING_PACKAGE_ID_LENGTH}}$` });

/** One onboarding package as listed: limits and use, never the token. */
export const OnboardingPackageInfo = Type.Object(
  {
    id: OnboardingPackageId,
    description: Type.Union([Type.String(), Type.Null()]),
    tags: Type.Array(DeviceTag),
    createdAt: Timestamp,
    expiresAt: Timestamp,
    uses: Type.Integer({ minimum: 0 }),
    maxUses: Type.Integer({ minimum: 1 }),
    revoked: Type.Boolean(),
    /** What an enrollment with it would meet now: revoked wins over exhausted, exhausted over expired. */
    state: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('exhausted'), Type.Literal('revoked')]),
  },
  { additionalProperties: false, $id: 'urn:attache:onboarding-package-info', title: 'Onboarding package' },
);
export type OnboardingPackageInfo = Static<typeof OnboardingPackageInfo>;

/** GET /v1/admin/onboarding-packages: newest first. */
export const OnboardingPackageList = Type.Object(
  { onboardingPackages: Type.Array(OnboardingPackageInfo) },
  { additionalProperties: false, $id: 'urn:attache:onboarding-package-list', title: 'Onboarding package list' },
);
export type OnboardingPackageList = Static<typeof OnboardingPackageList>;

/** DELETE /v1/admin/groups/:id answer: the group and the assignments (configuration and compliance) removed with it. */
export const GroupDeleted = Type.Object(
  {
    groupId: Uuid,
    removedAssignments: Type.Array(Uuid),
    removedComplianceAssignments: Type.Array(Uuid),
  },
  { additionalProperties: false, $id: 'urn:attache:group-deleted', title: 'Group deleted' },
);
export type GroupDeleted = Static<typeof GroupDeleted>;

/** The package id of a token whose SHA-256 (hex) is `tokenSha256Hex` (the endpoint stores that hash; the CLI hashes the token it was given). */
export function onboardingPackageIdOf(tokenSha256Hex: string): string {
  return tokenSha256Hex.slice(0, ONBOARDING_PACKAGE_ID_LENGTH);
}
