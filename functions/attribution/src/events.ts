// The events attribution publishes (through its outbox) and consumes: the order, payment and
// erasure events through broker Triggers, clicks and analytics calls through the KafkaSource
// of the analytics topic. The kit derives its outbox writes, relay and /events receiver from this.
import { eventCatalog } from '@shop/eventing';
import { defineEvents } from '@shop/shared';

/** What comes in through the KafkaSource of the analytics topic (not the broker). */
export const ANALYTICS_TYPES = [
  'shop.link.clicked',
  'shop.analytics.page',
  'shop.analytics.screen',
  'shop.analytics.track',
  'shop.analytics.identify',
  'shop.analytics.alias',
  'shop.analytics.group',
] as const;

export const events = defineEvents({
  catalog: eventCatalog,
  producer: 'attribution',
  publishes: ['shop.conversion.attributed', 'shop.conversion.reversed'],
  consumes: [
    'shop.order.created',
    'shop.payment.succeeded',
    'shop.payment.refunded',
    'shop.user.erased',
    ...ANALYTICS_TYPES,
  ],
});
