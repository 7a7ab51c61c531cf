import type { Database } from '../db/database.js';
import { createPgliteDatabase } from '../db/pglite.js';
import { createPostgresDatabase } from '../db/postgres.js';

/** The database settings every function's config carries. */
export interface DatabaseConfig {
  DATABASE_URL?: string | undefined;
  PGLITE_DATA_DIR?: string | undefined;
}

/**
 * PostgreSQL from DATABASE_URL (named `service` in pg_stat_activity), else the embedded PGlite
 * (in PGLITE_DATA_DIR, or in memory).
 * @example const db = await openDatabase(config, { service: 'offer' });
 */
export function openDatabase(
  config: DatabaseConfig,
  options: { service: string },
): Promise<Database> | Database {
  return config.DATABASE_URL
    ? createPostgresDatabase(config.DATABASE_URL, { applicationName: options.service })
    : createPgliteDatabase(config.PGLITE_DATA_DIR);
}
