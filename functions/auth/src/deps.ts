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
  mailPerIp: Limit;
  mailPerAccount: Limit;
  tokenPerIp: Limit;
} = {
  loginPerAccountAndIp: {
    freeAttempts: 5,
    baseDelaySeconds: 5,
    maxDelaySeconds: 15 * 60,
    forgetAfterSeconds: 24 * 3600,
  },
  loginPerIp: { limit: 20, windowSeconds: 60 },
  signupPerIp: { limit: 10, windowSeconds: 60 },
  // Requests that send a mail (reset, verification again, email change): per client IP, and per
  // address or account so nobody can flood one mailbox. Keyed alike for unknown addresses.
  mailPerIp: { limit: 10, windowSeconds: 60 },
  mailPerAccount: { limit: 5, windowSeconds: 3600 },
  // Presented link tokens (confirmations), per client IP.
  tokenPerIp: { limit: 20, windowSeconds: 60 },
};

/** The limiters the routes use, by name. */
export type LimiterName =
  | 'loginPerIp'
  | 'signupPerIp'
  | 'mailPerIp'
  | 'mailPerAccount'
  | 'tokenPerIp';

/** Where mailed links point and how long their tokens work. */
export interface MailLinkSettings {
  baseUrl: string;
  verificationTtlSeconds: number;
  resetTtlSeconds: number;
  changeTtlSeconds: number;
  /** Base of staff invitation links: the admin app. */
  adminBaseUrl: string;
  invitationTtlSeconds: number;
}

/** Link settings when none are given (the dev storefront). */
export const DEFAULT_MAIL_LINKS: MailLinkSettings = {
  baseUrl: 'http://127.0.0.1:4321',
  verificationTtlSeconds: 3 * 24 * 3600,
  resetTtlSeconds: 3600,
  changeTtlSeconds: 24 * 3600,
  adminBaseUrl: 'http://127.0.0.1:4323',
  invitationTtlSeconds: 3 * 24 * 3600,
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
  limiters: Record<LimiterName, RateLimiter & Limit>;
  mailLinks: MailLinkSettings;
  loginThrottle: LoginThrottle;
  onEventsRecorded: () => void;
}
