// The conversion_webhook.outbox table: payment events written in the transaction of the
// provider event they come from, and the prune.
import { eventCatalog } from '@shop/eventing';
import { parseEventData, pruneOutbox, type Queryable, writeOutbox } from '@shop/shared';

/** A payment event this function emits. */
export interface PaymentEvent {
  type: 'shop.payment.succeeded' | 'shop.payment.failed' | 'shop.payment.refunded';
  orderId: string;
  data: Record<string, unknown>;
}

/**
 * Writes a payment event to the outbox inside the caller's transaction, after checking its
 * data against the event catalog (a refusal throws and rolls the provider event back). The
 * order id is the subject and the partition key, so the events of one order keep their order.
 * @example await recordEvent(tx, { type: 'shop.payment.succeeded', orderId, data });
 */
export async function recordEvent(tx: Queryable, event: PaymentEvent): Promise<string> {
  const data = parseEventData(eventCatalog, event.type, event.data);
  return writeOutbox(tx, 'conversion_webhook', {
    type: event.type,
    subject: event.orderId,
    partitionKey: event.orderId,
    data,
  });
}

/**
 * Deletes events of conversion_webhook.outbox published before `before` (default: OUTBOX_RETENTION_MS ago).
 * @example await prunePublishedEvents(db);
 */
export function prunePublishedEvents(db: Queryable, before?: Date): Promise<number> {
  return pruneOutbox(db, 'conversion_webhook', before);
}

export { OUTBOX_RETENTION_MS } from '@shop/shared';
