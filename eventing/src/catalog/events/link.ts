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

/** What a link looks like after a change: what audit keeps and caches invalidate by. */
const linkSnapshot = z
  .object({
    code: eventText({ min: 1, max: 64 }),
    caseSensitive: z.boolean(),
    destinationUrl: z.url({ protocol: /^https?$/ }),
    affiliateId: eventText({ max: 200 }).nullable(),
    campaign: eventText({ max: 200 }).nullable(),
    status: z.enum(['active', 'disabled']),
    redirectStatus: z.union([z.literal(301), z.literal(302)]),
    expiresAt: eventTimestamp.nullable(),
    hasPassword: z.boolean(),
    ruleCount: z.number().int().min(0),
    variantCount: z.number().int().min(0),
  })
  .strict();

export const linkChanged = defineEvent({
  type: 'shop.link.changed',
  description:
    'Staff created, edited, disabled or enabled a tracked link (every edit, for the audit log); ' +
    "redirect itself consumes it to drop the link from every instance's in-process cache.",
  producer: 'redirect',
  // redirect consumes its own event: each instance drops the changed codes from its LRU.
  consumers: ['audit', 'redirect'],
  partitionKey: 'linkId',
  schema: z
    .object({
      linkId: z.uuid(),
      change: z.enum(['created', 'updated', 'disabled', 'enabled']),
      /** The codes a cache may hold the link under: the current one and, after a rename, the old. */
      codes: z
        .array(eventText({ min: 1, max: 64 }))
        .min(1)
        .max(2),
      changedFields: z.array(eventText({ min: 1, max: 64 })).max(30),
      link: linkSnapshot,
      changedBy: eventText().nullable(),
      changedAt: eventTimestamp,
    })
    .strict(),
});

export const linkClicked = defineEvent({
  type: 'shop.link.clicked',
  description:
    'A visitor followed a tracked link; clickId is also appended to the destination (the storefront keeps it in a first-party cookie) and comes back with the order. redirect writes it in batches straight to the analytics Kafka topic (binary CloudEvents), not through the broker.',
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
      // Added with the click pipeline; optional so records written before them still parse.
      destinationHost: eventText({ max: 253 }).optional(),
      visitorHash: z
        .string()
        .regex(/^[0-9a-f]{32}$/)
        .optional()
        .describe('Keyed hash of the IP, its key rotating daily: no raw IP is kept anywhere.'),
      country: z
        .string()
        .regex(/^[A-Z]{2}$/)
        .nullable()
        .optional()
        .describe('ISO 3166-1 alpha-2 country of the IP, from the shipped IP database.'),
      device: z.enum(['desktop', 'mobile', 'tablet', 'tv', 'bot', 'other']).optional(),
      os: eventText({ max: 100 }).nullable().optional(),
      browser: eventText({ max: 100 }).nullable().optional(),
      bot: z
        .boolean()
        .optional()
        .describe('A crawler, link-preview or mail-security scanner: not a visit to credit.'),
    })
    .strict(),
});
