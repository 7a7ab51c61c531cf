import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Database, Queryable } from '../db/database.js';
import type { ParkReason } from '../outbox.js';
import { metricCatalog } from '../telemetry/metric-catalog.js';
import { InvalidEventError } from './catalog.js';
import { EventTooLargeError } from './event-size.js';
import { PublishError, type Publisher } from './publish.js';

const SCHEMA_PATTERN = /^[a-z][a-z0-9_]*$/;
const LAST_ERROR_LIMIT = 1_000;
/**
 * Statuses the Knative data plane retries (knative/specs data-plane.md), and 401/403: those
 * judge the sender's token or its EventPolicy, not the record, so parking would park every event
 * of a token that expired or a policy being rolled out; they back off and alert instead. The
 * other 4xx are final.
 */
const RETRYABLE_STATUSES = new Set([401, 403, 404, 408, 409, 429]);

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
  /** First retry delay of a failed row (default 1 s), doubled per attempt, with jitter. */
  minBackoffMs?: number;
  /** Longest retry delay of a failed row (default 10 min). */
  maxBackoffMs?: number;
  /**
   * Attempts after which a row the sink keeps failing is parked (default 15: about an hour of
   * backoff). Only while the sink accepts other events, so an outage parks nothing.
   */
  maxAttempts?: number;
  /** Failures in a row, without a success, after which the sink counts as down (default 3). */
  sinkDownAfter?: number;
  /** Longest pause of the whole relay while the sink is down (default 30 s). */
  maxSinkPauseMs?: number;
  /** Registers `outbox_*` metrics (pending, parked, oldest pending age, published, failures). */
  registry?: Registry;
  clock?: () => number;
  /** Jitter source in [0, 1) (default Math.random). */
  random?: () => number;
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
  last_attempt_at: Date | string | null;
  traceparent: string | null;
  request_id: string | null;
}

/** What one attempt at a row came to. */
type Outcome = 'published' | 'parked' | 'retry';

/** Why a failure parks its row at once: the sink (or the kit) will refuse it every time. */
function parkReasonOf(error: unknown): ParkReason | undefined {
  if (error instanceof EventTooLargeError) return 'too_large';
  if (error instanceof InvalidEventError) return 'invalid';
  if (!(error instanceof PublishError)) return undefined;
  const { status } = error;
  if (status === undefined || status >= 500 || status < 400 || RETRYABLE_STATUSES.has(status)) {
    return undefined;
  }
  return status === 413 ? 'too_large' : 'refused';
}

