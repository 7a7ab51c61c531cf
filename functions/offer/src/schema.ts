// The offer schema's migrations: applying them (the migrate job, dev) and checking that a
// database is current (production cold starts, which never migrate).
import {
  checkSchemaCurrent,
  type Database,
  type MigrateResult,
  migrate,
  type SchemaMigrations,
} from '@shop/shared';

export { pendingMigrations } from '@shop/shared';

/** The offer schema's migrations (beside src/ and dist/ alike). */
export const MIGRATIONS_DIR = new URL('../migrations/', import.meta.url);

/** The command that applies the offer schema's migrations; named in error messages. */
export const MIGRATE_COMMAND = 'npm run migrate -w @shop/offer';

/** Where the offer schema's migrations are, for `prepareSchema` at start. */
export const SCHEMA_MIGRATIONS: SchemaMigrations = {
  schema: 'offer',
  dir: MIGRATIONS_DIR,
  migrateCommand: MIGRATE_COMMAND,
};

/**
 * Applies the offer schema's pending migrations.
 * @example await migrateOffer(db); // { applied: ['001_catalog.sql', …], alreadyApplied: 0 }
 */
export function migrateOffer(db: Database): Promise<MigrateResult> {
  return migrate(db, { schema: 'offer', dir: MIGRATIONS_DIR });
}

/**
 * Refuses to go on when the offer schema lacks a migration, naming the command that applies
 * them; production runs it as a one-off job before rollout.
 * @example await checkOfferSchema(db); // throws MigrationError: … run `npm run migrate -w @shop/offer` …
 */
export function checkOfferSchema(db: Database): Promise<void> {
  return checkSchemaCurrent(db, SCHEMA_MIGRATIONS);
}
