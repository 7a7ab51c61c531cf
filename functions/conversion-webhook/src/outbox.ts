// The conversion_webhook.outbox table: payment events written in the transaction of the
// provider event they come from, and the prune.
import { eventCatalog } from '@shop/eventing';
import { parseEventData, type Queryable, writeOutbox } from '@shop/shared';

/** How long published events stay in the outbox (to inspect or replay) before the prune. */
export const OUTBOX_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

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
 * Deletes events published before `before` (default: {@link OUTBOX_RETENTION_MS} ago); rows
 * not yet published are never deleted. Returns how many went.
 * @example await prunePublishedEvents(db);
 */
export async function prunePublishedEvents(
  db: Queryable,
  before: Date = new Date(Date.now() - OUTBOX_RETENTION_MS),
): Promise<number> {
  const { rowCount } = await db.query(
    'DELETE FROM conversion_webhook.outbox WHERE published_at < $1',
    [before],
  );
  return rowCount;
}
