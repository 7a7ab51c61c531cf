// The events analytics-ingest publishes and consumes (types from the catalog in eventing/); the kit
// derives its outbox writes, relay and /events receiver from this.
import { eventCatalog } from '@shop/eventing';
import { defineEvents } from '@shop/shared';

export const events = defineEvents({
  catalog: eventCatalog,
  producer: 'analytics-ingest',
  // Through its outbox (analytics_ingest.outbox) to the broker, for audit; the Segment calls
  // themselves go straight to Kafka (ingest.ts), not through here.
  publishes: ['shop.analytics_source.created', 'shop.analytics_source.revoked'],
  consumes: [],
});
