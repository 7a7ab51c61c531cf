import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { MigrationError } from '../db/migrate.js';
import { silentLogger } from '../logger.js';
import { testDatabase } from '../testing/index.js';
import { checkSchemaCurrent, pendingMigrations, prepareSchema } from './prepare-schema.js';

let db: Database;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ db, cleanup } = await testDatabase());
});
afterAll(() => cleanup());

async function migrationsDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'prepare-schema-'));
  for (const [name, sql] of Object.entries(files)) await writeFile(join(dir, name), sql);
  return dir;
}

const first = { '001_thing.sql': 'CREATE TABLE prep.thing (id int PRIMARY KEY);' };
const second = { ...first, '002_name.sql': 'ALTER TABLE prep.thing ADD COLUMN name text;' };
const migrateCommand = 'npm run migrate -w @shop/prep';

describe('prepareSchema', () => {
  it('with run=false refuses pending migrations naming them and the command; with run=true applies them', async () => {
    const dir = await migrationsDir(second);
    expect(await pendingMigrations(db, { schema: 'prep', dir })).toEqual([
      '001_thing.sql',
      '002_name.sql',
    ]);
    const options = { schema: 'prep', dir, migrateCommand, log: silentLogger() };
    await expect(prepareSchema(db, { ...options, run: false })).rejects.toThrow(
      /prep schema is not current: 2 migration\(s\) pending \(001_thing\.sql, 002_name\.sql\).*run `npm run migrate -w @shop\/prep`/,
    );
    const migrated = await prepareSchema(db, { ...options, run: true });
    expect(migrated?.applied).toEqual(['001_thing.sql', '002_name.sql']);
    expect(await prepareSchema(db, { ...options, run: false })).toBeUndefined();
  });

  it('reports only the files an older release did not apply', async () => {
    const dir = await migrationsDir({
      ...second,
      '003_more.sql': 'ALTER TABLE prep.thing ADD COLUMN more text;',
    });
    expect(await pendingMigrations(db, { schema: 'prep', dir })).toEqual(['003_more.sql']);
    await expect(checkSchemaCurrent(db, { schema: 'prep', dir, migrateCommand })).rejects.toThrow(
      MigrationError,
    );
  });

  it('refuses a schema name that is not an identifier', async () => {
    const dir = await migrationsDir(first);
    await expect(pendingMigrations(db, { schema: 'x; DROP', dir })).rejects.toThrow(
      /invalid schema name/,
    );
  });
});
