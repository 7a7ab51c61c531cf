// `npm run migrate -w @shop/cart`: applies the cart schema's migrations, then exits. In
// production this is the one-off job that runs before a rollout; cold starts only check.
import {
  createLogger,
  isEntryPoint,
  type Logger,
  type MigrateResult,
  openDatabase,
} from '@shop/shared';
import { loadCartConfig } from './config.js';
import { migrateCart } from './schema.js';

/**
 * Connects to the database the environment names (DATABASE_URL, else PGlite in
 * PGLITE_DATA_DIR), applies the cart schema's pending migrations and closes the connection.
 * @example await runCartMigrations({ env: { DATABASE_URL: 'postgres://…' } }); // { applied: [...], alreadyApplied: 2 }
 */
export async function runCartMigrations(
  options: { env?: Record<string, string | undefined>; log?: Logger } = {},
): Promise<MigrateResult> {
  const config = loadCartConfig(options.env ?? process.env);
  const log = options.log ?? createLogger({ service: 'cart', level: config.LOG_LEVEL });
  if (!config.DATABASE_URL && !config.PGLITE_DATA_DIR) {
    log.warn('neither DATABASE_URL nor PGLITE_DATA_DIR is set: migrating an in-memory database');
  }
  const db = await openDatabase(config, { service: 'cart' });
  try {
    const result = await migrateCart(db);
    log.info(
      { database: db.kind, applied: result.applied, alreadyApplied: result.alreadyApplied },
      'cart migrations done',
    );
    return result;
  } finally {
    await db.close();
  }
}

if (isEntryPoint(import.meta.url)) {
  runCartMigrations().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
