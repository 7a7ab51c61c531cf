import type { ShopEventInput } from '@shop/eventing';
import type { events } from '../events.js';

/** The event types the user function declares it publishes (`src/events.ts`). */
export type UserEventType = (typeof events.publishes)[number];

/** An event about one user as it goes into the outbox: subject and partition key are its id. */
export type UserEvent = {
  [T in UserEventType]: { type: T; subject: string; partitionKey: string; data: ShopEventInput<T> };
}[UserEventType];
