// Affiliate credit (function `attribution`), ordered per order.
import { defineEvent } from '@shop/shared';
import { z } from 'zod';
import { eventMoney } from './money.js';
import { eventText } from './text.js';
import { eventTimestamp } from './timestamp.js';

export const conversionAttributed = defineEvent({
  type: 'shop.conversion.attributed',
  description:
    'A paid order was credited to the affiliate link click that brought the shopper (last click wins).',
  producer: 'attribution',
  consumers: ['reporting', 'audit'],
  partitionKey: 'orderId',
  schema: z
    .object({
      conversionId: z.uuid(),
      orderId: z.uuid(),
      paymentId: z.uuid(),
      clickId: z.uuid(),
      linkId: z.uuid(),
      affiliateId: eventText().nullable(),
      campaign: eventText().nullable(),
      model: z.enum(['last_click']),
      revenue: eventMoney,
      commission: eventMoney,
      attributedAt: eventTimestamp,
    })
    .strict(),
});

export const conversionReversed = defineEvent({
  type: 'shop.conversion.reversed',
  description: 'A refund took back (part of) the credit of an attributed conversion.',
  producer: 'attribution',
  consumers: ['reporting', 'audit'],
  partitionKey: 'orderId',
  schema: z
    .object({
      conversionId: z.uuid(),
      orderId: z.uuid(),
      paymentId: z.uuid(),
      refunded: eventMoney,
      commissionReversed: eventMoney,
      reversedAt: eventTimestamp,
    })
    .strict(),
});
