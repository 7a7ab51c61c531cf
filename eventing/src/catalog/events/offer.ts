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
  consumers: ['audit'],
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
  consumers: ['audit'],
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
  consumers: ['audit'],
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
  consumers: ['audit'],
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
