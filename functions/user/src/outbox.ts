// The users.outbox table: events written in the transaction of their change, and the prune.
import { eventCatalog } from '@shop/eventing';
import { parseEventData, type Queryable, writeOutbox } from '@shop/shared';
import type { UserEvent } from './domain/user-event.js';

/** How long published events stay in users.outbox (to inspect or replay) before the prune. */
export const OUTBOX_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Writes an event to users.outbox inside the caller's transaction, after checking its data
 * against the event catalog: data the catalog refuses throws (InvalidEventError) and rolls the
 * change back, instead of committing an event the relay could never publish.
 * @example await db.transaction(async (tx) => { await eraseProfile(tx, id); await recordEvent(tx, buildErasedEvent(…)); });
 */
export async function recordEvent(tx: Queryable, event: UserEvent): Promise<string> {
  const data = parseEventData(eventCatalog, event.type, event.data);
  return writeOutbox(tx, 'users', { ...event, data });
}

/**
 * Deletes events published before `before` (default: {@link OUTBOX_RETENTION_MS} ago); rows
 * not yet published are never deleted. Returns how many went.
 * @example await prunePublishedEvents(db);
 */
export async function prunePublishedEvents(
  db: Queryable,
  before: Date = new Date(Date.now() - OUTBOX_RETENTION_MS),
): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM users.outbox WHERE published_at < $1', [before]);
  return rowCount;
}
