export * from './database.js';
export {
  type MigrateResult,
  type Migration,
  MigrationError,
  migrate,
  readMigrations,
} from './migrate.js';
export { createPgliteDatabase } from './pglite.js';
export { createPostgresDatabase, type PostgresOptions } from './postgres.js';
