// The auth function as the kit runs it: `node dist/main.js` serves, `node dist/main.js migrate`
// is the migration job (`node dist/create-staff.js` creates staff accounts).
import { randomBytes } from 'node:crypto';
import { ConfigError, defineFunction, type FunctionConfig, type Logger } from '@shop/shared';
import { createApp } from './app.js';
import { configShape } from './config.js';
import type { DEFAULT_LIMITS, MailLinkSettings } from './deps.js';
import { events } from './events.js';
import type { PasswordHasher } from './password-hasher.js';
import { retention } from './retention.js';
import { createSigningKeys, ensureSigningKey, type SigningKeys } from './signing-keys.js';
import { createStaffUser } from './staff.js';
import { ownTokenVerifier } from './tokens.js';
import { remindUnverifiedAccounts } from './verification-reminders.js';

export {
  type AuthAppDeps,
  createApp,
  DEFAULT_LIMITS,
  DEFAULT_MAIL_LINKS,
  type Limit,
  type LoginBackoff,
  type MailLinkSettings,
} from './app.js';
export { normalizeEmail } from './domain/normalize-email.js';
export { events } from './events.js';
export {
  type Argon2Params,
  createPasswordHasher,
  OWASP_ARGON2_PARAMS,
  type PasswordHasher,
} from './password-hasher.js';
export {
  createSigningKeys,
  ensureSigningKey,
  KEY_RETENTION_SECONDS,
  rotateSigningKey,
  type SigningKeys,
} from './signing-keys.js';
export {
  createStaffUser,
  StaffAccountExistsError,
  StaffAccountUnverifiedError,
  type StaffUserResult,
} from './staff.js';
export {
  type AccessTokenClaims,
  DEFAULT_AUDIENCE,
  DEFAULT_ISSUER,
  issueAccessToken,
  verifyAccessToken,
} from './tokens.js';
export { remindUnverifiedAccounts } from './verification-reminders.js';

/** The auth function's parsed environment. */
export type AuthConfig = FunctionConfig<typeof configShape>;

/** What auth builds at start; tests may replace the clock, the limits or the hasher. */
export interface AuthServices {
  keys: SigningKeys;
  clock?: () => Date;
  limits?: Partial<typeof DEFAULT_LIMITS>;
  passwordHasher?: PasswordHasher;
}

/**
 * Accounts and sessions: PostgreSQL schema `auth`, rate limits in the key-value store, the
 * signing keys (private halves under AUTH_KEY_ENCRYPTION_KEY), port 8081. On the embedded
 * database DEV_STAFF_EMAIL and DEV_STAFF_PASSWORD seed a staff user.
 * @example const running = await auth.start({ port: 0, handleSignals: false }); await running.shutdown();
 */
export const auth = defineFunction({
  name: 'auth',
  port: 8081,
  config: configShape,
  resolveConfig(config: AuthConfig): AuthConfig {
    if (config.DATABASE_URL && !config.AUTH_KEY_ENCRYPTION_KEY) {
      throw new ConfigError([
        {
          variable: 'AUTH_KEY_ENCRYPTION_KEY',
          message:
            'must be set with DATABASE_URL (base64 of 32 random bytes: `openssl rand -base64 32`, kept in a secret)',
        },
      ]);
    }
    return config;
  },
  database: { migrations: new URL('../migrations/', import.meta.url) },
  keyValue: true,
  events,
  retention,
  async services({ db, config, log, lifecycle }): Promise<AuthServices> {
    const kek = keyEncryptionKey(config, log);
    const key = await ensureSigningKey(db, kek.key, { rotateUnreadable: kek.generated });
    log.info(key, key.created ? 'signing key created' : 'signing key loaded');
    if (config.DEV_STAFF_EMAIL && config.DEV_STAFF_PASSWORD) {
      if (config.DATABASE_URL) {
        throw new Error(
          'the dev staff user is for the embedded database only (unset DATABASE_URL)',
        );
      }
      // The operator's own account on their own embedded database: a restart on the same
      // PGLITE_DATA_DIR takes it over again (npm run dev makes up a new password every start).
      // Taking over is safe even if someone signed up with that email: it sets this password and
      // ends every session, so nothing they knew still works.
      const staff = await createStaffUser(
        db,
        { name: 'Dev staff', email: config.DEV_STAFF_EMAIL, password: config.DEV_STAFF_PASSWORD },
        { promoteExisting: true },
      );
      log.info({ ...staff, email: config.DEV_STAFF_EMAIL }, 'dev staff user ready');
    }
    const links = mailLinksOf(config);
    // One reminder to verify, some days after signup; the relay publishes the events it writes.
    const remind = () =>
      remindUnverifiedAccounts(db, {
        links,
        afterSeconds: config.VERIFICATION_REMINDER_AFTER_SECONDS,
        now: new Date(),
        log,
      }).catch((error: unknown) => log.error({ err: error }, 'verification reminders failed'));
    const timer = setInterval(() => void remind(), config.VERIFICATION_REMINDER_INTERVAL_MS);
    timer.unref();
    lifecycle.onShutdown('verification reminders', async () => clearInterval(timer));
    return { keys: createSigningKeys({ db, kek: kek.key }) };
  },
  // auth checks tokens against the keys and sessions it holds, not against its own endpoints.
  verifyToken: ({ db, keys, config }) =>
    ownTokenVerifier({ db, keys, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE }),
  createApp: (deps) =>
    createApp({
      ...deps,
      issuer: deps.config.AUTH_ISSUER,
      audience: deps.config.AUTH_AUDIENCE,
      accessTokenTtlSeconds: deps.config.ACCESS_TOKEN_TTL_SECONDS,
      refreshIdleSeconds: deps.config.REFRESH_IDLE_SECONDS,
      refreshAbsoluteSeconds: deps.config.REFRESH_ABSOLUTE_SECONDS,
      mailLinks: mailLinksOf(deps.config),
      limits: {
        loginPerIp: { limit: deps.config.LOGIN_LIMIT_PER_IP_PER_MINUTE, windowSeconds: 60 },
        ...deps.limits,
      },
    }),
});

function mailLinksOf(config: AuthConfig): MailLinkSettings {
  return {
    baseUrl: config.AUTH_LINK_BASE_URL,
    verificationTtlSeconds: config.EMAIL_VERIFICATION_TTL_SECONDS,
    resetTtlSeconds: config.PASSWORD_RESET_TTL_SECONDS,
    changeTtlSeconds: config.EMAIL_CHANGE_TTL_SECONDS,
    adminBaseUrl: config.AUTH_ADMIN_LINK_BASE_URL,
    invitationTtlSeconds: config.STAFF_INVITATION_TTL_SECONDS,
  };
}

/** A started auth function. */
export type RunningAuth = Awaited<ReturnType<typeof auth.start>>;

/**
 * AUTH_KEY_ENCRYPTION_KEY, or in dev a fresh one (signing keys then live for this run only);
 * `resolveConfig` already refused a missing key with DATABASE_URL.
 */
function keyEncryptionKey(config: AuthConfig, log: Logger): { key: Buffer; generated: boolean } {
  if (config.AUTH_KEY_ENCRYPTION_KEY) {
    return { key: Buffer.from(config.AUTH_KEY_ENCRYPTION_KEY, 'base64'), generated: false };
  }
  log.warn(
    'AUTH_KEY_ENCRYPTION_KEY is not set: generated one for this run (dev only); signing keys ' +
      'stored under another key are rotated past',
  );
  return { key: randomBytes(32), generated: true };
}

auth.runIfEntryPoint(import.meta.url);
