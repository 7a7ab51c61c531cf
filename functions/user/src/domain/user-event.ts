import type { ShopEventInput } from '@shop/eventing';

/** The event types the user function publishes (see eventing/src/catalog/events/user.ts). */
export type UserEventType = 'shop.user.erased';

/** An event about one user as it goes into the outbox: subject and partition key are its id. */
export type UserEvent = {
  [T in UserEventType]: { type: T; subject: string; partitionKey: string; data: ShopEventInput<T> };
}[UserEventType];
