import type { Database, RateLimiter } from '@shop/shared';
import type { LoginBackoff } from './domain/login-backoff.js';
import type { LoginThrottle } from './login-throttle.js';
import type { PasswordHasher } from './password-hasher.js';
import type { SigningKeys } from './signing-keys.js';

export type { LoginBackoff } from './domain/login-backoff.js';

/** A rate limit: `limit` requests per sliding `windowSeconds`. */
export interface Limit {
  limit: number;
  windowSeconds: number;
}

/**
 * Default limits: login attempts per (account, client IP) pair with a growing wait, login
 * attempts per IP, signups per IP. There is no limit per account alone: any address could then
 * lock its owner out (README, Login).
 */
export const DEFAULT_LIMITS: {
  loginPerAccountAndIp: LoginBackoff;
  loginPerIp: Limit;
  signupPerIp: Limit;
} = {
  loginPerAccountAndIp: {
    freeAttempts: 5,
    baseDelaySeconds: 5,
    maxDelaySeconds: 15 * 60,
    forgetAfterSeconds: 24 * 3600,
  },
  loginPerIp: { limit: 20, windowSeconds: 60 },
  signupPerIp: { limit: 10, windowSeconds: 60 },
};

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
  limiters: Record<'loginPerIp' | 'signupPerIp', RateLimiter & Limit>;
  loginThrottle: LoginThrottle;
  onEventsRecorded: () => void;
}
