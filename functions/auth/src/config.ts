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
  /** Seeds a staff user on the embedded PGlite only (dev). */
  DEV_STAFF_EMAIL: z.string().min(3).optional(),
  DEV_STAFF_PASSWORD: z.string().min(1).optional(),
};
