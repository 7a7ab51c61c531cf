import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Database, Queryable } from '../db/database.js';
import { InvalidEventError } from './catalog.js';
import { PublishError, type Publisher } from './publish.js';

const SCHEMA_PATTERN = /^[a-z][a-z0-9_]*$/;
const LAST_ERROR_LIMIT = 1_000;

export interface OutboxRelayOptions {
  db: Database;
  /** The function's schema; its migrations create `<schema>.outbox` (see functions/offer). */
  schema: string;
  // biome-ignore lint/suspicious/noExplicitAny: the relay publishes whatever types the rows hold
  publisher: Publisher<any>;
  log: Logger;
  /** Rows locked and published per transaction (default 100). */
  batchSize?: number;
  /** Milliseconds between drains when idle (default 1000). */
  intervalMs?: number;
  /** First retry delay of a failed row (default 500 ms), doubled per attempt. */
  minBackoffMs?: number;
  /** Longest retry delay (default 60 s). */
  maxBackoffMs?: number;
  /** Registers `outbox_*` metrics (pending count, oldest pending age, published, failures). */
  registry?: Registry;
  clock?: () => number;
}

export interface OutboxRelay {
  /**
   * Publishes what is due now, batch after batch, and returns how many events went out.
   * @example const published = await relay.drainOnce();
   */
  drainOnce(): Promise<number>;
  /** Drains every `intervalMs` until stopped. */
  start(): void;
  /** Drains right away instead of waiting for the interval, e.g. after a commit. */
  wake(): void;
  /** Stops the interval, waits for a running drain, drains what is due once more, then stops. */
  stop(): Promise<void>;
}

interface OutboxRow {
  id: string;
  type: string;
  subject: string | null;
  partition_key: string | null;
  data: unknown;
  created_at: Date | string;
  attempts: number;
}

interface Backoff {
  until: number;
  partitionKey: string | null;
}

/** Failures of the sink itself (down, overloaded, timing out) rather than of one event. */
function isSinkFailure(error: unknown): boolean {
  if (error instanceof InvalidEventError) return false;
  if (!(error instanceof PublishError)) return true;
  const { status } = error;
  return (
    status === undefined ||
    status >= 500 ||
    status === 404 ||
    status === 408 ||
    status === 409 ||
    status === 429
  );
}

