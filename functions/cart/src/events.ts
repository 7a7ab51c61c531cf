// The events the cart function publishes and consumes; the kit derives its outbox writes, relay
// and /events receiver from this.
import { eventCatalog, type ShopEventInput } from '@shop/eventing';
import { defineEvents, type Queryable } from '@shop/shared';

/** cart's events: order events out through `cart.outbox`; payment events in. */
export const events = defineEvents({
  catalog: eventCatalog,
  producer: 'cart',
  publishes: [
    'shop.order.created',
    'shop.order.paid',
    'shop.order.payment_failed',
    'shop.order.cancelled',
    'shop.order.refunded',
    'shop.order.payment_mismatched',
    'shop.order.refund_requested',
    'shop.order.review_resolved',
  ],
  consumes: ['shop.payment.succeeded', 'shop.payment.failed', 'shop.payment.refunded'],
});

export type OrderEventType = (typeof events.publishes)[number];

/**
 * Writes an order event to cart.outbox inside the caller's transaction, after checking its data
 * against the event catalog; the order id is subject and partition key (events of one order
 * keep their order).
 */
export function recordOrderEvent<T extends OrderEventType>(
  tx: Queryable,
  type: T,
  orderId: string,
  data: ShopEventInput<T>,
): Promise<string> {
  return events.write(tx, { type, data, subject: orderId, partitionKey: orderId });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The user id as events carry it (a uuid, else null). */
export function eventUserId(userId: string): string | null {
  return UUID.test(userId) ? userId : null;
}
