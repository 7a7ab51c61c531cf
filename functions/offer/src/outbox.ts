// The offer.outbox table: events written in the transaction of their change, and the prune.
import { eventCatalog } from '@shop/eventing';
import { parseEventData, type Queryable, writeOutbox } from '@shop/shared';
import type { OfferEvent } from './domain/offer-event.js';

/** How long published events stay in offer.outbox (to inspect or replay) before the prune. */
export const OUTBOX_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Writes an event to offer.outbox inside the caller's transaction, after checking its data
 * against the event catalog: data the catalog refuses throws (InvalidEventError) and rolls the
 * change back, instead of committing an event the relay could never publish.
 * @example await db.transaction(async (tx) => { await updateProduct(tx, …); await recordEvent(tx, buildStatusEvent(product, actor)); });
 */
export async function recordEvent(tx: Queryable, event: OfferEvent): Promise<string> {
  const data = parseEventData(eventCatalog, event.type, event.data);
  return writeOutbox(tx, 'offer', { ...event, data });
}

/**
 * Deletes events published before `before` (default: {@link OUTBOX_RETENTION_MS} ago); rows
 * not yet published are never deleted. Returns how many went.
 * @example await prunePublishedEvents(db); // e.g. from the relay's hourly timer or a CronJob
 */
export async function prunePublishedEvents(
  db: Queryable,
  before: Date = new Date(Date.now() - OUTBOX_RETENTION_MS),
): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM offer.outbox WHERE published_at < $1', [before]);
  return rowCount;
}
