// The events redirect publishes (through its outbox) and consumes (its own shop.link.changed,
// to drop changed links from the caches); clicks go to Kafka directly (click-recorder.ts).
import { eventCatalog } from '@shop/eventing';
import { defineEvents } from '@shop/shared';

export const events = defineEvents({
  catalog: eventCatalog,
  producer: 'redirect',
  publishes: ['shop.link.created', 'shop.link.changed'],
  consumes: ['shop.link.changed'],
});
