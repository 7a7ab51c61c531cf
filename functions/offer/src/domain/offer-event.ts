import type { ShopEventInput } from '@shop/eventing';

/** The event types the offer function publishes (see eventing/src/catalog/events/offer.ts). */
export type OfferEventType =
  | 'shop.offer.created'
  | 'shop.offer.price_changed'
  | 'shop.offer.archived'
  | 'shop.offer.unarchived';

/** An event about one product as it goes into the outbox: subject and partition key are its id. */
export type OfferEvent = {
  [T in OfferEventType]: {
    type: T;
    subject: string;
    partitionKey: string;
    data: ShopEventInput<T>;
  };
}[OfferEventType];
