// Affiliate links (function `redirect`).
import { defineEvent } from '@shop/shared';
import { z } from 'zod';
import { eventText } from './text.js';
import { eventTimestamp } from './timestamp.js';

export const linkCreated = defineEvent({
  type: 'shop.link.created',
  description: 'Staff created a tracked link /r/:code.',
  producer: 'redirect',
  consumers: ['audit'],
  partitionKey: 'linkId',
  schema: z
    .object({
      linkId: z.uuid(),
      code: eventText().min(1),
      destinationUrl: z.url({ protocol: /^https?$/ }),
      affiliateId: eventText().nullable(),
      campaign: eventText().nullable(),
      createdBy: eventText().nullable(),
      createdAt: eventTimestamp,
    })
    .strict(),
});

export const linkClicked = defineEvent({
  type: 'shop.link.clicked',
  description:
    'A visitor followed a tracked link; clickId is also set as a cookie and comes back with the order.',
  producer: 'redirect',
  consumers: ['attribution', 'reporting'],
  // Clicks need no order among themselves; the click id spreads them over the partitions.
  partitionKey: 'clickId',
  schema: z
    .object({
      clickId: z.uuid(),
      linkId: z.uuid(),
      code: eventText().min(1),
      affiliateId: eventText().nullable(),
      campaign: eventText().nullable(),
      referrerHost: z
        .string()
        .nullable()
        .describe('Host of the Referer, never the full URL (it may carry personal data).'),
      clickedAt: eventTimestamp,
    })
    .strict(),
});
