// The events the user function publishes and consumes; the kit derives its outbox writes, relay
// and /events receiver from this.
import { eventCatalog } from '@shop/eventing';
import { defineEvents } from '@shop/shared';

/** user's events: `shop.user.erased` through `users.outbox`; registrations create profiles. */
export const events = defineEvents({
  catalog: eventCatalog,
  producer: 'user',
  // `user` is a reserved word in PostgreSQL.
  schema: 'users',
  publishes: ['shop.user.erased'],
  consumes: ['shop.user.registered'],
});
