// `npm run migrate -w @shop/auth`: applies the auth schema's migrations, then exits. In
// production this is the one-off job that runs before a rollout; cold starts only check.
import {
  createLogger,
  isEntryPoint,
  type Logger,
  type MigrateResult,
  runMigrationJob,
} from '@shop/shared';
import { loadAuthConfig } from './config.js';
import { MIGRATIONS_DIR } from './schema.js';

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
  return runMigrationJob(config, { service: 'auth', schema: 'auth', dir: MIGRATIONS_DIR, log });
}

if (isEntryPoint(import.meta.url)) {
  runAuthMigrations().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
