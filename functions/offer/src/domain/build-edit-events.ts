import { buildStockAdjustedEvent } from './build-stock-adjusted-event.js';
import { diffProduct } from './diff-product.js';
import type { OfferEvent } from './offer-event.js';
import type { Product } from './product.js';

/** The fields of a staff edit that `shop.offer.changed` reports (stock has its own event). */
export const EDITED_FIELDS = ['slug', 'name', 'description', 'category', 'images'] as const;
type EditedField = (typeof EDITED_FIELDS)[number];
type EditedValues = Partial<Pick<Product, EditedField>>;

/**
 * The outbox events of one applied PATCH edit, keyed by product: `shop.offer.changed` with the
 * fields that really changed before and after, and `shop.offer.stock_adjusted` (reason `correction`)
 * when the stock count moved. An edit that changes nothing yields none.
 * @example for (const event of buildEditEvents(before, after, changedBy)) await events.write(tx, event);
 */
export function buildEditEvents(
  before: Product,
  after: Product,
  changedBy: string | null,
): Extract<OfferEvent, { type: 'shop.offer.changed' | 'shop.offer.stock_adjusted' }>[] {
  const at = after.updatedAt.toISOString();
  const common = { subject: after.id, partitionKey: after.id };
  const edited: EditedValues = {};
  for (const field of EDITED_FIELDS) Object.assign(edited, { [field]: after[field] });
  const diff = diffProduct(before, edited);
  const changedFields = EDITED_FIELDS.filter((field) => field in diff);
  const result: ReturnType<typeof buildEditEvents> = [];
  if (changedFields.length > 0) {
    const valuesOf = (product: Product): EditedValues =>
      Object.fromEntries(changedFields.map((field) => [field, product[field]]));
    result.push({
      type: 'shop.offer.changed',
      ...common,
      data: {
        productId: after.id,
        slug: after.slug,
        changedFields,
        before: valuesOf(before),
        after: valuesOf(after),
        changedBy,
        changedAt: at,
      },
    });
  }
  if (before.stock !== after.stock) {
    result.push(
      buildStockAdjustedEvent(after, before.stock, {
        reason: 'correction',
        note: null,
        adjustedBy: changedBy,
      }),
    );
  }
  return result;
}
