// The auth schema's migrations: applying them (the migrate job, dev) and checking that a
// database is current (production cold starts, which never migrate).
import {
  checkSchemaCurrent,
  type Database,
  type MigrateResult,
  migrate,
  type SchemaMigrations,
} from '@shop/shared';

export { pendingMigrations } from '@shop/shared';

/** The auth schema's migrations (beside src/ and dist/ alike). */
export const MIGRATIONS_DIR = new URL('../migrations/', import.meta.url);

/** The command that applies the auth schema's migrations; named in error messages. */
export const MIGRATE_COMMAND = 'npm run migrate -w @shop/auth';

/** Where the auth schema's migrations are, for `prepareSchema` at start. */
export const SCHEMA_MIGRATIONS: SchemaMigrations = {
  schema: 'auth',
  dir: MIGRATIONS_DIR,
  migrateCommand: MIGRATE_COMMAND,
};

/**
 * Applies the auth schema's pending migrations.
 * @example await migrateAuth(db); // { applied: ['001_auth.sql', …], alreadyApplied: 0 }
 */
export function migrateAuth(db: Database): Promise<MigrateResult> {
  return migrate(db, { schema: 'auth', dir: MIGRATIONS_DIR });
}

/**
 * Refuses to go on when the auth schema lacks a migration, naming the command that applies
 * them; production runs it as a one-off job before rollout.
 * @example await checkAuthSchema(db); // throws MigrationError: … run `npm run migrate -w @shop/auth` …
 */
export function checkAuthSchema(db: Database): Promise<void> {
  return checkSchemaCurrent(db, SCHEMA_MIGRATIONS);
}
