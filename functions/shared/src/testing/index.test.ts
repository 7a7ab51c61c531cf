import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { createPgliteDatabase } from '../db/pglite.js';
import { testDatabase, usesRealInfrastructure } from './index.js';

/** What a suite could tell apart between two databases. */
async function fingerprint(db: Database) {
  const one = async (sql: string) => (await db.query(sql)).rows;
  return {
    schemas: await one(`SELECT nspname, pg_get_userbyid(nspowner) AS owner, nspacl::text AS acl,
      obj_description(oid, 'pg_namespace') AS comment FROM pg_namespace ORDER BY nspname`),
    objects: await one('SELECT relname, relkind FROM pg_class WHERE oid >= 16384 ORDER BY 1'),
    types: await one('SELECT typname FROM pg_type WHERE oid >= 16384 ORDER BY 1'),
    functions: await one('SELECT proname FROM pg_proc WHERE oid >= 16384 ORDER BY 1'),
    roles: await one('SELECT rolname FROM pg_roles ORDER BY 1'),
    settings: await one('SELECT setconfig FROM pg_db_role_setting'),
    largeObjects: await one('SELECT oid FROM pg_largeobject_metadata'),
    extensions: await one('SELECT extname FROM pg_extension ORDER BY 1'),
    session: await one(`SELECT current_setting('search_path') AS search_path,
      current_setting('TimeZone') AS tz, current_setting('statement_timeout') AS timeout`),
    locks: await one(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`),
  };
}

describe.skipIf(usesRealInfrastructure())('testDatabase on PGlite', () => {
  const fresh = createPgliteDatabase();
  afterAll(async () => (await fresh).close());

  it.each(['once', 'again'])(
    'hands the next suite a database it cannot tell from a new one (%s)',
    async () => {
      const first = await testDatabase();
      await first.db.exec(`
      CREATE SCHEMA shop;
      CREATE SCHEMA pgboss;
      CREATE TABLE shop.item (id int PRIMARY KEY);
      CREATE TABLE public.note (body text);
      CREATE TYPE public.mood AS ENUM ('happy');
      CREATE FUNCTION public.answer() RETURNS int LANGUAGE sql AS 'SELECT 42';
      CREATE ROLE reader;
      GRANT USAGE ON SCHEMA shop TO reader;
      CREATE TABLE shop.owned (id int);
      ALTER TABLE shop.owned OWNER TO reader;
      ALTER ROLE CURRENT_USER SET work_mem = '8MB';
      SET search_path = shop;
      SET TIME ZONE 'Asia/Tokyo';
      SET statement_timeout = 1234;
      SELECT lo_create(0);
      SELECT pg_advisory_lock(42);
      PREPARE pick AS SELECT 1;
    `);
      const txid = async (db: Database) =>
        Number((await db.query<{ id: string }>('SELECT txid_current()::text AS id')).rows[0]?.id);
      const lastOfFirst = await txid(first.db);
      await first.cleanup();

      const second = await testDatabase();
      try {
        // The same PGlite again (its transaction ids go on), not a new one.
        expect(await txid(second.db)).toBeGreaterThan(lastOfFirst);
        expect(await fingerprint(second.db)).toEqual(await fingerprint(await fresh));
        await second.db.exec('CREATE SCHEMA shop; PREPARE pick AS SELECT 1; CREATE ROLE reader;');
      } finally {
        await second.cleanup();
      }
    },
  );

  it('lets two suites hold a database each at once', async () => {
    const [a, b] = await Promise.all([testDatabase(), testDatabase()]);
    await a.db.exec('CREATE SCHEMA only_a');
    const { rows } = await b.db.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'only_a'`);
    expect(rows).toEqual([]);
    await Promise.all([a.cleanup(), b.cleanup()]);
  });

  it('refuses queries through a handle given back, so a late timer cannot reach the next suite', async () => {
    const { db, cleanup } = await testDatabase();
    await cleanup();
    expect(() => db.query('SELECT 1')).toThrow(/cleaned up/);
  });

  it('keeps a database a suite closed itself closed', async () => {
    const { db, cleanup } = await testDatabase();
    await db.close();
    await expect(db.query('SELECT 1')).rejects.toThrow();
    await cleanup();
  });
});