/**
 * Publishes the events a function recorded with `writeOutbox`, so no committed state change
 * loses its event. Several replicas may run it: each locks a batch with `FOR UPDATE SKIP
 * LOCKED`, publishes with the row id as CloudEvent id (a re-publish after a crash dedupes
 * downstream), and marks `published_at`. Events with the same partition key go out in id
 * order: a failed row blocks the later rows of its key until a retry succeeds, with
 * exponential backoff kept in memory.
 * @example
 * const relay = createOutboxRelay({ db, schema: 'offer', publisher: events, log, registry: metrics.registry });
 * relay.start();
 * lifecycle.onShutdown('outbox', () => relay.stop());
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, schema, publisher } = options;
  if (!SCHEMA_PATTERN.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const log = options.log.child({ component: 'outbox-relay', schema });
  const batchSize = options.batchSize ?? 100;
  const intervalMs = options.intervalMs ?? 1_000;
  const minBackoffMs = options.minBackoffMs ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  const clock = options.clock ?? Date.now;
  const table = `${schema}.outbox`;
  const metrics = options.registry ? registerMetrics(options.registry, db, table, log) : undefined;

  /** Rows that failed, by id: not retried before `until`, and they hold back their key. */
  const backoffs = new Map<string, Backoff>();
  /** After a sink failure nothing is attempted before this time. */
  let sinkPausedUntil = 0;
  let sinkFailures = 0;

  const delayAfter = (attempts: number) =>
    Math.min(maxBackoffMs, minBackoffMs * 2 ** Math.max(0, attempts - 1));

  async function publishRow(tx: Queryable, row: OutboxRow): Promise<boolean> {
    try {
      await publisher.publish(row.type, row.data, {
        id: row.id,
        subject: row.subject ?? undefined,
        partitionKey: row.partition_key ?? undefined,
        time: new Date(row.created_at),
      });
    } catch (error) {
      const attempts = row.attempts + 1;
      const message = error instanceof Error ? error.message : String(error);
      await tx.query(`UPDATE ${table} SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, [
        row.id,
        message.slice(0, LAST_ERROR_LIMIT),
      ]);
      backoffs.set(row.id, {
        until: clock() + delayAfter(attempts),
        partitionKey: row.partition_key,
      });
      const sinkFailure = isSinkFailure(error);
      metrics?.failures.inc({ reason: sinkFailure ? 'sink' : 'event' });
      // An event the sink refuses for good blocks its key until someone fixes it: say so loudly.
      const level = sinkFailure ? 'warn' : 'error';
      log[level](
        { err: error, eventId: row.id, eventType: row.type, attempts },
        'publishing an outbox event failed; will retry',
      );
      if (sinkFailure) throw error;
      return false;
    }
    await tx.query(`UPDATE ${table} SET published_at = now() WHERE id = $1`, [row.id]);
    backoffs.delete(row.id);
    metrics?.published.inc();
    return true;
  }

  /** One transaction: lock a batch, publish it in order, mark it. */
  async function drainBatch(): Promise<{ published: number; picked: number; stop: boolean }> {
    const now = clock();
    const waitingIds: string[] = [];
    const waitingKeys = new Set<string>();
    for (const [id, backoff] of backoffs) {
      if (backoff.until <= now) continue;
      waitingIds.push(id);
      if (backoff.partitionKey !== null) waitingKeys.add(backoff.partitionKey);
    }
    return db.transaction(async (tx) => {
      const { rows } = await tx.query<OutboxRow>(
        `SELECT id, type, subject, partition_key, data, created_at, attempts
           FROM ${table}
          WHERE published_at IS NULL
            AND NOT (id = ANY($2::uuid[]))
            AND (partition_key IS NULL OR NOT (partition_key = ANY($3::text[])))
          ORDER BY id
          LIMIT $1
          FOR UPDATE SKIP LOCKED`,
        [batchSize, waitingIds, [...waitingKeys]],
      );
      if (rows.length === 0) return { published: 0, picked: 0, stop: false };

      // Rows of my keys that I do not hold (another replica has them, or they wait for a
      // retry) must go out before my later rows of the same key.
      const held = new Set(rows.map((row) => row.id));
      const keys = [...new Set(rows.map((row) => row.partition_key).filter((k) => k !== null))];
      const firstForeign = new Map<string, string>();
      if (keys.length > 0) {
        const pending = await tx.query<{ id: string; partition_key: string }>(
          `SELECT id, partition_key FROM ${table}
            WHERE published_at IS NULL AND partition_key = ANY($1::text[]) AND id <= $2
            ORDER BY id`,
          [keys, rows.at(-1)!.id],
        );
        for (const row of pending.rows) {
          if (!held.has(row.id) && !firstForeign.has(row.partition_key)) {
            firstForeign.set(row.partition_key, row.id);
          }
        }
      }

      const blockedKeys = new Set<string>();
      let published = 0;
      for (const row of rows) {
        const key = row.partition_key;
        if (key !== null) {
          if (blockedKeys.has(key)) continue;
          const foreign = firstForeign.get(key);
          if (foreign !== undefined && foreign < row.id) continue;
        }
        try {
          if (await publishRow(tx, row)) published++;
          else if (key !== null) blockedKeys.add(key);
        } catch {
          // The sink is unavailable: keep the rest of the batch for later.
          return { published, picked: rows.length, stop: true };
        }
      }
      return { published, picked: rows.length, stop: false };
    });
  }

  async function drain(): Promise<number> {
    if (clock() < sinkPausedUntil) return 0;
    // A row whose wait is over is due again (its attempts live in the row).
    for (const [id, backoff] of backoffs) if (backoff.until <= clock()) backoffs.delete(id);
    let total = 0;
    for (;;) {
      const { published, picked, stop } = await drainBatch();
      total += published;
      if (stop) {
        sinkFailures++;
        sinkPausedUntil = clock() + delayAfter(sinkFailures);
        return total;
      }
      if (published > 0) sinkFailures = 0;
      if (picked < batchSize || published === 0) return total;
    }
  }

  // One drain at a time per relay; overlapping calls share the running one's successor.
  let running: Promise<number> | undefined;
  const drainOnce = async (): Promise<number> => {
    while (running) await running.catch(() => undefined);
    running = drain();
    try {
      return await running;
    } finally {
      running = undefined;
    }
  };

  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let stopped = false;
  /** A wake() during a drain: its rows may have been committed after the batch was read. */
  let woken = false;
  const schedule = (delayMs: number) => {
    clearTimeout(timer);
    timer = setTimeout(tick, delayMs);
    timer.unref?.();
  };
  async function tick() {
    timer = undefined;
    if (stopped) return;
    woken = false;
    let full = false;
    try {
      full = (await drainOnce()) >= batchSize;
    } catch (error) {
      log.error({ err: error }, 'draining the outbox failed');
    }
    if (!stopped && !timer) schedule(full || woken ? 0 : intervalMs);
  }

  return {
    drainOnce,
    start() {
      if (started) return;
      started = true;
      schedule(0);
    },
    wake() {
      if (!started || stopped) return;
      if (timer) schedule(0);
      else woken = true;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await drainOnce().catch((error) => {
        log.error({ err: error }, 'final outbox drain failed; the rows stay for the next run');
      });
    },
  };
}

function registerMetrics(registry: Registry, db: Database, table: string, log: Logger) {
  const published = new Counter({
    name: 'outbox_events_published_total',
    help: 'Outbox events published to the broker',
    registers: [registry],
  });
  const failures = new Counter({
    name: 'outbox_publish_failures_total',
    help: 'Failed attempts to publish an outbox event, by reason (sink or event)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  // Both gauges read one query at scrape time; alert when the oldest pending event ages.
  let snapshot: Promise<{ pending: number; oldest: number }> | undefined;
  const read = () => {
    snapshot ??= db
      .query<{ pending: number; oldest: number | null }>(
        `SELECT count(*)::int AS pending,
                extract(epoch FROM now() - min(created_at))::float8 AS oldest
           FROM ${table} WHERE published_at IS NULL`,
      )
      .then(({ rows }) => ({ pending: rows[0]?.pending ?? 0, oldest: rows[0]?.oldest ?? 0 }))
      .catch((error) => {
        log.warn({ err: error }, 'reading outbox metrics failed');
        return { pending: Number.NaN, oldest: Number.NaN };
      })
      .finally(() => {
        setTimeout(() => {
          snapshot = undefined;
        }, 0).unref?.();
      });
    return snapshot;
  };
  new Gauge({
    name: 'outbox_pending_events',
    help: 'Outbox events not yet published',
    registers: [registry],
    async collect() {
      this.set((await read()).pending);
    },
  });
  new Gauge({
    name: 'outbox_oldest_pending_seconds',
    help: 'Age of the oldest outbox event not yet published',
    registers: [registry],
    async collect() {
      this.set((await read()).oldest);
    },
  });
  return { published, failures };
}
