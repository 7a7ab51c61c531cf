import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../testing/index.js';
import type { Database } from './database.js';
import { MigrationError, migrate } from './migrate.js';

let db: Database;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ db, cleanup } = await testDatabase());
});
afterAll(() => cleanup());

async function migrationsDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
  for (const [name, sql] of Object.entries(files)) await writeFile(join(dir, name), sql);
  return dir;
}

describe('migrate', () => {
  it('applies pending migrations in order, once, and records them', async () => {
    const dir = await migrationsDir({
      '001_create_thing.sql': 'CREATE TABLE demo.thing (id int PRIMARY KEY, name text NOT NULL);',
      '002_add_price.sql': 'ALTER TABLE demo.thing ADD COLUMN price int NOT NULL DEFAULT 0;',
    });
    const first = await migrate(db, { schema: 'demo', dir });
    expect(first.applied).toEqual(['001_create_thing.sql', '002_add_price.sql']);
    const second = await migrate(db, { schema: 'demo', dir });
    expect(second).toEqual({ applied: [], alreadyApplied: 2 });
    await db.query('INSERT INTO demo.thing (id, name, price) VALUES (1, $1, 250)', ['lamp']);
    const { rows } = await db.query('SELECT version, name FROM demo.schema_migrations ORDER BY 1');
    expect(rows).toEqual([
      { version: 1, name: '001_create_thing.sql' },
      { version: 2, name: '002_add_price.sql' },
    ]);
  });

  it('refuses a migration that changed after it was applied', async () => {
    const dir = await migrationsDir({ '001_a.sql': 'CREATE TABLE changed.a (id int);' });
    await migrate(db, { schema: 'changed', dir });
    const edited = await migrationsDir({ '001_a.sql': 'CREATE TABLE changed.a (id bigint);' });
    await expect(migrate(db, { schema: 'changed', dir: edited })).rejects.toThrow(
      /001_a.sql was changed after it ran/,
    );
  });

  it('rolls a failing migration back entirely, keeping earlier data', async () => {
    const dir = await migrationsDir({ '001_a.sql': 'CREATE TABLE broken.a (id int);' });
    await migrate(db, { schema: 'broken', dir });
    await db.query('INSERT INTO broken.a VALUES (1)');
    const bad = await migrationsDir({
      '001_a.sql': 'CREATE TABLE broken.a (id int);',
      '002_b.sql': 'CREATE TABLE broken.b (id int); SELECT no_such_function();',
    });
    await expect(migrate(db, { schema: 'broken', dir: bad })).rejects.toThrow();
    const tables = await db.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'broken' ORDER BY 1",
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(['a', 'schema_migrations']);
    expect((await db.query('SELECT id FROM broken.a')).rows).toEqual([{ id: 1 }]);
  });

  it('serialises concurrent runs under its advisory lock', async () => {
    const dir = await migrationsDir({ '001_a.sql': 'CREATE TABLE racing.a (id int);' });
    const results = await Promise.all([1, 2, 3].map(() => migrate(db, { schema: 'racing', dir })));
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, 1]);
  });

  it('refuses badly named files and schema names', async () => {
    const dir = await migrationsDir({ 'create.sql': 'SELECT 1;' });
    await expect(migrate(db, { schema: 'named', dir })).rejects.toBeInstanceOf(MigrationError);
    await expect(migrate(db, { schema: 'x; DROP', dir })).rejects.toThrow(/invalid schema/);
  });
});

describe('Database', () => {
  it('parses int8 as numbers and rolls back a failed transaction', async () => {
    await db.exec('CREATE TABLE public.counter (n int8 NOT NULL)');
    await db.query('INSERT INTO public.counter VALUES ($1)', [9_007_199_254_740_991]);
    const { rows } = await db.query<{ n: number }>('SELECT n FROM public.counter');
    expect(rows[0]?.n).toBe(9_007_199_254_740_991);
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO public.counter VALUES (1)');
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect((await db.query('SELECT count(*)::int AS c FROM public.counter')).rows).toEqual([
      { c: 1 },
    ]);
  });
});
