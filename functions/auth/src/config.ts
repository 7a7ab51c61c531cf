import { z } from 'zod';

const seconds = z.coerce.number().int().min(1);

/** The auth function's own settings (the kit adds the shared ones). */
export const configShape = {
  /** `iss` of every access token, and the base of `jwks_uri`: the public gateway URL. */
  AUTH_ISSUER: z.url().default('http://127.0.0.1:8080'),
  /** `aud` of every access token. */
  AUTH_AUDIENCE: z.string().min(1).default('shop'),
  /**
   * Key-encryption key of the signing keys' private halves: base64 of 32 random bytes. Required
   * with DATABASE_URL; in dev (PGlite) a fresh one is generated at start when unset.
   */
  AUTH_KEY_ENCRYPTION_KEY: z
    .string()
    .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be base64 of 32 bytes')
    .optional(),
  ACCESS_TOKEN_TTL_SECONDS: seconds.max(3600).default(900),
  /** A refresh token not used for this long expires (idle timeout). */
  REFRESH_IDLE_SECONDS: seconds.default(7 * 24 * 3600),
  /** A session (refresh token family) ends this long after the login, however used. */
  REFRESH_ABSOLUTE_SECONDS: seconds.default(30 * 24 * 3600),
  /**
   * Where the mailed links point: the storefront, whose pages /account/verify-email,
   * /account/reset-password and /account/confirm-email-change read the token from the link's
   * fragment (never sent to a server, so not in logs or Referer) and POST it to auth.
   */
  AUTH_LINK_BASE_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4321'),
  /** How long an email verification link works. */
  EMAIL_VERIFICATION_TTL_SECONDS: seconds.max(30 * 24 * 3600).default(3 * 24 * 3600),
  /** How long a password reset link works. */
  PASSWORD_RESET_TTL_SECONDS: seconds.max(24 * 3600).default(3600),
  /** How long the two links of an email change work. */
  EMAIL_CHANGE_TTL_SECONDS: seconds.max(7 * 24 * 3600).default(24 * 3600),
  /**
   * Where a staff invitation's link points: the admin app, whose page /accept-invitation reads
   * the token from the fragment and POSTs it with the new password to auth.
   */
  AUTH_ADMIN_LINK_BASE_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4323'),
  /** How long a staff invitation's link works. */
  STAFF_INVITATION_TTL_SECONDS: seconds.max(14 * 24 * 3600).default(3 * 24 * 3600),
  /** An account still unverified this long after signup gets one reminder with a new link. */
  VERIFICATION_REMINDER_AFTER_SECONDS: seconds.default(2 * 24 * 3600),
  /** How often auth looks for accounts to remind. */
  VERIFICATION_REMINDER_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(15 * 60 * 1000),
  /**
   * Sign-in attempts one client address may make per minute, whoever they are for. Raise it where
   * many people share one address (an office behind one NAT; browser tests, all on 127.0.0.1).
   */
  LOGIN_LIMIT_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(20),
  /** Seeds a staff user on the embedded PGlite only (dev). */
  DEV_STAFF_EMAIL: z.string().min(3).optional(),
  DEV_STAFF_PASSWORD: z.string().min(1).optional(),
};
