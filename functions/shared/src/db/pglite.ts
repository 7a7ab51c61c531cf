import { PGlite, types } from '@electric-sql/pglite';
import { type Database, parseInt8, type Queryable, type QueryResult } from './database.js';

const parsers = { [types.INT8]: parseInt8 };

type PGliteLike = Pick<PGlite, 'query' | 'exec'>;

function wrap(client: PGliteLike): Queryable {
  return {
    async query<Row>(sql: string, params?: unknown[]): Promise<QueryResult<Row>> {
      const result = await client.query<Row>(sql, params, { parsers });
      return {
        rows: result.rows,
        rowCount: Math.max(result.affectedRows ?? 0, result.rows.length),
      };
    },
    async exec(sql: string) {
      await client.exec(sql);
    },
  };
}

/**
 * PostgreSQL compiled to WASM, in process: the embedded default for dev and unit tests.
 * `dataDir` keeps the data on disk; without it the database lives in memory.
 * @example const db = await createPgliteDatabase();
 */
export async function createPgliteDatabase(dataDir?: string): Promise<Database> {
  const client = await PGlite.create(dataDir ? { dataDir } : {});
  const base = wrap(client);
  return {
    kind: 'pglite',
    query: base.query,
    exec: base.exec,
    transaction: (work) => client.transaction((tx) => work(wrap(tx))),
    async ping() {
      await client.query('SELECT 1');
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}
