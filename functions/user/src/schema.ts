// The users schema's migrations: applying them (the migrate job, dev) and checking that a
// database is current (production cold starts, which never migrate).
import {
  checkSchemaCurrent,
  type Database,
  type MigrateResult,
  migrate,
  type SchemaMigrations,
} from '@shop/shared';

export { pendingMigrations } from '@shop/shared';

/** The users schema's migrations (beside src/ and dist/ alike). */
export const MIGRATIONS_DIR = new URL('../migrations/', import.meta.url);

/** The command that applies the users schema's migrations; named in error messages. */
export const MIGRATE_COMMAND = 'npm run migrate -w @shop/user';

/** Where the users schema's migrations are, for `prepareSchema` at start. */
export const SCHEMA_MIGRATIONS: SchemaMigrations = {
  schema: 'users',
  dir: MIGRATIONS_DIR,
  migrateCommand: MIGRATE_COMMAND,
};

/**
 * Applies the users schema's pending migrations.
 * @example await migrateUsers(db); // { applied: ['001_users.sql', …], alreadyApplied: 0 }
 */
export function migrateUsers(db: Database): Promise<MigrateResult> {
  return migrate(db, { schema: 'users', dir: MIGRATIONS_DIR });
}

/**
 * Refuses to go on when the users schema lacks a migration, naming the command that applies
 * them; production runs it as a one-off job before rollout.
 * @example await checkUsersSchema(db); // throws MigrationError: … run `npm run migrate -w @shop/user` …
 */
export function checkUsersSchema(db: Database): Promise<void> {
  return checkSchemaCurrent(db, SCHEMA_MIGRATIONS);
}