/**
 * Publishes the events a function recorded with `writeOutbox`, so no committed state change
 * loses its event. Several replicas may run it: each locks a batch with `FOR UPDATE SKIP
 * LOCKED`, publishes with the row id as CloudEvent id (a re-publish after a crash dedupes
 * downstream), and marks `published_at`.
 *
 * Order and isolation: rows of one partition key go out in id order (the Kafka record key, so
 * the order consumers see). A row that fails waits with exponential backoff and jitter kept in
 * the row (`attempts`, `next_attempt_at`, `last_error`), and holds back only the later rows of
 * its key; other keys keep flowing. A row the sink refuses for good (a 4xx it does not retry),
 * one over the size limit, one whose data no longer matches the catalog, and one that failed
 * `maxAttempts` times while the sink accepted other events is parked (`parked_at`,
 * `parked_reason`, a warn log line, `outbox_parked_events`): it is not tried again until staff
 * retry it, and the later rows of its key wait behind it, because the catalog promises per-key
 * order. `sinkDownAfter` failures in a row without a success pause the whole relay instead.
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
  const minBackoffMs = options.minBackoffMs ?? 1_000;
  const maxBackoffMs = options.maxBackoffMs ?? 600_000;
  const maxAttempts = options.maxAttempts ?? 15;
  const sinkDownAfter = options.sinkDownAfter ?? 3;
  const maxSinkPauseMs = options.maxSinkPauseMs ?? 30_000;
  const clock = options.clock ?? Date.now;
  const random = options.random ?? Math.random;
  const table = `${schema}.outbox`;
  const metrics = options.registry ? registerMetrics(options.registry, db, table, log) : undefined;

  /** After the sink looked down nothing is attempted before this time. */
  let sinkPausedUntil = 0;
  let sinkDownDrains = 0;
  /** When the sink last answered an attempt (accepted it, or refused that one event). */
  let lastAnsweredAt: number | undefined;

  /** The delay before attempt `attempts + 1`: doubling, capped, half of it random. */
  const rowDelay = (attempts: number) => {
    const base = Math.min(maxBackoffMs, minBackoffMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(base / 2 + (random() * base) / 2);
  };

  async function park(
    tx: Queryable,
    row: OutboxRow,
    reason: ParkReason,
    error: unknown,
    now: number,
  ): Promise<void> {
    const attempts = row.attempts + 1;
    const message = error instanceof Error ? error.message : String(error);
    await tx.query(
      `UPDATE ${table}
          SET attempts = $2, last_error = $3, last_attempt_at = $4, next_attempt_at = NULL,
              parked_at = $4, parked_reason = $5
        WHERE id = $1`,
      [row.id, attempts, message.slice(0, LAST_ERROR_LIMIT), new Date(now), reason],
    );
    metrics?.parked.inc({ reason });
    log.warn(
      {
        err: error,
        eventId: row.id,
        eventType: row.type,
        partitionKey: row.partition_key,
        attempts,
        reason,
      },
      'outbox event parked: it is not retried, and later events of its key wait, until staff retry it',
    );
  }

  async function attempt(tx: Queryable, row: OutboxRow): Promise<Outcome> {
    try {
      await publisher.publish(row.type, row.data, {
        id: row.id,
        subject: row.subject ?? undefined,
        partitionKey: row.partition_key ?? undefined,
        time: new Date(row.created_at),
        traceparent: row.traceparent ?? undefined,
        requestId: row.request_id ?? undefined,
      });
    } catch (error) {
      const now = clock();
      const reason = parkReasonOf(error);
      if (error instanceof PublishError && reason !== undefined) lastAnsweredAt = now;
      metrics?.failures.inc({ reason: reason === undefined ? 'sink' : 'event' });
      if (reason !== undefined) {
        await park(tx, row, reason, error, now);
        return 'parked';
      }
      const attempts = row.attempts + 1;
      const previous = row.last_attempt_at === null ? 0 : new Date(row.last_attempt_at).getTime();
      // Out of attempts counts only if the sink took other events meanwhile: in an outage every
      // row fails, and none of them is to blame.
      if (attempts >= maxAttempts && lastAnsweredAt !== undefined && lastAnsweredAt >= previous) {
        await park(tx, row, 'exhausted', error, now);
        return 'parked';
      }
      const message = error instanceof Error ? error.message : String(error);
      const delay = rowDelay(attempts);
      await tx.query(
        `UPDATE ${table}
            SET attempts = $2, last_error = $3, last_attempt_at = $4, next_attempt_at = $5
          WHERE id = $1`,
        [
          row.id,
          attempts,
          message.slice(0, LAST_ERROR_LIMIT),
          new Date(now),
          new Date(now + delay),
        ],
      );
      log.warn(
        { err: error, eventId: row.id, eventType: row.type, attempts, retryInMs: delay },
        'publishing an outbox event failed; its key waits for the retry',
      );
      return 'retry';
    }
    lastAnsweredAt = clock();
    await tx.query(
      `UPDATE ${table} SET published_at = now(), next_attempt_at = NULL WHERE id = $1`,
      [row.id],
    );
    metrics?.published.inc();
    return 'published';
  }

  /** Failures in a row within the current drain, without a success between them. */
  let failureStreak = 0;

  /** One transaction: lock a batch of due rows, publish it in order, mark it. */
  async function drainBatch(): Promise<{ published: number; picked: number; stop: boolean }> {
    const now = new Date(clock());
    return db.transaction(async (tx) => {
      // Due rows that no earlier row of their key waits in front of (parked, or backing off):
      // a blocked key never fills the batch, so the other keys keep flowing.
      const { rows } = await tx.query<OutboxRow>(
        `SELECT o.id, o.type, o.subject, o.partition_key, o.data, o.created_at, o.attempts,
                o.last_attempt_at, o.traceparent, o.request_id
           FROM ${table} o
          WHERE o.published_at IS NULL
            AND o.parked_at IS NULL
            AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= $2)
            AND (o.partition_key IS NULL OR NOT EXISTS (
                  SELECT 1 FROM ${table} w
                   WHERE w.partition_key = o.partition_key AND w.published_at IS NULL
                     AND w.id < o.id AND (w.parked_at IS NOT NULL OR w.next_attempt_at > $2)))
          ORDER BY o.id
          LIMIT $1
          FOR UPDATE OF o SKIP LOCKED`,
        [batchSize, now],
      );
      if (rows.length === 0) return { published: 0, picked: 0, stop: false };

      // Rows of my keys that I do not hold (another replica has them locked) must go out
      // before my later rows of the same key.
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
        const outcome = await attempt(tx, row);
        if (outcome === 'published') {
          published++;
          failureStreak = 0;
          continue;
        }
        if (key !== null) blockedKeys.add(key);
        if (outcome === 'parked') failureStreak = 0;
        if (outcome === 'retry' && ++failureStreak >= sinkDownAfter) {
          // The sink looks down: keep the rest of the batch for later.
          return { published, picked: rows.length, stop: true };
        }
      }
      return { published, picked: rows.length, stop: false };
    });
  }

  async function drain(): Promise<number> {
    if (clock() < sinkPausedUntil) return 0;
    failureStreak = 0;
    let total = 0;
    for (;;) {
      const { published, picked, stop } = await drainBatch();
      total += published;
      if (stop) {
        sinkDownDrains++;
        const pause = Math.min(maxSinkPauseMs, minBackoffMs * 2 ** (sinkDownDrains - 1));
        sinkPausedUntil = clock() + pause;
        log.warn({ pauseMs: pause }, 'the sink looks down: publishing paused');
        return total;
      }
      if (published > 0) sinkDownDrains = 0;
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
    name: metricCatalog.outboxEventsPublished.prometheusName,
    help: metricCatalog.outboxEventsPublished.help,
    registers: [registry],
  });
  const failures = new Counter({
    name: metricCatalog.outboxPublishFailures.prometheusName,
    help: metricCatalog.outboxPublishFailures.help,
    labelNames: metricCatalog.outboxPublishFailures.labels,
    registers: [registry],
  });
  const parked = new Counter({
    name: metricCatalog.outboxEventsParked.prometheusName,
    help: metricCatalog.outboxEventsParked.help,
    labelNames: metricCatalog.outboxEventsParked.labels,
    registers: [registry],
  });
  // The gauges read one query at scrape time; alert when the oldest pending event ages or any
  // event is parked.
  let snapshot: Promise<{ pending: number; parked: number; oldest: number }> | undefined;
  const read = () => {
    snapshot ??= db
      .query<{ pending: number; parked: number; oldest: number | null }>(
        `SELECT count(*) FILTER (WHERE parked_at IS NULL)::int AS pending,
                count(*) FILTER (WHERE parked_at IS NOT NULL)::int AS parked,
                extract(epoch FROM now() - min(created_at) FILTER (WHERE parked_at IS NULL))::float8
                  AS oldest
           FROM ${table} WHERE published_at IS NULL`,
      )
      .then(({ rows }) => ({
        pending: rows[0]?.pending ?? 0,
        parked: rows[0]?.parked ?? 0,
        oldest: rows[0]?.oldest ?? 0,
      }))
      .catch((error) => {
        log.warn({ err: error }, 'reading outbox metrics failed');
        return { pending: Number.NaN, parked: Number.NaN, oldest: Number.NaN };
      })
      .finally(() => {
        setTimeout(() => {
          snapshot = undefined;
        }, 0).unref?.();
      });
    return snapshot;
  };
  new Gauge({
    name: metricCatalog.outboxPendingEvents.prometheusName,
    help: metricCatalog.outboxPendingEvents.help,
    registers: [registry],
    async collect() {
      this.set((await read()).pending);
    },
  });
  new Gauge({
    name: metricCatalog.outboxParkedEvents.prometheusName,
    help: metricCatalog.outboxParkedEvents.help,
    registers: [registry],
    async collect() {
      this.set((await read()).parked);
    },
  });
  new Gauge({
    name: metricCatalog.outboxOldestPending.prometheusName,
    help: metricCatalog.outboxOldestPending.help,
    registers: [registry],
    async collect() {
      this.set((await read()).oldest);
    },
  });
  return { published, failures, parked };
}
