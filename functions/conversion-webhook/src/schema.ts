// The conversion_webhook schema's migrations: applying them (the migrate job, dev) and checking
// that a database is current (production cold starts, which never migrate).
import {
  checkSchemaCurrent,
  type Database,
  type MigrateResult,
  migrate,
  type SchemaMigrations,
} from '@shop/shared';

/** The schema's migrations (beside src/ and dist/ alike). */
export const MIGRATIONS_DIR = new URL('../migrations/', import.meta.url);

/** The command that applies the migrations; named in error messages. */
export const MIGRATE_COMMAND = 'npm run migrate -w @shop/conversion-webhook';

/** Where the schema's migrations are, for `prepareSchema` at start. */
export const SCHEMA_MIGRATIONS: SchemaMigrations = {
  schema: 'conversion_webhook',
  dir: MIGRATIONS_DIR,
  migrateCommand: MIGRATE_COMMAND,
};

/**
 * Applies the conversion_webhook schema's pending migrations.
 * @example await migrateConversionWebhook(db); // { applied: ['001_webhooks.sql', …], alreadyApplied: 0 }
 */
export function migrateConversionWebhook(db: Database): Promise<MigrateResult> {
  return migrate(db, { schema: 'conversion_webhook', dir: MIGRATIONS_DIR });
}

/**
 * Refuses to go on when the schema lacks a migration, naming the command that applies them.
 * @example await checkConversionWebhookSchema(db);
 */
export function checkConversionWebhookSchema(db: Database): Promise<void> {
  return checkSchemaCurrent(db, SCHEMA_MIGRATIONS);
}
