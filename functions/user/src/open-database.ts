import { createPgliteDatabase, createPostgresDatabase, type Database } from '@shop/shared';
import type { UserConfig } from './config.js';

/** PostgreSQL from DATABASE_URL, else the embedded PGlite (in PGLITE_DATA_DIR, or in memory). */
export function openDatabase(config: UserConfig): Promise<Database> | Database {
  return config.DATABASE_URL
    ? createPostgresDatabase(config.DATABASE_URL, { applicationName: 'user' })
    : createPgliteDatabase(config.PGLITE_DATA_DIR);
}
