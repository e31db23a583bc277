// Onboarding and enrollment: issuing onboarding packages (the one time a token is shown) and turning a token plus
// a proof of key possession into a device record.
import { randomUUID } from 'node:crypto';
import { isoNow } from '../../../common/clock.js';
import { AttacheError } from '../../../common/errors.js';
import { enrollmentProofString, publicKeyFromRaw, verifyBytes } from '../../../common/signing.js';
import { validate } from '../../../common/validation.js';
import {
  EnrollRequest,
  type EnrollResponse,
  MAX_ALTERNATE_ENDPOINT_URLS,
  OnboardingCreateRequest,
  OnboardingPackage,
} from '../../../policy-schemas/src/index.js';
import { ENROLLMENT_TOKEN_PREFIX, newSecretToken, tokenHash } from '../pki/tokens.js';
import type { ServiceContext } from './context.js';
import { matchingGroups, normaliseTags } from './targeting.js';

/** Defaults of an onboarding package: valid one day, single use. */
export const ONBOARDING_DEFAULTS = { expiresInMinutes: 1440, maxUses: 1 } as const;

/**
 * Checks the endpoint's alternate URLs (`serve --alternate-url`, already normalised): at most
 * MAX_ALTERNATE_ENDPOINT_URLS, none twice, none equal to the public URL. Returns them in the order given.
 */
export function checkAlternateUrls(urls: readonly string[], publicUrl: string | undefined): readonly string[] {
  if (urls.length > MAX_ALTERNATE_ENDPOINT_URLS)
    throw new AttacheError('CONFIG_INVALID', `at most ${MAX_ALTERNATE_ENDPOINT_URLS} alternate URLs, got ${urls.length}`);
  const seen = new Set<string>(publicUrl === undefined ? [] : [publicUrl]);
  for (const url of urls) {
    if (seen.has(url)) throw new AttacheError('CONFIG_INVALID', `alternate URL ${url} is listed twice or is the public URL`);
    seen.add(url);
  }
  return urls;
}

/** Creates an enrollment token and returns the full onboarding package (validated before the token is stored). */
export async function createOnboardingPackage(ctx: ServiceContext, body: unknown): Promise<OnboardingPackage> {
  const request = validate(OnboardingCreateRequest, body ?? {}, 'onboarding request');
  const now = ctx.clock.now();
  const token = newSecretToken(ENROLLMENT_TOKEN_PREFIX);
  const issuedAt = new Date(now).toISOString();
  const expiresAt = new Date(now + (request.expiresInMinutes ?? ONBOARDING_DEFAULTS.expiresInMinutes) * 60_000).toISOString();
  const pkg = validate(
    OnboardingPackage,
    {
      formatVersion: 1,
      tenantId: ctx.identity.tenantId,
      endpointUrl: ctx.publicUrl,
      // After the public URL, in the order configured; a defaulted public URL equal to one of them is not repeated.
      ...alternatesOf(ctx),
      caCertificate: ctx.identity.caCertPem,
      caPin: ctx.identity.caPin,
      policySigningKey: { keyId: ctx.signingKeys.active().keyId, publicKey: ctx.signingKeys.active().publicKey },
      enrollmentToken: token,
      expiresAt,
      issuedAt,
    },
    'onboarding package',
    'INTERNAL',
  );
  await ctx.store.createEnrollmentToken({
    tokenHash: tokenHash(token),
    createdAt: issuedAt,
    expiresAt,
    maxUses: request.maxUses ?? ONBOARDING_DEFAULTS.maxUses,
    ...(request.description === undefined ? {} : { description: request.description }),
    tags: normaliseTags(request.tags ?? []),
  });
  ctx.logger.info('onboarding package created', { component: 'enrollment', expiresAt, maxUses: request.maxUses ?? ONBOARDING_DEFAULTS.maxUses });
  return pkg;
}

function alternatesOf(ctx: ServiceContext): { alternateEndpointUrls?: string[] } {
  const alternates = (ctx.alternateUrls ?? []).filter((url) => url !== ctx.publicUrl);
  return alternates.length > 0 ? { alternateEndpointUrls: alternates } : {};
}

/** Enrolls a device: checks the proof of possession, then uses the token and creates the device in one transaction. */
export async function enrollDevice(ctx: ServiceContext, body: unknown): Promise<EnrollResponse> {
  const request = validate(EnrollRequest, body, 'enroll request');
  const proofOk = verifyBytes(publicKeyFromRaw(request.publicKey), enrollmentProofString(request.enrollmentToken, request.publicKey), request.proof);
  if (!proofOk) throw new AttacheError('ENROLLMENT_PROOF_INVALID', 'the enrollment proof does not verify with the public key being registered');
  // Dynamic groups are evaluated on what the device enrolls with (platform, OS edition, its package's tags) and joined
  // in the enrollment's transaction. Nothing to nudge: a device that did not exist has no push channel yet.
  const { groups } = await ctx.store.listDynamicGroups();
  const device = await ctx.store.enrollDevice({
    tokenHash: tokenHash(request.enrollmentToken),
    now: isoNow(ctx.clock),
    deviceId: randomUUID(),
    publicKey: request.publicKey,
    facts: request.device,
    dynamicGroups: (d) => matchingGroups(groups, d),
  });
  // Its first compliance evaluation, with its groups' compliance policies: the access decision exists from enrollment on.
  await ctx.compliance.evaluateEnrolled(device);
  ctx.logger.info('device enrolled', { component: 'enrollment', deviceId: device.deviceId, hostname: device.hostname, platform: device.platform });
  return { deviceId: device.deviceId, tenantId: ctx.identity.tenantId, enrolledAt: device.enrolledAt };
}
