import type { Queryable } from './db/database.js';
import { newId } from './ids.js';

const SCHEMA_PATTERN = /^[a-z][a-z0-9_]*$/;

/** An event to publish once the transaction that wrote it commits. */
export interface OutboxEvent {
  /** CloudEvents type, e.g. `shop.offer.price_changed`. */
  type: string;
  /** CloudEvents subject, e.g. the product id. */
  subject?: string;
  /** Kafka partition key: events with the same key keep their order. */
  partitionKey?: string;
  data: unknown;
  /** The row id, which the relay publishes as CloudEvent id (default a new UUIDv7). */
  id?: string;
  /** W3C `traceparent` of the change (e.g. the event that caused this one), published with it. */
  traceparent?: string;
  /** The request that caused the change, published as the `requestid` extension. */
  requestId?: string;
}

function checkSchema(schema: string): void {
  if (!SCHEMA_PATTERN.test(schema)) throw new Error(`invalid schema name ${schema}`);
}

/**
 * Records an event in `<schema>.outbox` inside the caller's transaction, so the state change
 * and its event commit together; a relay publishes it later. Each function's migrations create
 * the table (see functions/offer/migrations for its shape).
 * @example await db.transaction(async (tx) => { await updatePrice(tx, …); await writeOutbox(tx, 'offer', event); });
 */
export async function writeOutbox(
  tx: Queryable,
  schema: string,
  event: OutboxEvent,
): Promise<string> {
  checkSchema(schema);
  const id = event.id ?? newId();
  const columns = ['id', 'type', 'subject', 'partition_key', 'data'];
  const values: unknown[] = [
    id,
    event.type,
    event.subject ?? null,
    event.partitionKey ?? null,
    JSON.stringify(event.data),
  ];
  // Only named when set, so an outbox without the column (before its migration) still takes rows.
  if (event.traceparent !== undefined) {
    columns.push('traceparent');
    values.push(event.traceparent);
  }
  if (event.requestId !== undefined) {
    columns.push('request_id');
    values.push(event.requestId);
  }
  await tx.query(
    `INSERT INTO ${schema}.outbox (${columns.join(', ')})
     VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')})`,
    values,
  );
  return id;
}

/** How long published events stay in an outbox (to inspect or replay) before they are pruned. */
export const OUTBOX_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Deletes events of `<schema>.outbox` published before `before` (default:
 * {@link OUTBOX_RETENTION_MS} ago); rows not yet published (parked ones too) are never deleted.
 * Returns how many went.
 * @example await pruneOutbox(db, 'offer'); // from the relay's hourly timer or a CronJob
 */
export async function pruneOutbox(
  db: Queryable,
  schema: string,
  before: Date = new Date(Date.now() - OUTBOX_RETENTION_MS),
): Promise<number> {
  checkSchema(schema);
  const { rowCount } = await db.query(`DELETE FROM ${schema}.outbox WHERE published_at < $1`, [
    before,
  ]);
  return rowCount;
}

/** Why the relay parked an event: it stays unpublished until staff retry it. */
export type ParkReason = 'refused' | 'too_large' | 'invalid' | 'exhausted';

/** A parked outbox event, as staff see it. */
export interface ParkedEvent {
  id: string;
  type: string;
  subject: string | null;
  /** Its ordering group: later events of this key wait behind it. */
  partitionKey: string | null;
  reason: ParkReason;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  parkedAt: string;
  /** Unpublished events of the same key held back behind it. */
  heldBack: number;
}

const iso = (value: Date | string | null) =>
  value === null ? null : new Date(value).toISOString();

/**
 * The parked events of `<schema>.outbox`, oldest first (at most `limit`).
 * @example const parked = await listParkedEvents(db, 'offer');
 */
export async function listParkedEvents(
  db: Queryable,
  schema: string,
  limit = 100,
): Promise<ParkedEvent[]> {
  checkSchema(schema);
  const { rows } = await db.query<{
    id: string;
    type: string;
    subject: string | null;
    partition_key: string | null;
    parked_reason: ParkReason;
    attempts: number;
    last_error: string | null;
    created_at: Date | string;
    last_attempt_at: Date | string | null;
    parked_at: Date | string;
    held_back: number;
  }>(
    `SELECT p.id, p.type, p.subject, p.partition_key, p.parked_reason, p.attempts, p.last_error,
            p.created_at, p.last_attempt_at, p.parked_at,
            (SELECT count(*)::int FROM ${schema}.outbox h
              WHERE h.partition_key = p.partition_key AND h.published_at IS NULL
                AND h.parked_at IS NULL AND h.id > p.id) AS held_back
       FROM ${schema}.outbox p
      WHERE p.parked_at IS NOT NULL AND p.published_at IS NULL
      ORDER BY p.id
      LIMIT $1`,
    [limit],
  );
  return rows.map((row) => ({
    id: row.id,
    type: row.type,
    subject: row.subject,
    partitionKey: row.partition_key,
    reason: row.parked_reason,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: iso(row.created_at) as string,
    lastAttemptAt: iso(row.last_attempt_at),
    parkedAt: iso(row.parked_at) as string,
    heldBack: row.held_back,
  }));
}

/**
 * Unparks an event: its attempts start again from zero and the relay tries it at its next drain
 * (wake it). Returns false when no parked event has that id.
 * @example if (await retryParkedEvent(db, 'offer', id)) relay.wake();
 */
export async function retryParkedEvent(
  db: Queryable,
  schema: string,
  id: string,
): Promise<boolean> {
  checkSchema(schema);
  const { rowCount } = await db.query(
    `UPDATE ${schema}.outbox
        SET parked_at = NULL, parked_reason = NULL, attempts = 0, next_attempt_at = NULL
      WHERE id = $1 AND parked_at IS NOT NULL AND published_at IS NULL`,
    [id],
  );
  return rowCount > 0;
}
