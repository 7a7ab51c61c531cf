import type { OfferEvent } from './offer-event.js';
import type { Product, StockAdjustmentReason } from './product.js';

/**
 * `shop.offer.stock_adjusted` for a product whose stock moved from `previousStock` to its
 * current count, with the reason (and note) staff gave.
 * @example await events.write(tx, buildStockAdjustedEvent(after, 4, { reason: 'received', note: null, adjustedBy }));
 */
export function buildStockAdjustedEvent(
  after: Product,
  previousStock: number,
  why: { reason: StockAdjustmentReason; note: string | null; adjustedBy: string | null },
): Extract<OfferEvent, { type: 'shop.offer.stock_adjusted' }> {
  return {
    type: 'shop.offer.stock_adjusted',
    subject: after.id,
    partitionKey: after.id,
    data: {
      productId: after.id,
      slug: after.slug,
      previousStock,
      stock: after.stock,
      reason: why.reason,
      ...(why.note !== null && why.note !== '' && { note: why.note }),
      adjustedBy: why.adjustedBy,
      adjustedAt: after.updatedAt.toISOString(),
    },
  };
}
