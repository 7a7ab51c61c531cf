// `npm run migrate -w @shop/auth`: applies the auth schema's migrations, then exits. In
// production this is the one-off job that runs before a rollout; cold starts only check.
import { createLogger, type Logger, type MigrateResult } from '@shop/shared';
import { loadAuthConfig } from './config.js';
import { isEntryPoint } from './is-entry-point.js';
import { openDatabase } from './open-database.js';
import { migrateAuth } from './schema.js';

/**
 * Connects to the database the environment names (DATABASE_URL, else PGlite in
 * PGLITE_DATA_DIR), applies the auth schema's pending migrations and closes the connection.
 * @example await runAuthMigrations({ env: { DATABASE_URL: 'postgres://…' } });
 */
export async function runAuthMigrations(
  options: { env?: Record<string, string | undefined>; log?: Logger } = {},
): Promise<MigrateResult> {
  const config = loadAuthConfig(options.env ?? process.env);
  const log = options.log ?? createLogger({ service: 'auth', level: config.LOG_LEVEL });
  const db = await openDatabase(config);
  try {
    const result = await migrateAuth(db);
    log.info({ database: db.kind, applied: result.applied }, 'auth migrations done');
    return result;
  } finally {
    await db.close();
  }
}

if (isEntryPoint(import.meta.url)) {
  runAuthMigrations().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
