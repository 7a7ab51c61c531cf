// One md5 over every row of every table of the functions' schemas: equal before and after a
// request means the request stored nothing.
import type { Database } from '@shop/shared';

const SYSTEM_SCHEMAS = ['pg_catalog', 'information_schema', 'pg_toast', 'public'];

/**
 * A function that digests every table of `db` outside the system schemas in one query (the
 * tables are listed once, when this is called): `schema.table=md5,…`, so two digests are equal
 * exactly when no row changed, and {@link changedTables} names the tables that did.
 * @example const digest = await stateDigester(db); const before = await digest(); … expect(await digest()).toBe(before);
 */
export async function stateDigester(db: Database): Promise<() => Promise<string>> {
  const { rows } = await db.query<{ schema: string; name: string }>(
    `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND NOT (table_schema = ANY($1))
     ORDER BY 1, 2`,
    [SYSTEM_SCHEMAS],
  );
  if (rows.length === 0) throw new Error('no tables to digest');
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const parts = rows.map(
    ({ schema, name }) =>
      `SELECT '${schema}.${name}' AS n, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS h
       FROM ${quote(schema)}.${quote(name)} t`,
  );
  const sql = `SELECT string_agg(n || '=' || h, ',' ORDER BY n) AS digest FROM (${parts.join(' UNION ALL ')}) s`;
  return async () => {
    const result = await db.query<{ digest: string }>(sql);
    return result.rows[0]?.digest ?? '';
  };
}

/**
 * The tables whose rows differ between two digests.
 * @example changedTables(before, after) // ['cart.orders']
 */
export function changedTables(before: string, after: string): string[] {
  const old = new Set(before.split(','));
  return after
    .split(',')
    .filter((entry) => !old.has(entry))
    .map((entry) => entry.split('=')[0] ?? entry);
}
