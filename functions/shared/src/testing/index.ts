import pg from 'pg';
import type { Database } from '../db/database.js';
import { createPgliteDatabase } from '../db/pglite.js';
import { createPostgresDatabase } from '../db/postgres.js';
import type { KafkaClient } from '../kafka/kafka-client.js';
import { createKafkajsClient } from '../kafka/kafkajs.js';
import { createMemoryKafka } from '../kafka/memory.js';
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

// Embedded runs keep the in-memory PGlites of a test worker (vitest reuses workers across files)
// and hand them out again, emptied, instead of starting a new one per suite: a PGlite takes
// seconds to start, emptying it milliseconds. On globalThis, so a module graph evaluated anew
// still finds the worker's pool.
const POOL_KEY: unique symbol = Symbol.for('@shop/shared/testing:pglite-pool');
const MAX_IDLE = 4;
type PgliteLease = { db: Database; release: () => Promise<void> };
const pools = globalThis as { [POOL_KEY]?: Database[] };
pools[POOL_KEY] ??= [];
const idle: Database[] = pools[POOL_KEY];

/**
 * Makes a used PGlite what a new one is: every schema, role, setting, large object and session
 * state a test created is gone, `public` is empty with its standard owner and grants.
 * Objects PostgreSQL ships have OIDs below 16384 (FirstNormalObjectId); everything else is a
 * test's (or the `public` an earlier reset made; pg_temp schemas are PostgreSQL's).
 */
const RESET_SQL = `
DO $$
DECLARE item record;
BEGIN
  FOR item IN SELECT nspname FROM pg_namespace
    WHERE oid >= 16384 AND nspname <> 'public' AND left(nspname, 3) <> 'pg_' LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', item.nspname);
  END LOOP;
  DROP SCHEMA IF EXISTS public CASCADE;
  CREATE SCHEMA public AUTHORIZATION pg_database_owner;
  GRANT USAGE ON SCHEMA public TO PUBLIC;
  COMMENT ON SCHEMA public IS 'standard public schema';
  FOR item IN SELECT oid FROM pg_largeobject_metadata LOOP
    PERFORM lo_unlink(item.oid);
  END LOOP;
  FOR item IN SELECT rolname FROM pg_roles WHERE oid >= 16384 LOOP
    EXECUTE format('DROP OWNED BY %I CASCADE', item.rolname);
    EXECUTE format('DROP ROLE %I', item.rolname);
  END LOOP;
  EXECUTE format('ALTER DATABASE %I RESET ALL', current_database());
  EXECUTE format('ALTER ROLE %I RESET ALL', current_user);
END $$;
`;

/** One suite's use of a pooled PGlite: its own handle, dead once the suite gave it back. */
async function leasePglite(): Promise<PgliteLease> {
  const inner = idle.pop() ?? (await createPgliteDatabase());
  let state: 'leased' | 'closed' | 'returned' = 'leased';
  const live = () => {
    if (state === 'returned') {
      throw new Error('testDatabase: this database was cleaned up and handed to another suite');
    }
    return inner;
  };
  const db: Database = {
    kind: inner.kind,
    query: (sql, params) => live().query(sql, params),
    exec: (sql) => live().exec(sql),
    transaction: (work) => live().transaction(work),
    ping: () => live().ping(),
    async close() {
      if (state !== 'leased') return;
      state = 'closed';
      await inner.close();
    },
  };
  return {
    db,
    async release() {
      if (state !== 'leased') return;
      state = 'returned';
      try {
        // DISCARD ALL (session settings, prepared statements, temporary tables, advisory
        // locks) refuses to run in the implicit transaction of a multi-statement query.
        await inner.exec('DISCARD ALL');
        await inner.exec(RESET_SQL);
      } catch {
        await inner.close();
        return;
      }
      if (idle.length < MAX_IDLE) idle.push(inner);
      else await inner.close();
    },
  };
}

/**
 * An empty database for one suite: a new PostgreSQL database (dropped by `cleanup`) in
 * integration runs; otherwise an in-memory PGlite, new or one an earlier suite of this worker
 * gave back with `cleanup` and that was emptied to be indistinguishable from a new one.
 * @example const { db, cleanup } = await testDatabase(); afterAll(cleanup);
 */
export async function testDatabase(): Promise<{ db: Database; cleanup: () => Promise<void> }> {
  if (!usesRealInfrastructure()) {
    const { db, release } = await leasePglite();
    return { db, cleanup: release };
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

export {
  TEST_EVENT_SENDER,
  TEST_EVENTS_ISSUER,
  type TestEventTokenOptions,
  testEventHeaders,
  testEventsJwks,
  testEventToken,
  testVerifyEventSender,
} from './event-senders.js';
export {
  identityHeaders,
  revokeTestSession,
  staffRoleHeaders,
  TEST_AUDIENCE,
  TEST_ISSUER,
  testAccessToken,
  testJwks,
  testVerifyToken,
} from './identity.js';

export { freePort, freePorts } from './ports.js';

/**
 * The Kafka of a test: kafkajs on KAFKA_BROKERS in test:integration, else a memory log of its own.
 * @example const kafka = testKafka('redirect-test');
 */
export function testKafka(clientId: string): KafkaClient {
  if (!usesRealInfrastructure()) return createMemoryKafka();
  return createKafkajsClient({ brokers: required('KAFKA_BROKERS'), clientId });
}
