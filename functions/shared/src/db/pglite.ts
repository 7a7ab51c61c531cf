import { existsSync, readdirSync } from 'node:fs';
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

// initdb is most of a new PGlite's start-up (seconds of WASM); a copy of its result loads in a
// fraction of that. The first in-memory database of a process is made by initdb and its data
// directory, untouched yet, kept as the image later in-memory databases start from (the dev
// runner opens one per function, unit tests many).
let initdbImage: Promise<Blob | undefined> | undefined;

async function createInMemory(): Promise<PGlite> {
  const image = initdbImage && (await initdbImage);
  if (image) return PGlite.create({ loadDataDir: image });
  const client = await PGlite.create();
  initdbImage ??= client.dumpDataDir('none').then(
    (dump) => dump,
    () => undefined,
  );
  await initdbImage;
  return client;
}

/** A new data directory starts from the initdb image too, when this process has one. */
async function createOnDisk(dataDir: string): Promise<PGlite> {
  const image = initdbImage && (await initdbImage);
  const empty = !existsSync(dataDir) || readdirSync(dataDir).length === 0;
  return PGlite.create(image && empty ? { dataDir, loadDataDir: image } : { dataDir });
}

/**
 * PostgreSQL compiled to WASM, in process: the embedded default for dev and unit tests.
 * `dataDir` keeps the data on disk; without it the database lives in memory. New databases
 * start from a copy of the process's first initdb.
 * @example const db = await createPgliteDatabase();
 */
export async function createPgliteDatabase(dataDir?: string): Promise<Database> {
  const client = dataDir ? await createOnDisk(dataDir) : await createInMemory();
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
