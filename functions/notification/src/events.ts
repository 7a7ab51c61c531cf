// The events notification publishes and consumes (types from the catalog in eventing/); the kit
// derives its outbox writes, relay and /events receiver from this.
import { eventCatalog } from '@shop/eventing';
import { defineEvents } from '@shop/shared';
import { MESSAGE_EVENT_TYPES } from './domain/plan-messages.js';

/** notification's events: every event that asks for a message, and erasures, in; sends out. */
export const events = defineEvents({
  catalog: eventCatalog,
  producer: 'notification',
  publishes: ['shop.notification.sent'],
  consumes: [...MESSAGE_EVENT_TYPES, 'shop.user.erased'],
});
