// The cart.outbox table: events written in the transaction of their change, and the prune.
import { eventCatalog } from '@shop/eventing';
import {
  type EventInput,
  parseEventData,
  pruneOutbox,
  type Queryable,
  writeOutbox,
} from '@shop/shared';

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

/**
 * Deletes events of cart.outbox published before `before` (default: OUTBOX_RETENTION_MS ago).
 * @example await prunePublishedEvents(db);
 */
export function prunePublishedEvents(db: Queryable, before?: Date): Promise<number> {
  return pruneOutbox(db, 'cart', before);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The user id as events carry it (a uuid, else null). */
export function eventUserId(userId: string): string | null {
  return UUID.test(userId) ? userId : null;
}

export { OUTBOX_RETENTION_MS } from '@shop/shared';
