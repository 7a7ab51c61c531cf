// Write-key changes of the analytics sources (function `analytics-ingest`): staff create a
// source (its write key shown once) or revoke it. Unlike the Segment calls these go through the
// broker, so audit records who changed which key. Never the key, only its public hint.
import { defineEvent } from '@shop/shared';
import { z } from 'zod';
import { eventText } from './text.js';
import { eventTimestamp } from './timestamp.js';

const staffActor = eventText()
  .min(1)
  .max(200)
  .describe('The staff member who made the change (the verified subject of their token).');
const keyHint = eventText()
  .min(1)
  .max(50)
  .describe('The first characters of the write key, as staff see them in the list; never the key.');

export const analyticsSourceCreated = defineEvent({
  type: 'shop.analytics_source.created',
  description: 'Staff created an analytics source and its write key (the key itself is not in it).',
  producer: 'analytics-ingest',
  consumers: ['audit'],
  partitionKey: 'sourceId',
  schema: z
    .object({
      sourceId: z.uuid(),
      name: eventText().min(1).max(100),
      site: eventText().max(200).nullable(),
      keyHint,
      createdBy: staffActor,
      createdAt: eventTimestamp,
    })
    .strict(),
});

export const analyticsSourceRevoked = defineEvent({
  type: 'shop.analytics_source.revoked',
  description: 'Staff revoked an analytics source: its write key is refused from now on.',
  producer: 'analytics-ingest',
  consumers: ['audit'],
  partitionKey: 'sourceId',
  schema: z
    .object({
      sourceId: z.uuid(),
      name: eventText().min(1).max(100),
      keyHint,
      revokedBy: staffActor,
      revokedAt: eventTimestamp,
    })
    .strict(),
});
