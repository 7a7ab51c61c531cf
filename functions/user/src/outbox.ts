// The users.outbox table: events written in the transaction of their change, and the prune.
import { eventCatalog } from '@shop/eventing';
import { parseEventData, pruneOutbox, type Queryable, writeOutbox } from '@shop/shared';
import type { UserEvent } from './domain/user-event.js';

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
 * Deletes events of users.outbox published before `before` (default: OUTBOX_RETENTION_MS ago).
 * @example await prunePublishedEvents(db);
 */
export function prunePublishedEvents(db: Queryable, before?: Date): Promise<number> {
  return pruneOutbox(db, 'users', before);
}

export { OUTBOX_RETENTION_MS } from '@shop/shared';
