// `npm run migrate -w @shop/offer`: applies the offer schema's migrations, then exits. In
// production this is the one-off job that runs before a rollout; cold starts only check.
import {
  createLogger,
  isEntryPoint,
  type Logger,
  type MigrateResult,
  runMigrationJob,
} from '@shop/shared';
import { loadOfferConfig } from './config.js';
import { MIGRATIONS_DIR } from './schema.js';

/**
 * Connects to the database the environment names (DATABASE_URL, else PGlite in
 * PGLITE_DATA_DIR), applies the offer schema's pending migrations and closes the connection.
 * @example await runOfferMigrations({ env: { DATABASE_URL: 'postgres://…' } }); // { applied: [...], alreadyApplied: 2 }
 */
export async function runOfferMigrations(
  options: { env?: Record<string, string | undefined>; log?: Logger } = {},
): Promise<MigrateResult> {
  const config = loadOfferConfig(options.env ?? process.env);
  const log = options.log ?? createLogger({ service: 'offer', level: config.LOG_LEVEL });
  return runMigrationJob(config, { service: 'offer', schema: 'offer', dir: MIGRATIONS_DIR, log });
}

if (isEntryPoint(import.meta.url)) {
  runOfferMigrations().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
