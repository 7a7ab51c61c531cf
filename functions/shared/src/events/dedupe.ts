import type { Database, Queryable } from '../db/database.js';
import type { KeyValue } from '../kv/key-value.js';

const SCHEMA_PATTERN = /^[a-z][a-z0-9_]*$/;
const DONE = 'done';

/** What a claim found: the event is now ours, another delivery is handling it, or it was handled. */
export type ClaimResult = 'claimed' | 'in-progress' | 'done';

/**
 * Makes handling an event idempotent across at-least-once deliveries, keyed on the event's
 * `source` + `id`: claim before handling, complete after success, release after failure so
 * the broker's retry handles it.
 */
export interface EventDeduper {
  claim(source: string, id: string): Promise<ClaimResult>;
  complete(source: string, id: string): Promise<void>;
  release(source: string, id: string): Promise<void>;
}

export interface KeyValueDeduperOptions {
  /** Key prefix (default `event:`); the store's own prefix comes before it. */
  prefix?: string;
  /**
   * Seconds a claim holds while its handler runs (default 60): longer than the slowest
   * handler, short enough that a crashed instance's event is retried soon.
   */
  processingTtlSeconds?: number;
  /** Seconds a handled event is remembered (default 7 days), longer than any redelivery. */
  doneTtlSeconds?: number;
}

/**
 * An {@link EventDeduper} on the key-value store: `SET NX` a "processing" claim with a short
 * TTL, overwrite it with "done" and a long TTL on success, delete it on failure.
 * @example const dedupe = createKeyValueDeduper(kv, { prefix: 'notification:event:' });
 */
export function createKeyValueDeduper(
  kv: KeyValue,
  options: KeyValueDeduperOptions = {},
): EventDeduper {
  const prefix = options.prefix ?? 'event:';
  const processingTtlSeconds = options.processingTtlSeconds ?? 60;
  const doneTtlSeconds = options.doneTtlSeconds ?? 7 * 24 * 3600;
  const keyOf = (source: string, id: string) =>
    `${prefix}${encodeURIComponent(source)}:${encodeURIComponent(id)}`;
  // The token of each claim this instance holds, so a release never drops someone else's.
  const claims = new Map<string, string>();

  return {
    async claim(source, id) {
      const key = keyOf(source, id);
      for (let attempt = 0; attempt < 3; attempt++) {
        const token = crypto.randomUUID();
        const claimed = await kv.set(key, `processing:${token}`, {
          onlyIfAbsent: true,
          ttlSeconds: processingTtlSeconds,
        });
        if (claimed) {
          claims.set(key, token);
          return 'claimed';
        }
        const current = await kv.get(key);
        if (current === DONE) return 'done';
        if (current !== null) return 'in-progress';
        // The other claim expired between SET and GET: try again.
      }
      return 'in-progress';
    },
    async complete(source, id) {
      const key = keyOf(source, id);
      claims.delete(key);
      await kv.set(key, DONE, { ttlSeconds: doneTtlSeconds });
    },
    async release(source, id) {
      const key = keyOf(source, id);
      const token = claims.get(key);
      claims.delete(key);
      if (token === undefined) return;
      if ((await kv.get(key)) === `processing:${token}`) await kv.del(key);
    },
  };
}

/**
 * An inbox table that records each handled event in the same transaction as the handler's
 * writes: the event counts as handled exactly when those writes commit.
 */
export interface EventInbox {
  /**
   * Opens a transaction, records `source` + `id`, runs `work` with the transaction and
   * commits; when the event is already recorded, skips `work`. A concurrent delivery of the
   * same event waits for this one and then sees it as a duplicate (or handles it if this one
   * rolled back).
   */
  run<T>(
    source: string,
    id: string,
    work: (tx: Queryable) => Promise<T>,
  ): Promise<{ duplicate: true } | { duplicate: false; result: T }>;
  /** Deletes records older than `olderThanSeconds` (keep them longer than any redelivery). */
  prune(olderThanSeconds: number): Promise<number>;
}

/**
 * The {@link EventInbox} in `<schema>.inbox`, a table each consuming function's migration
 * creates:
 * ```sql
 * CREATE TABLE inbox (
 *   source text NOT NULL,
 *   id text NOT NULL,
 *   received_at timestamptz NOT NULL DEFAULT now(),
 *   PRIMARY KEY (source, id)
 * );
 * ```
 * @example const dedupe = createDatabaseInbox({ db, schema: 'audit' });
 */
export function createDatabaseInbox(options: { db: Database; schema: string }): EventInbox {
  const { db, schema } = options;
  if (!SCHEMA_PATTERN.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const table = `${schema}.inbox`;
  return {
    run(source, id, work) {
      return db.transaction(async (tx) => {
        const inserted = await tx.query(
          `INSERT INTO ${table} (source, id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
          [source, id],
        );
        if (inserted.rowCount === 0) return { duplicate: true as const };
        return { duplicate: false as const, result: await work(tx) };
      });
    },
    async prune(olderThanSeconds) {
      const { rowCount } = await db.query(
        `DELETE FROM ${table} WHERE received_at < now() - make_interval(secs => $1)`,
        [olderThanSeconds],
      );
      return rowCount;
    },
  };
}
