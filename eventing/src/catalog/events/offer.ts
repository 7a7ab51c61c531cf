// Events of the catalog (function `offer`), all ordered per product.
import { defineEvent } from '@shop/shared';
import { z } from 'zod';
import { eventMoney } from './money.js';
import { eventText } from './text.js';
import { eventTimestamp } from './timestamp.js';

/** The verified staff user (access token `sub`) who made the change, or null for a system change. */
const actor = eventText().nullable();

export const offerCreated = defineEvent({
  type: 'shop.offer.created',
  description: 'Staff added a product to the catalog.',
  producer: 'offer',
  consumers: ['audit', 'storefront'],
  partitionKey: 'productId',
  schema: z
    .object({
      productId: z.uuid(),
      slug: eventText(),
      name: eventText(),
      category: eventText(),
      price: eventMoney,
      createdBy: actor,
      createdAt: eventTimestamp,
    })
    .strict(),
});

export const offerPriceChanged = defineEvent({
  type: 'shop.offer.price_changed',
  description:
    'A product got a new price (also recorded when a product is created, with previousPrice null).',
  producer: 'offer',
  consumers: ['audit', 'storefront'],
  partitionKey: 'productId',
  // functions/offer writes exactly this shape (build-price-changed-event.ts).
  schema: z
    .object({
      productId: z.uuid(),
      slug: eventText(),
      previousPrice: eventMoney.nullable(),
      price: eventMoney,
      changedBy: actor,
      changedAt: eventTimestamp,
    })
    .strict(),
});

export const offerArchived = defineEvent({
  type: 'shop.offer.archived',
  description: 'Staff took a product out of the public catalog.',
  producer: 'offer',
  consumers: ['audit', 'storefront'],
  partitionKey: 'productId',
  schema: z
    .object({
      productId: z.uuid(),
      slug: eventText(),
      archivedBy: actor,
      archivedAt: eventTimestamp,
    })
    .strict(),
});

export const offerUnarchived = defineEvent({
  type: 'shop.offer.unarchived',
  description: 'Staff put an archived product back into the public catalog.',
  producer: 'offer',
  consumers: ['audit', 'storefront'],
  partitionKey: 'productId',
  schema: z
    .object({
      productId: z.uuid(),
      slug: eventText(),
      unarchivedBy: actor,
      unarchivedAt: eventTimestamp,
    })
    .strict(),
});

/** The product fields a staff edit changes besides price, stock and status, as they were or became. */
const editedFields = z
  .object({
    slug: eventText({ min: 1 }),
    name: eventText({ min: 1 }),
    description: eventText({ max: 5000, multiline: true }),
    category: eventText({ min: 1 }),
    images: z.array(eventText({ min: 1, max: 2048 })).max(20),
  })
  .partial()
  .strict();

export const offerChanged = defineEvent({
  type: 'shop.offer.changed',
  description:
    'Staff edited a product (slug, name, description, category or images): only the fields that really changed, before and after.',
  producer: 'offer',
  consumers: ['audit', 'storefront'],
  partitionKey: 'productId',
  schema: z
    .object({
      productId: z.uuid(),
      /** The slug after the change. */
      slug: eventText(),
      changedFields: z.array(z.enum(['slug', 'name', 'description', 'category', 'images'])).min(1),
      before: editedFields,
      after: editedFields,
      changedBy: actor,
      changedAt: eventTimestamp,
    })
    .strict(),
});

export const offerStockAdjusted = defineEvent({
  type: 'shop.offer.stock_adjusted',
  description:
    'Staff changed the stock count of a product, with a reason (reservations for orders are not adjustments).',
  producer: 'offer',
  consumers: ['audit', 'storefront'],
  partitionKey: 'productId',
  schema: z
    .object({
      productId: z.uuid(),
      slug: eventText(),
      previousStock: z.number().int().nonnegative(),
      stock: z.number().int().nonnegative(),
      /**
       * Why (optional in v1, absent from events recorded before it): units received, returned,
       * damaged or lost, a count corrected (every PATCH of stock), or other.
       */
      reason: z.enum(['received', 'returned', 'damaged', 'lost', 'correction', 'other']).optional(),
      /** The staff member's note on the adjustment, if any (optional in v1). */
      note: eventText({ max: 500 }).optional(),
      adjustedBy: actor,
      adjustedAt: eventTimestamp,
    })
    .strict(),
});
