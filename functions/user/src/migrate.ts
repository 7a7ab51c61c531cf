// `npm run migrate -w @shop/user`: applies the users schema's migrations, then exits. In
// production this is the one-off job that runs before a rollout; cold starts only check.
import {
  createLogger,
  isEntryPoint,
  type Logger,
  type MigrateResult,
  runMigrationJob,
} from '@shop/shared';
import { loadUserConfig } from './config.js';
import { MIGRATIONS_DIR } from './schema.js';

/**
 * Connects to the database the environment names (DATABASE_URL, else PGlite in
 * PGLITE_DATA_DIR), applies the users schema's pending migrations and closes the connection.
 * @example await runUserMigrations({ env: { DATABASE_URL: 'postgres://…' } }); // { applied: [...], alreadyApplied: 1 }
 */
export async function runUserMigrations(
  options: { env?: Record<string, string | undefined>; log?: Logger } = {},
): Promise<MigrateResult> {
  const config = loadUserConfig(options.env ?? process.env);
  const log = options.log ?? createLogger({ service: 'user', level: config.LOG_LEVEL });
  return runMigrationJob(config, { service: 'user', schema: 'users', dir: MIGRATIONS_DIR, log });
}

if (isEntryPoint(import.meta.url)) {
  runUserMigrations().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
