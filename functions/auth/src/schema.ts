// The auth schema's migrations: applying them (the migrate job, dev) and checking that a
// database is current (production cold starts, which never migrate).
import {
  type Database,
  type MigrateResult,
  MigrationError,
  migrate,
  readMigrations,
} from '@shop/shared';

/** The auth schema's migrations (beside src/ and dist/ alike). */
export const MIGRATIONS_DIR = new URL('../migrations/', import.meta.url);

/** The command that applies the auth schema's migrations; named in error messages. */
export const MIGRATE_COMMAND = 'npm run migrate -w @shop/auth';

/**
 * Applies the auth schema's pending migrations.
 * @example await migrateAuth(db); // { applied: ['001_auth.sql'], alreadyApplied: 0 }
 */
export function migrateAuth(db: Database): Promise<MigrateResult> {
  return migrate(db, { schema: 'auth', dir: MIGRATIONS_DIR });
}

/**
 * Refuses to go on when the auth schema lacks a migration, naming the command that applies them.
 * @example await checkAuthSchema(db); // throws MigrationError: … run `npm run migrate -w @shop/auth` …
 */
export async function checkAuthSchema(db: Database): Promise<void> {
  const migrations = await readMigrations(MIGRATIONS_DIR);
  const { rows: tables } = await db.query<{ found: boolean }>(
    "SELECT to_regclass('auth.schema_migrations') IS NOT NULL AS found",
  );
  let applied = new Set<number>();
  if (tables[0]?.found) {
    const { rows } = await db.query<{ version: number }>(
      'SELECT version FROM auth.schema_migrations',
    );
    applied = new Set(rows.map((row) => row.version));
  }
  const pending = migrations.filter((m) => !applied.has(m.version)).map((m) => m.name);
  if (pending.length === 0) return;
  throw new MigrationError(
    `The auth schema is not current: ${pending.length} migration(s) pending ` +
      `(${pending.join(', ')}). Run \`${MIGRATE_COMMAND}\` against this database first ` +
      '(or set RUN_MIGRATIONS=true).',
  );
}
