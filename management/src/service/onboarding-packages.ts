// Onboarding packages as admins list and revoke them: each enrollment token by a short id derived from its hash
// (the token itself was shown once, at creation, and is never stored).
import { AttacheError } from '../../../common/errors.js';
import { type OnboardingPackageInfo, type OnboardingPackageList, onboardingPackageIdOf } from '../../../policy-schemas/src/index.js';
import type { EnrollmentTokenRecord } from '../store/store.js';
import type { ServiceContext } from './context.js';

/** What an enrollment with the token would meet at `nowMs` (the same order of checks as enrollment). */
function stateOf(token: EnrollmentTokenRecord, nowMs: number): OnboardingPackageInfo['state'] {
  if (token.revoked) return 'revoked';
  if (Date.parse(token.expiresAt) <= nowMs) return 'expired';
  return token.uses >= token.maxUses ? 'exhausted' : 'active';
}

function infoOf(t: EnrollmentTokenRecord, nowMs: number): OnboardingPackageInfo {
  return {
    id: onboardingPackageIdOf(t.tokenHash),
    description: t.description,
    tags: [...t.tags],
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    uses: t.uses,
    maxUses: t.maxUses,
    revoked: t.revoked,
    state: stateOf(t, nowMs),
  };
}

/** Every onboarding package, newest first, with its use and state; never its token. */
export async function listOnboardingPackages(ctx: ServiceContext): Promise<OnboardingPackageList> {
  const now = ctx.clock.now();
  return { onboardingPackages: (await ctx.store.listEnrollmentTokens()).map((t) => infoOf(t, now)) };
}

/** Revokes the package with this id (idempotent): enrollment refuses its token from now on; enrolled devices stay. */
export async function revokeOnboardingPackage(ctx: ServiceContext, id: string): Promise<OnboardingPackageInfo> {
  const matches = (await ctx.store.listEnrollmentTokens()).filter((t) => onboardingPackageIdOf(t.tokenHash) === id.toLowerCase());
  const token = matches[0];
  if (!token) throw new AttacheError('NOT_FOUND', `onboarding package ${id} does not exist`);
  if (matches.length > 1) throw new AttacheError('CONFLICT', `onboarding package id ${id} names ${matches.length} packages`);
  if (!(await ctx.store.revokeEnrollmentToken(token.tokenHash))) throw new AttacheError('NOT_FOUND', `onboarding package ${id} does not exist`);
  ctx.logger.info('onboarding package revoked', { component: 'enrollment', onboardingPackageId: onboardingPackageIdOf(token.tokenHash) });
  return infoOf({ ...token, revoked: true }, ctx.clock.now());
}
