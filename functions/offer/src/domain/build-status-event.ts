import type { OfferEvent } from './offer-event.js';
import type { Product } from './product.js';

/**
 * The outbox event for a product whose status just changed: `shop.offer.archived` when it is
 * now archived, `shop.offer.unarchived` when it is active again; keyed by product.
 * @example await events.write(tx, buildStatusEvent(updated, changedBy));
 */
export function buildStatusEvent(
  product: Product,
  changedBy: string | null,
): Extract<OfferEvent, { type: 'shop.offer.archived' | 'shop.offer.unarchived' }> {
  const at = product.updatedAt.toISOString();
  const common = { subject: product.id, partitionKey: product.id };
  const about = { productId: product.id, slug: product.slug };
  return product.status === 'archived'
    ? {
        type: 'shop.offer.archived',
        ...common,
        data: { ...about, archivedBy: changedBy, archivedAt: at },
      }
    : {
        type: 'shop.offer.unarchived',
        ...common,
        data: { ...about, unarchivedBy: changedBy, unarchivedAt: at },
      };
}
