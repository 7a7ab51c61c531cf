// A function's schema at start: migrate it (dev, the migrate job), or check it is current
// (production cold starts, which never migrate).
import type { Database } from '../db/database.js';
import { type MigrateResult, MigrationError, migrate, readMigrations } from '../db/migrate.js';
import type { Logger } from '../logger.js';

/** Where a schema's migrations live and how to apply them by hand. */
export interface SchemaMigrations {
  /** The PostgreSQL schema, e.g. `offer`. */
  schema: string;
  /** The folder of `NNN_*.sql` files. */
  dir: string | URL;
  /** The command that applies them, named in the error when some are pending. */
  migrateCommand: string;
}

/**
 * The migration files of `dir` not yet recorded in `<schema>.schema_migrations`, by name (all of
 * them when the table does not exist). Applied migrations without a file are not reported: a
 * newer release may have run them while this one still serves.
 * @example await pendingMigrations(db, { schema: 'offer', dir: MIGRATIONS_DIR }); // ['003_outbox_relay_indexes.sql']
 */
export async function pendingMigrations(
  db: Database,
  options: { schema: string; dir: string | URL },
): Promise<string[]> {
  const { schema } = options;
  if (!/^[a-z][a-z0-9_]*$/.test(schema)) throw new MigrationError(`invalid schema name ${schema}`);
  const migrations = await readMigrations(options.dir);
  const { rows: tables } = await db.query<{ found: boolean }>(
    'SELECT to_regclass($1) IS NOT NULL AS found',
    [`${schema}.schema_migrations`],
  );
  if (!tables[0]?.found) return migrations.map((m) => m.name);
  const { rows } = await db.query<{ version: number }>(
    `SELECT version FROM ${schema}.schema_migrations`,
  );
  const applied = new Set(rows.map((row) => row.version));
  return migrations.filter((m) => !applied.has(m.version)).map((m) => m.name);
}

/**
 * Refuses to go on when the schema lacks a migration, naming the files and the command that
 * applies them; production runs it as a one-off job before rollout.
 * @example await checkSchemaCurrent(db, { schema: 'offer', dir, migrateCommand: 'npm run migrate -w @shop/offer' });
 */
export async function checkSchemaCurrent(db: Database, options: SchemaMigrations): Promise<void> {
  const pending = await pendingMigrations(db, options);
  if (pending.length === 0) return;
  throw new MigrationError(
    `The ${options.schema} schema is not current: ${pending.length} migration(s) pending ` +
      `(${pending.join(', ')}). Migrations do not run on start with RUN_MIGRATIONS=false; ` +
      `run \`${options.migrateCommand}\` against this database first (or set RUN_MIGRATIONS=true).`,
  );
}

/**
 * At start: applies pending migrations when `run` (RUN_MIGRATIONS), else only checks that none is
 * pending (throws MigrationError naming them and `migrateCommand`); logs what it did.
 * @example await prepareSchema(db, { schema: 'offer', dir: MIGRATIONS_DIR, migrateCommand: MIGRATE_COMMAND, run: config.RUN_MIGRATIONS, log });
 */
export async function prepareSchema(
  db: Database,
  options: SchemaMigrations & { run: boolean; log: Logger },
): Promise<MigrateResult | undefined> {
  const { log } = options;
  if (options.run) {
    const migrated = await migrate(db, { schema: options.schema, dir: options.dir });
    log.info({ database: db.kind, applied: migrated.applied }, 'migrations done');
    return migrated;
  }
  await checkSchemaCurrent(db, options);
  log.info({ database: db.kind }, 'schema is current (RUN_MIGRATIONS=false)');
  return undefined;
}
