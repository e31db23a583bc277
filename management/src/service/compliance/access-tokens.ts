// Tokens of conditional-access gateways: created by an admin (shown once), stored as SHA-256 only, revocable. They
// authorize GET /v1/access/devices/:id and nothing else; the admin token is accepted there too. Valid hashes are kept
// in memory so checking a token on the request path is one hash and one set lookup; with replicas the set is re-read
// from the store every ACCESS_TOKEN_REFRESH_MS (refresh), so a token created or revoked through another replica
// takes effect here within that time.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../../common/clock.js';
import { AttacheError } from '../../../../common/errors.js';
import { validate } from '../../../../common/validation.js';
import { type AccessToken, AccessTokenCreated, AccessTokenCreateRequest } from '../../../../policy-schemas/src/index.js';
import type { Logger } from '../../logging.js';
import { ACCESS_TOKEN_PREFIX, newSecretToken, tokenHash } from '../../pki/tokens.js';
import type { AccessTokenRecord } from '../../store/compliance-store.js';
import type { ManagementStore } from '../../store/store.js';

function view(record: AccessTokenRecord): AccessToken {
  return {
    tokenId: record.tokenId,
    ...(record.description === undefined ? {} : { description: record.description }),
    createdAt: record.createdAt,
    revokedAt: record.revokedAt,
  };
}

/** How often replicas re-read the accepted hashes (a revocation through another replica takes at most this long). */
export const ACCESS_TOKEN_REFRESH_MS = 5_000;

/** The access tokens, with an in-memory set of the hashes that are accepted. */
export class AccessTokenRegistry {
  private accepted = new Set<string>();

  constructor(
    private readonly adminTokenHash: string,
    private readonly deps: { store: ManagementStore; clock: Pick<Clock, 'now'>; logger: Logger },
  ) {
    this.accepted.add(adminTokenHash);
  }

  /** Loads the hashes of unrevoked tokens (at start-up; `refresh` later, for replicas). */
  async load(): Promise<void> {
    const accepted = new Set([this.adminTokenHash]);
    for (const t of await this.deps.store.listAccessTokens()) if (t.revokedAt === null) accepted.add(t.tokenHash);
    this.accepted = accepted;
  }

  /** Re-reads the accepted hashes; a failed read keeps the current set (logged). */
  async refresh(): Promise<void> {
    await this.load().catch((err: unknown) => {
      this.deps.logger.warn('access tokens not refreshed', { component: 'access', error: (err as Error).message });
    });
  }

  /**
   * True when the bearer token is the admin token or an unrevoked access token. The lookup is by SHA-256 of the
   * presented token, so timing reveals nothing about a stored token, only about hashes an attacker already chose.
   */
  accepts(token: string): boolean {
    return this.accepted.has(tokenHash(token));
  }

  /** Creates a token; the answer is the only place it ever appears. */
  async create(body: unknown): Promise<AccessTokenCreated> {
    const request = validate(AccessTokenCreateRequest, body ?? {}, 'access token request');
    const token = newSecretToken(ACCESS_TOKEN_PREFIX);
    const record: AccessTokenRecord = {
      tokenId: randomUUID(),
      tokenHash: tokenHash(token),
      ...(request.description === undefined ? {} : { description: request.description }),
      createdAt: new Date(this.deps.clock.now()).toISOString(),
      revokedAt: null,
    };
    await this.deps.store.createAccessToken(record);
    this.accepted.add(record.tokenHash);
    this.deps.logger.info('access token created', { component: 'access', tokenId: record.tokenId });
    return validate(AccessTokenCreated, { ...view(record), token }, 'access token', 'INTERNAL');
  }

  async list(): Promise<AccessToken[]> {
    return (await this.deps.store.listAccessTokens()).map(view);
  }

  /** Revokes a token at once (NOT_FOUND when unknown or already revoked). */
  async revoke(tokenId: string): Promise<void> {
    const record = (await this.deps.store.listAccessTokens()).find((t) => t.tokenId === tokenId);
    if (!record || !(await this.deps.store.revokeAccessToken(tokenId, new Date(this.deps.clock.now()).toISOString()))) {
      throw new AttacheError('NOT_FOUND', `access token ${tokenId} does not exist or is already revoked`);
    }
    if (record.tokenHash !== this.adminTokenHash) this.accepted.delete(record.tokenHash);
    this.deps.logger.info('access token revoked', { component: 'access', tokenId });
  }
}
