// `npm run migrate -w @shop/offer`: applies the offer schema's migrations, then exits. In
// production this is the one-off job that runs before a rollout; cold starts only check.
import { createLogger, type Logger, type MigrateResult } from '@shop/shared';
import { loadOfferConfig } from './config.js';
import { isEntryPoint } from './is-entry-point.js';
import { openDatabase } from './open-database.js';
import { migrateOffer } from './schema.js';

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
  if (!config.DATABASE_URL && !config.PGLITE_DATA_DIR) {
    log.warn('neither DATABASE_URL nor PGLITE_DATA_DIR is set: migrating an in-memory database');
  }
  const db = await openDatabase(config);
  try {
    const result = await migrateOffer(db);
    log.info(
      { database: db.kind, applied: result.applied, alreadyApplied: result.alreadyApplied },
      'offer migrations done',
    );
    return result;
  } finally {
    await db.close();
  }
}

if (isEntryPoint(import.meta.url)) {
  runOfferMigrations().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
