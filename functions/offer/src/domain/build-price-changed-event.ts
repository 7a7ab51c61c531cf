import type { OfferEvent } from './offer-event.js';
import type { Price } from './product.js';

export const PRICE_CHANGED_EVENT = 'shop.offer.price_changed';

/** The data of `shop.offer.price_changed`. */
export interface PriceChangedData {
  productId: string;
  slug: string;
  /** null when the product was just created. */
  previousPrice: Price | null;
  price: Price;
  /** The verified staff user who made the change (access token `sub`), or null for a system change. */
  changedBy: string | null;
  /** UTC ISO-8601. */
  changedAt: string;
}

/**
 * The outbox event for a price change, keyed by product so its changes stay in order.
 * @example await events.write(tx, buildPriceChangedEvent({ productId, slug, previousPrice, price, changedBy, changedAt }));
 */
export function buildPriceChangedEvent(input: {
  productId: string;
  slug: string;
  previousPrice: Price | null;
  price: Price;
  changedBy: string | null;
  changedAt: Date;
}): Extract<OfferEvent, { type: typeof PRICE_CHANGED_EVENT }> & { data: PriceChangedData } {
  return {
    type: PRICE_CHANGED_EVENT,
    subject: input.productId,
    partitionKey: input.productId,
    data: {
      productId: input.productId,
      slug: input.slug,
      previousPrice: input.previousPrice,
      price: input.price,
      changedBy: input.changedBy,
      changedAt: input.changedAt.toISOString(),
    },
  };
}
