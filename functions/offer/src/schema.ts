// The offer schema's migrations: applying them (the migrate job, dev) and checking that a
// database is current (production cold starts, which never migrate).
import {
  type Database,
  type MigrateResult,
  MigrationError,
  migrate,
  readMigrations,
} from '@shop/shared';

/** The offer schema's migrations (beside src/ and dist/ alike). */
export const MIGRATIONS_DIR = new URL('../migrations/', import.meta.url);

/** The command that applies the offer schema's migrations; named in error messages. */
export const MIGRATE_COMMAND = 'npm run migrate -w @shop/offer';

/**
 * Applies the offer schema's pending migrations.
 * @example await migrateOffer(db); // { applied: ['001_catalog.sql', …], alreadyApplied: 0 }
 */
export function migrateOffer(db: Database): Promise<MigrateResult> {
  return migrate(db, { schema: 'offer', dir: MIGRATIONS_DIR });
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
 * Refuses to go on when the offer schema lacks a migration, naming the command that applies
 * them; production runs it as a one-off job before rollout.
 * @example await checkOfferSchema(db); // throws MigrationError: … run `npm run migrate -w @shop/offer` …
 */
export async function checkOfferSchema(db: Database): Promise<void> {
  const pending = await pendingMigrations(db, { schema: 'offer', dir: MIGRATIONS_DIR });
  if (pending.length === 0) return;
  throw new MigrationError(
    `The offer schema is not current: ${pending.length} migration(s) pending ` +
      `(${pending.join(', ')}). Migrations do not run on start with RUN_MIGRATIONS=false; ` +
      `run \`${MIGRATE_COMMAND}\` against this database first (or set RUN_MIGRATIONS=true).`,
  );
}
