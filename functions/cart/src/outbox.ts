// The cart.outbox table: events written in the transaction of their change, and the prune.
import { eventCatalog } from '@shop/eventing';
import { type EventInput, parseEventData, type Queryable, writeOutbox } from '@shop/shared';

/** How long published events stay in cart.outbox before the prune. */
export const OUTBOX_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

type Catalog = typeof eventCatalog;
export type OrderEventType =
  | 'shop.order.created'
  | 'shop.order.paid'
  | 'shop.order.payment_failed'
  | 'shop.order.cancelled'
  | 'shop.order.refunded';

/**
 * Writes an order event to cart.outbox inside the caller's transaction, after checking its data
 * against the event catalog; the order id is subject and partition key (events of one order
 * keep their order).
 */
export async function recordOrderEvent<T extends OrderEventType>(
  tx: Queryable,
  type: T,
  orderId: string,
  data: EventInput<Catalog, T>,
): Promise<string> {
  const parsed = parseEventData(eventCatalog, type, data);
  return writeOutbox(tx, 'cart', { type, subject: orderId, partitionKey: orderId, data: parsed });
}

/** Deletes events published before `before`; unpublished rows are never deleted. */
export async function prunePublishedEvents(
  db: Queryable,
  before: Date = new Date(Date.now() - OUTBOX_RETENTION_MS),
): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM cart.outbox WHERE published_at < $1', [before]);
  return rowCount;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The user id as events carry it (a uuid, else null). */
export function eventUserId(userId: string): string | null {
  return UUID.test(userId) ? userId : null;
}
