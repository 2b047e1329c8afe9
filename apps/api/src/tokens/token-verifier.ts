import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AuthToken } from '../auth/auth-token.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { hashSecret, parseToken, sameHash } from './token-secret.js';
import { TokenRepository } from './token.repository.js';

/** How often a token's `last_used_at` is brought up to date (token.repository.ts touch). */
const TOUCH_EVERY_MS = 60_000;

/** The configured SANDTRAP_ADMIN_TOKEN acts as this admin (it has no row: it lives in the environment). */
export const ENV_ADMIN: AuthToken = { id: 'env-admin', name: 'SANDTRAP_ADMIN_TOKEN', role: 'admin' };

/**
 * Turns a bearer string into the caller. Looks the row up on every request (by primary key), so a
 * revocation takes effect at once on every replica.
 */
@Injectable()
export class TokenVerifier {
  private readonly logger = new Logger(TokenVerifier.name);
  private readonly envAdminHash: Buffer | undefined;

  constructor(
    private readonly tokens: TokenRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.envAdminHash = config.adminToken === undefined ? undefined : hashSecret(config.adminToken);
  }

  async verify(bearer: string): Promise<AuthToken | undefined> {
    const parsed = parseToken(bearer);
    if (!parsed) {
      return this.envAdminHash && sameHash(hashSecret(bearer), this.envAdminHash) ? ENV_ADMIN : undefined;
    }
    const found = await this.tokens.findActiveWithHash(parsed.id);
    if (!found || !sameHash(hashSecret(parsed.secret), found.secretHash)) return undefined;
    // The row says when use was last marked: only then is the UPDATE worth a round trip.
    const lastUsed = found.token.lastUsedAt === null ? 0 : Date.parse(found.token.lastUsedAt);
    if (Date.now() - lastUsed >= TOUCH_EVERY_MS) {
      this.tokens
        .touch(found.token.id)
        .catch((e: Error) => this.logger.warn(`Could not mark token use: ${e.message}`));
    }
    const { id, name, role, hostId, hostName } = found.token;
    return { id, name, role, ...(hostId ? { hostId, hostName: hostName ?? undefined } : {}) };
  }
}
