// The cart schema's migrations: applying them (the migrate job, dev) and checking that a
// database is current (production cold starts, which never migrate).
import {
  checkSchemaCurrent,
  type Database,
  type MigrateResult,
  migrate,
  type SchemaMigrations,
} from '@shop/shared';

export { pendingMigrations } from '@shop/shared';

/** The cart schema's migrations (beside src/ and dist/ alike). */
export const MIGRATIONS_DIR = new URL('../migrations/', import.meta.url);

/** The command that applies the cart schema's migrations; named in error messages. */
export const MIGRATE_COMMAND = 'npm run migrate -w @shop/cart';

/** Where the cart schema's migrations are, for `prepareSchema` at start. */
export const SCHEMA_MIGRATIONS: SchemaMigrations = {
  schema: 'cart',
  dir: MIGRATIONS_DIR,
  migrateCommand: MIGRATE_COMMAND,
};

/**
 * Applies the cart schema's pending migrations.
 * @example await migrateCart(db); // { applied: ['001_orders.sql'], alreadyApplied: 0 }
 */
export function migrateCart(db: Database): Promise<MigrateResult> {
  return migrate(db, { schema: 'cart', dir: MIGRATIONS_DIR });
}

/**
 * Refuses to go on when the cart schema lacks a migration, naming the command that applies
 * them; production runs it as a one-off job before rollout.
 * @example await checkCartSchema(db); // throws MigrationError: … run `npm run migrate -w @shop/cart` …
 */
export function checkCartSchema(db: Database): Promise<void> {
  return checkSchemaCurrent(db, SCHEMA_MIGRATIONS);
}
