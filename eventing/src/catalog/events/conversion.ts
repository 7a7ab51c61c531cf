// Affiliate credit (function `attribution`), ordered per order. Each event carries the whole
// current result of its conversion and a version that grows with every change, so the last
// one a consumer keeps is the answer whatever order the inputs arrived in.
import { defineEvent } from '@shop/shared';
import { z } from 'zod';
import { eventMoney } from './money.js';
import { eventText } from './text.js';
import { eventTimestamp } from './timestamp.js';

/** The attribution models (functions/attribution/README.md has their formulas). */
export const attributionModels = [
  'last_click',
  'first_click',
  'linear',
  'position_based',
  'time_decay',
  'data_driven',
] as const;

const touchpointCredit = z
  .object({
    touchpointId: eventText({ min: 1, max: 250 }),
    kind: z.enum(['click', 'campaign']),
    clickId: z.uuid().nullable(),
    linkId: z.uuid().nullable(),
    affiliateId: eventText({ max: 200 }).nullable(),
    campaign: eventText({ max: 500 }).nullable(),
    touchedAt: eventTimestamp,
    credit: z.int().nonnegative().describe('Minor units of the revenue credited to this touch.'),
    commissionRateBasisPoints: z.int().min(0).max(10_000),
    commission: z.int().nonnegative().describe('Minor units of commission earned by this touch.'),
  })
  .strict();

export const conversionAttributed = defineEvent({
  type: 'shop.conversion.attributed',
  description:
    "A paid order's revenue credited to the touches that brought the shopper, under the live model (last click by default); the credits sum exactly to the revenue. A later version (a late touch re-scored it) replaces the earlier one.",
  producer: 'attribution',
  consumers: ['reporting', 'audit'],
  partitionKey: 'orderId',
  schema: z
    .object({
      conversionId: z.uuid(),
      orderId: z.uuid(),
      paymentId: z.uuid(),
      version: z.int().positive(),
      model: z.enum(attributionModels),
      revenue: eventMoney,
      commission: eventMoney,
      purchasedAt: eventTimestamp,
      lookbackDays: z.int().positive(),
      touchpoints: z.array(touchpointCredit).min(1).max(100),
      attributedAt: eventTimestamp,
    })
    .strict(),
});

export const conversionReversed = defineEvent({
  type: 'shop.conversion.reversed',
  description:
    'Refunds took back (part of) the credit of an attributed conversion, in proportion to each touch’s credit; every amount is the total so far, so the last version is the whole answer.',
  producer: 'attribution',
  consumers: ['reporting', 'audit'],
  partitionKey: 'orderId',
  schema: z
    .object({
      conversionId: z.uuid(),
      orderId: z.uuid(),
      paymentId: z.uuid(),
      version: z.int().positive(),
      refunded: eventMoney.describe('All refunds of the payment so far (at most the revenue).'),
      creditReversed: eventMoney,
      commissionReversed: eventMoney,
      touchpoints: z
        .array(
          z
            .object({
              touchpointId: eventText({ min: 1, max: 250 }),
              creditReversed: z.int().nonnegative(),
              commissionReversed: z.int().nonnegative(),
            })
            .strict(),
        )
        .min(1)
        .max(100),
      reversedAt: eventTimestamp,
    })
    .strict(),
});
