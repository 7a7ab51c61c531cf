import pg from 'pg';
import type { Database } from '../db/database.js';
import { createPgliteDatabase } from '../db/pglite.js';
import { createPostgresDatabase } from '../db/postgres.js';
import type { KeyValue } from '../kv/key-value.js';
import { createMemoryKeyValue } from '../kv/memory.js';
import { createRedisKeyValue } from '../kv/redis.js';

/**
 * True in `npm run test:integration`: suites then run against the real PostgreSQL, Redis and
 * Kafka named by DATABASE_URL, REDIS_URL and KAFKA_BROKERS instead of the embedded defaults.
 */
export function usesRealInfrastructure(): boolean {
  return process.env.SHOP_TEST_INFRA === 'real';
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set for integration tests (see npm run infra)`);
  return value;
}

/**
 * A fresh, empty database for one suite: a new PostgreSQL database (dropped by `cleanup`)
 * in integration runs, a new in-memory PGlite otherwise.
 * @example const { db, cleanup } = await testDatabase(); afterAll(cleanup);
 */
export async function testDatabase(): Promise<{ db: Database; cleanup: () => Promise<void> }> {
  if (!usesRealInfrastructure()) {
    const db = await createPgliteDatabase();
    return { db, cleanup: () => db.close() };
  }
  const adminUrl = required('DATABASE_URL');
  const name = `test_${crypto.randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = createPostgresDatabase(url.toString(), { max: 20 });
  return {
    db,
    async cleanup() {
      await db.close();
      const drop = new pg.Client({ connectionString: adminUrl });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await drop.end();
    },
  };
}

/**
 * A key-value store for one suite: Redis under a key prefix of its own in integration runs,
 * the in-memory store otherwise.
 */
export function testKeyValue(): { kv: KeyValue; cleanup: () => Promise<void> } {
  if (!usesRealInfrastructure()) {
    const kv = createMemoryKeyValue();
    return { kv, cleanup: () => kv.close() };
  }
  const prefix = `test:${crypto.randomUUID()}:`;
  const kv = createRedisKeyValue(required('REDIS_URL'), { keyPrefix: prefix });
  return { kv, cleanup: () => kv.close() };
}
