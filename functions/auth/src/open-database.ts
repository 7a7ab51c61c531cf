import { createPgliteDatabase, createPostgresDatabase, type Database } from '@shop/shared';
import type { AuthConfig } from './config.js';

/** PostgreSQL from DATABASE_URL, else the embedded PGlite (in PGLITE_DATA_DIR, or in memory). */
export function openDatabase(
  config: Pick<AuthConfig, 'DATABASE_URL' | 'PGLITE_DATA_DIR'>,
): Promise<Database> | Database {
  return config.DATABASE_URL
    ? createPostgresDatabase(config.DATABASE_URL, { applicationName: 'auth' })
    : createPgliteDatabase(config.PGLITE_DATA_DIR);
}
