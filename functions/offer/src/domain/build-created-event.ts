import type { OfferEvent } from './offer-event.js';
import type { Product } from './product.js';

/**
 * The outbox event for a new product (`shop.offer.created`), keyed by product.
 * @example await events.write(tx, buildCreatedEvent(product, 'staff-42'));
 */
export function buildCreatedEvent(
  product: Product,
  createdBy: string | null,
): Extract<OfferEvent, { type: 'shop.offer.created' }> {
  return {
    type: 'shop.offer.created',
    subject: product.id,
    partitionKey: product.id,
    data: {
      productId: product.id,
      slug: product.slug,
      name: product.name,
      category: product.category,
      price: { amount: product.priceAmount, currency: product.currency },
      createdBy,
      createdAt: product.createdAt.toISOString(),
    },
  };
}
