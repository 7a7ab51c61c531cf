import {
  headerValue,
  type Identity,
  requestHeaders,
  TokenRejected,
  type TokenVerifier,
} from '@shop/shared';
import type { MiddlewareHandler } from 'hono';

export type AuthenticationEnv = {
  Variables: {
    /** Who is calling: a verified bearer token's identity, else null. */
    identity: Identity | null;
    /** Why a presented bearer token was refused; `roleGate` answers it, after the rate limit. */
    tokenRejection: TokenRejected | undefined;
  };
};

const BEARER = /^Bearer[ ]+(\S+)\s*$/i;

/**
 * Verifies an `Authorization: Bearer` token with `verifyToken` and sets `identity`. A token that
 * fails (or a malformed Bearer header) leaves the caller anonymous and sets `tokenRejection`;
 * the request is refused later, once the rate limit counted it against the client's address.
 * Other schemes (`Basic`) pass through untouched as anonymous.
 * @example app.use(authentication({ verifyToken })).use(rateLimit(limits)).use(roleGate());
 */
export function authentication(options: {
  verifyToken: TokenVerifier;
}): MiddlewareHandler<AuthenticationEnv> {
  const { verifyToken } = options;
  return async (c, next) => {
    let identity: Identity | null = null;
    let rejection: TokenRejected | undefined;
    const authorization = headerValue(requestHeaders(c), 'authorization');
    const bearer = authorization?.match(BEARER);
    if (bearer?.[1]) {
      try {
        identity = await verifyToken(bearer[1]);
      } catch (error) {
        if (!(error instanceof TokenRejected)) throw error;
        rejection = error;
      }
    } else if (authorization && /^Bearer\b/i.test(authorization)) {
      rejection = new TokenRejected('invalid', 'malformed bearer token');
    }
    c.set('identity', identity);
    c.set('tokenRejection', rejection);
    await next();
  };
}
