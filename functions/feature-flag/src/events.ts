// The events feature-flag publishes: every change of a flag, for the audit log.
import { eventCatalog } from '@shop/eventing';
import { defineEvents } from '@shop/shared';

export const events = defineEvents({
  catalog: eventCatalog,
  producer: 'feature-flag',
  publishes: ['shop.flag.changed'],
  consumes: [],
});

/** The declared events, as the write path receives them. */
export type FeatureFlagEvents = typeof events;
