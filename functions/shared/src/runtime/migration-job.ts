// `npm run migrate -w @shop/<function>`: the one-off job that applies a schema's migrations
// before a rollout (cold starts only check them).
import { type MigrateResult, migrate } from '../db/migrate.js';
import type { Logger } from '../logger.js';
import { type DatabaseConfig, openDatabase } from './open-database.js';

/**
 * Opens the database the config names (DATABASE_URL, else PGlite in PGLITE_DATA_DIR, warning
 * when that is only memory), applies the schema's pending migrations and closes it again.
 * @example await runMigrationJob(config, { service: 'offer', schema: 'offer', dir: MIGRATIONS_DIR, log });
 */
export async function runMigrationJob(
  config: DatabaseConfig,
  options: { service: string; schema: string; dir: string | URL; log: Logger },
): Promise<MigrateResult> {
  const { log, schema } = options;
  if (!config.DATABASE_URL && !config.PGLITE_DATA_DIR) {
    log.warn('neither DATABASE_URL nor PGLITE_DATA_DIR is set: migrating an in-memory database');
  }
  const db = await openDatabase(config, { service: options.service });
  try {
    const result = await migrate(db, { schema, dir: options.dir });
    log.info(
      { database: db.kind, applied: result.applied, alreadyApplied: result.alreadyApplied },
      `${schema} migrations done`,
    );
    return result;
  } finally {
    await db.close();
  }
}
