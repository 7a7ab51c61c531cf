import type { Database, RateLimiter } from '@shop/shared';
import type { PasswordHasher } from './password-hasher.js';
import type { SigningKeys } from './signing-keys.js';

/** A rate limit: `limit` requests per sliding `windowSeconds`. */
export interface Limit {
  limit: number;
  windowSeconds: number;
}

/** Default limits: failed logins per account, login attempts per IP, signups per IP. */
export const DEFAULT_LIMITS = {
  loginPerAccount: { limit: 5, windowSeconds: 15 * 60 },
  loginPerIp: { limit: 20, windowSeconds: 60 },
  signupPerIp: { limit: 10, windowSeconds: 60 },
} satisfies Record<string, Limit>;

/** The dependencies route handlers use, defaults filled in (see `createApp`). */
export interface AuthDeps {
  db: Database;
  keys: SigningKeys;
  clock: () => Date;
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  refreshIdleSeconds: number;
  refreshAbsoluteSeconds: number;
  hasher: PasswordHasher;
  commonPasswords: ReadonlySet<string>;
  limiters: Record<keyof typeof DEFAULT_LIMITS, RateLimiter & Limit>;
  onEventsRecorded: () => void;
}
