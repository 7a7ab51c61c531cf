// `npm run migrate -w @shop/conversion-webhook`: applies the schema's migrations, then exits. In
// production this is the one-off job that runs before a rollout; cold starts only check.
import {
  createLogger,
  isEntryPoint,
  type Logger,
  type MigrateResult,
  openDatabase,
} from '@shop/shared';
import { loadConversionWebhookConfig } from './config.js';
import { migrateConversionWebhook } from './schema.js';

/**
 * Connects to the database the environment names (DATABASE_URL, else PGlite in
 * PGLITE_DATA_DIR), applies the pending migrations and closes the connection.
 * @example await runConversionWebhookMigrations({ env: { DATABASE_URL: 'postgres://…', STRIPE_WEBHOOK_SECRET: '…' } });
 */
export async function runConversionWebhookMigrations(
  options: { env?: Record<string, string | undefined>; log?: Logger } = {},
): Promise<MigrateResult> {
  const config = loadConversionWebhookConfig(options.env ?? process.env);
  const log =
    options.log ?? createLogger({ service: 'conversion-webhook', level: config.LOG_LEVEL });
  if (!config.DATABASE_URL && !config.PGLITE_DATA_DIR) {
    log.warn('neither DATABASE_URL nor PGLITE_DATA_DIR is set: migrating an in-memory database');
  }
  const db = await openDatabase(config, { service: 'conversion-webhook' });
  try {
    const result = await migrateConversionWebhook(db);
    log.info(
      { database: db.kind, applied: result.applied, alreadyApplied: result.alreadyApplied },
      'conversion-webhook migrations done',
    );
    return result;
  } finally {
    await db.close();
  }
}

if (isEntryPoint(import.meta.url)) {
  runConversionWebhookMigrations().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
