import type { Queryable } from './db/database.js';
import { newId } from './ids.js';

/** An event to publish once the transaction that wrote it commits. */
export interface OutboxEvent {
  /** CloudEvents type, e.g. `shop.offer.price_changed`. */
  type: string;
  /** CloudEvents subject, e.g. the product id. */
  subject?: string;
  /** Kafka partition key: events with the same key keep their order. */
  partitionKey?: string;
  data: unknown;
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
  if (!/^[a-z][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const id = newId();
  await tx.query(
    `INSERT INTO ${schema}.outbox (id, type, subject, partition_key, data) VALUES ($1, $2, $3, $4, $5)`,
    [id, event.type, event.subject ?? null, event.partitionKey ?? null, JSON.stringify(event.data)],
  );
  return id;
}

/** How long published events stay in an outbox (to inspect or replay) before they are pruned. */
export const OUTBOX_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Deletes events of `<schema>.outbox` published before `before` (default:
 * {@link OUTBOX_RETENTION_MS} ago); rows not yet published are never deleted. Returns how many went.
 * @example await pruneOutbox(db, 'offer'); // from the relay's hourly timer or a CronJob
 */
export async function pruneOutbox(
  db: Queryable,
  schema: string,
  before: Date = new Date(Date.now() - OUTBOX_RETENTION_MS),
): Promise<number> {
  if (!/^[a-z][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const { rowCount } = await db.query(`DELETE FROM ${schema}.outbox WHERE published_at < $1`, [
    before,
  ]);
  return rowCount;
}
