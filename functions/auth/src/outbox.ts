// The auth.outbox table: events written in the transaction of their change, and the prune.
import { eventCatalog, type ShopEventInput } from '@shop/eventing';
import { parseEventData, pruneOutbox, type Queryable, writeOutbox } from '@shop/shared';

type AuthEventType =
  | 'shop.user.registered'
  | 'shop.user.logged_in'
  | 'shop.auth.refresh_reuse_detected';

/**
 * Writes an event to auth.outbox inside the caller's transaction, after checking its data
 * against the event catalog (data the catalog refuses throws and rolls the change back).
 * Every auth event is about one user: subject and partition key are the user id.
 * @example await recordEvent(tx, 'shop.user.logged_in', { userId, sessionId, loggedInAt });
 */
export async function recordEvent<T extends AuthEventType>(
  tx: Queryable,
  type: T,
  data: ShopEventInput<T> & { userId: string },
): Promise<string> {
  const parsed = parseEventData(eventCatalog, type, data);
  return writeOutbox(tx, 'auth', {
    type,
    subject: data.userId,
    partitionKey: data.userId,
    data: parsed,
  });
}

/**
 * Deletes events of auth.outbox published before `before` (default: OUTBOX_RETENTION_MS ago):
 * every login writes one, so the table would otherwise grow without end.
 * @example await prunePublishedEvents(db);
 */
export function prunePublishedEvents(db: Queryable, before?: Date): Promise<number> {
  return pruneOutbox(db, 'auth', before);
}

export { OUTBOX_RETENTION_MS } from '@shop/shared';
