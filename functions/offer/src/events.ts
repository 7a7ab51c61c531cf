// The events the offer function publishes; the kit derives its outbox writes and relay from this.
import { eventCatalog } from '@shop/eventing';
import { defineEvents } from '@shop/shared';

/** offer's events: written to `offer.outbox` with the change they describe. */
export const events = defineEvents({
  catalog: eventCatalog,
  producer: 'offer',
  publishes: [
    'shop.offer.created',
    'shop.offer.price_changed',
    'shop.offer.archived',
    'shop.offer.unarchived',
    'shop.offer.changed',
    'shop.offer.stock_adjusted',
  ],
});
