import pg from 'pg';
import { type Database, parseInt8, type Queryable, type QueryResult } from './database.js';

const INT8_OID = 20;

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return parseInt8;
    // biome-ignore lint/suspicious/noExplicitAny: pg's overloads need the loose signature here
    return pg.types.getTypeParser(oid, format as any);
  },
} as pg.CustomTypesConfig;

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<Row>(sql: string, params?: unknown[]): Promise<QueryResult<Row>> {
      const result = await client.query({ text: sql, values: params, types });
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
    },
    async exec(sql: string) {
      await client.query({ text: sql, types });
    },
  };
}

export interface PostgresOptions {
  /** Pool size; Knative scales out, so keep it small per instance. */
  max?: number;
  /** Milliseconds a statement may run before the server cancels it. */
  statementTimeoutMs?: number;
  applicationName?: string;
}

/**
 * A `pg` Pool behind the {@link Database} interface.
 * @example const db = createPostgresDatabase(config.DATABASE_URL, { applicationName: 'offer' });
 */
export function createPostgresDatabase(url: string, options: PostgresOptions = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs ?? 15_000,
    application_name: options.applicationName,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const base = wrap(pool);
  return {
    kind: 'postgres',
    query: base.query,
    exec: base.exec,
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await pool.end();
    },
  };
}
