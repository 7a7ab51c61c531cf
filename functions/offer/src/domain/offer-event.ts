import type { ShopEventInput } from '@shop/eventing';
import type { events } from '../events.js';

/** The event types the offer function declares it publishes (`src/events.ts`). */
export type OfferEventType = (typeof events.publishes)[number];

/** An event about one product as it goes into the outbox: subject and partition key are its id. */
export type OfferEvent = {
  [T in OfferEventType]: {
    type: T;
    subject: string;
    partitionKey: string;
    data: ShopEventInput<T>;
  };
}[OfferEventType];
