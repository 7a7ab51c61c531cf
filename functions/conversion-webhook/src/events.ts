// The events the conversion-webhook function publishes; the kit derives its outbox writes and
// relay from this.
import { eventCatalog, type ShopEventCatalog } from '@shop/eventing';
import { defineEvents, type OutboxEventOf } from '@shop/shared';

/** Payment events, written to `conversion_webhook.outbox` with the provider event they come from. */
export const events = defineEvents({
  catalog: eventCatalog,
  producer: 'conversion-webhook',
  publishes: ['shop.payment.succeeded', 'shop.payment.failed', 'shop.payment.refunded'],
});

/** A payment event as it goes into the outbox: subject and partition key are the order id. */
export type PaymentEvent = OutboxEventOf<ShopEventCatalog, (typeof events.publishes)[number]>;
