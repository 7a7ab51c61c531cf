// The events reporting consumes (types from the catalog in eventing/): orders and payment
// outcomes through the broker's Triggers, clicks and Segment calls from the analytics topics
// through a KafkaSource, and erasures. It publishes none: its reports are its output.
import { eventCatalog } from '@shop/eventing';
import { defineEvents, type EventData } from '@shop/shared';

export const reportedEventTypes = [
  'shop.order.created',
  'shop.order.cancelled',
  'shop.order.payment_mismatched',
  'shop.payment.succeeded',
  'shop.payment.refunded',
  'shop.conversion.attributed',
  'shop.conversion.reversed',
  'shop.link.clicked',
  'shop.analytics.page',
  'shop.analytics.track',
  'shop.analytics.identify',
  // The KafkaSource delivers every call on the analytics topics: these only join identities.
  'shop.analytics.screen',
  'shop.analytics.group',
  'shop.analytics.alias',
  // Erasure: the person's ids are replaced by pseudonyms (store/erase-identities.ts).
  'shop.user.erased',
] as const;

export type ReportedEventType = (typeof reportedEventTypes)[number];

/** The data of a consumed event type, as the catalog parses it. */
export type ReportedData<T extends ReportedEventType> = EventData<typeof eventCatalog, T>;

export const events = defineEvents({
  catalog: eventCatalog,
  producer: 'reporting',
  publishes: [],
  consumes: reportedEventTypes,
});
