// Feature flags (function `feature-flag`), ordered per flag.
import { defineEvent } from '@shop/shared';
import { z } from 'zod';
import { eventText } from './text.js';
import { eventTimestamp } from './timestamp.js';

export const flagChanged = defineEvent({
  type: 'shop.flag.changed',
  description: 'Staff created, changed or archived a feature flag (e.g. a rollout to 10%).',
  producer: 'feature-flag',
  consumers: ['audit'],
  partitionKey: 'flagKey',
  schema: z
    .object({
      flagKey: eventText().min(1),
      environment: z
        .enum(['dev', 'staging', 'prod'])
        .describe('The environment whose value of the flag changed.'),
      change: z.enum(['created', 'updated', 'archived']),
      changedFields: z
        .array(eventText())
        .max(100)
        .describe('JSON Pointers into the flagd definition that changed, e.g. /state.'),
      enabled: z.boolean(),
      rolloutPercent: z.int().min(0).max(100),
      version: z.int().positive().describe('Increments on every change of the flag.'),
      changedBy: eventText()
        .nullable()
        .describe('The verified staff subject, or schedule:<id> for a scheduled step.'),
      changedAt: eventTimestamp,
    })
    .strict(),
});
