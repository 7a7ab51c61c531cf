import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.js';

/** One versioned SQL file, `NNN_description.sql`. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

const FILE_PATTERN = /^(\d+)_([a-z0-9_]+)\.sql$/;
const SCHEMA_PATTERN = /^[a-z][a-z0-9_]*$/;

/** Reads `NNN_*.sql` files from a folder, ordered by version; refuses gaps in naming and duplicates. */
export async function readMigrations(dir: string | URL): Promise<Migration[]> {
  const path = typeof dir === 'string' ? dir : fileURLToPath(dir);
  const files = (await readdir(path)).filter((file) => file.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_PATTERN.exec(file);
    if (!match) throw new MigrationError(`${file}: migration files are named NNN_description.sql`);
    const sql = await readFile(join(path, file), 'utf8');
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version)) {
      throw new MigrationError(`${file}: version ${version} is used twice`);
    }
    migrations.push({
      version,
      name: file,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  return migrations.sort((a, b) => a.version - b.version);
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

/**
 * Applies the pending migrations of one function's schema, in one transaction under an
 * advisory lock, and records each in `<schema>.schema_migrations`. Refuses to run when an
 * applied migration's file changed or vanished: migrations are forward-only.
 * @example await migrate(db, { schema: 'offer', dir: new URL('../migrations/', import.meta.url) });
 */
export async function migrate(
  db: Database,
  options: { schema: string; dir: string | URL },
): Promise<MigrateResult> {
  const { schema } = options;
  if (!SCHEMA_PATTERN.test(schema)) throw new MigrationError(`invalid schema name ${schema}`);
  const migrations = await readMigrations(options.dir);
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`migrate:${schema}`]);
    await tx.exec(`
      CREATE SCHEMA IF NOT EXISTS ${schema};
      CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      );`);
    const { rows } = await tx.query<{ version: number; name: string; checksum: string }>(
      `SELECT version, name, checksum FROM ${schema}.schema_migrations ORDER BY version`,
    );
    const byVersion = new Map(migrations.map((m) => [m.version, m]));
    for (const row of rows) {
      const file = byVersion.get(row.version);
      if (!file) {
        throw new MigrationError(`${schema}: applied migration ${row.name} has no file any more`);
      }
      if (file.checksum !== row.checksum) {
        throw new MigrationError(
          `${schema}: applied migration ${row.name} was changed after it ran; add a new migration instead`,
        );
      }
    }
    const done = new Set(rows.map((row) => row.version));
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await tx.exec(`SET LOCAL search_path TO ${schema}, public;\n${migration.sql}`);
      await tx.query(
        `INSERT INTO ${schema}.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`,
        [migration.version, migration.name, migration.checksum],
      );
      applied.push(migration.name);
    }
    return { applied, alreadyApplied: rows.length };
  });
}
