// Segment-compatible analytics calls (function `analytics-ingest`). Like clicks, they go
// straight to the analytics Kafka topic as binary-mode CloudEvents (not through the broker);
// consumers receive that topic through a KafkaSource. One type per Segment call type, so a
// consumer's filter can pick page views without parsing data.
import { defineEvent } from '@shop/shared';
import { z } from 'zod';
import { eventText } from './text.js';
import { eventTimestamp } from './timestamp.js';

const id = eventText({ min: 1, max: 200 });
const name = eventText({ max: 500 }).nullable();
const freeForm = z
  .record(z.string(), z.unknown())
  .describe('Free-form JSON object as the client sent it (size-limited by the ingest).');

/** UTM parameters of the visit: from `context.campaign`, else the page URL's `utm_*`. */
const campaign = z
  .object({
    source: name,
    medium: name,
    name,
    term: name,
    content: name,
  })
  .strict();

/** What every call carries after the ingest normalised it. */
const analyticsCall = z
  .object({
    messageId: id.describe("The client's messageId (or one the ingest made); unique per source."),
    sourceId: z
      .uuid()
      .describe('The analytics source whose write key sent the call; never the key itself.'),
    visitorKey: id.describe(
      '`<sourceId>:<anonymousId or userId>`: the Kafka key, so one visitor keeps its order.',
    ),
    anonymousId: id.nullable(),
    userId: id.nullable(),
    context: freeForm.describe(
      "The call's context merged over the batch's; `ip` is removed, never forwarded.",
    ),
    clickId: z
      .uuid()
      .nullable()
      .describe(
        'The affiliate click id (`shop_click`) found in context.page.url / properties.url, or properties.clickId.',
      ),
    campaign: campaign.nullable(),
    timestamp: eventTimestamp.describe(
      'When it happened, corrected for client clock skew: receivedAt − (sentAt − originalTimestamp).',
    ),
    originalTimestamp: eventTimestamp.nullable(),
    sentAt: eventTimestamp.nullable(),
    receivedAt: eventTimestamp.describe('Stamped by the ingest when the call arrived.'),
  })
  .strict();

const consumers = ['attribution', 'reporting'];
const description = (call: string) =>
  `A Segment ${call} call accepted by analytics-ingest, written to the analytics Kafka topic (binary CloudEvents, key = visitorKey).`;

export const analyticsTrack = defineEvent({
  type: 'shop.analytics.track',
  description: description('track'),
  producer: 'analytics-ingest',
  consumers,
  partitionKey: 'visitorKey',
  schema: analyticsCall.extend({ event: id, properties: freeForm }).strict(),
});

export const analyticsPage = defineEvent({
  type: 'shop.analytics.page',
  description: description('page'),
  producer: 'analytics-ingest',
  consumers,
  partitionKey: 'visitorKey',
  schema: analyticsCall.extend({ name, category: name, properties: freeForm }).strict(),
});

export const analyticsScreen = defineEvent({
  type: 'shop.analytics.screen',
  description: description('screen'),
  producer: 'analytics-ingest',
  consumers,
  partitionKey: 'visitorKey',
  schema: analyticsCall.extend({ name, category: name, properties: freeForm }).strict(),
});

export const analyticsIdentify = defineEvent({
  type: 'shop.analytics.identify',
  description: `${description('identify')} Joins the anonymous id to the user.`,
  producer: 'analytics-ingest',
  consumers,
  partitionKey: 'visitorKey',
  schema: analyticsCall.extend({ traits: freeForm }).strict(),
});

export const analyticsGroup = defineEvent({
  type: 'shop.analytics.group',
  description: description('group'),
  producer: 'analytics-ingest',
  consumers,
  partitionKey: 'visitorKey',
  schema: analyticsCall.extend({ groupId: id, traits: freeForm }).strict(),
});

export const analyticsAlias = defineEvent({
  type: 'shop.analytics.alias',
  description: `${description('alias')} previousId and userId are one person from now on.`,
  producer: 'analytics-ingest',
  consumers,
  partitionKey: 'visitorKey',
  schema: analyticsCall.extend({ previousId: id }).strict(),
});
