// The events reporting publishes and consumes (types from the catalog in eventing/); the kit
// derives its outbox writes, relay and /events receiver from this.
import { eventCatalog } from '@shop/eventing';
import { defineEvents } from '@shop/shared';

export const events = defineEvents({
  catalog: eventCatalog,
  producer: 'reporting',
  publishes: [],
  consumes: [],
});
