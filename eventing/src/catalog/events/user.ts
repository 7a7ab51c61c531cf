// Accounts: sign-up and sessions (function `auth`) and erasure (function `user`).
import { defineEvent } from '@shop/shared';
import { z } from 'zod';
import { eventText } from './text.js';
import { eventTimestamp } from './timestamp.js';

export const userRegistered = defineEvent({
  type: 'shop.user.registered',
  description:
    'A shopper signed up; user creates the profile, notification sends the welcome mail.',
  producer: 'auth',
  consumers: ['user', 'notification', 'reporting', 'audit'],
  partitionKey: 'userId',
  schema: z
    .object({
      userId: z.uuid(),
      email: z.email(),
      displayName: eventText().min(1).max(200).nullable(),
      locale: z
        .string()
        .min(2)
        .max(35)
        .nullable()
        .describe('BCP 47 language tag the shopper signed up with, e.g. de-DE.'),
      marketingConsent: z.boolean(),
      registeredAt: eventTimestamp,
    })
    .strict(),
});

export const userLoggedIn = defineEvent({
  type: 'shop.user.logged_in',
  description: 'A user signed in with a password and got a new session (refresh token family).',
  producer: 'auth',
  consumers: ['audit'],
  partitionKey: 'userId',
  schema: z
    .object({
      userId: z.uuid(),
      sessionId: eventText().min(1),
      loggedInAt: eventTimestamp,
    })
    .strict(),
});

export const authRefreshReuseDetected = defineEvent({
  type: 'shop.auth.refresh_reuse_detected',
  description:
    'A rotated refresh token was presented again: the token family is revoked and the user warned.',
  producer: 'auth',
  consumers: ['notification', 'audit'],
  partitionKey: 'userId',
  schema: z
    .object({
      userId: z.uuid(),
      sessionId: eventText().min(1),
      revokedTokens: z.int().nonnegative(),
      detectedAt: eventTimestamp,
    })
    .strict(),
});

export const userErased = defineEvent({
  type: 'shop.user.erased',
  description:
    'A user was erased on request (GDPR Art. 17): every function deletes or anonymises what it holds about userId.',
  producer: 'user',
  consumers: ['auth', 'cart', 'notification', 'attribution', 'audit'],
  partitionKey: 'userId',
  schema: z
    .object({
      userId: z.uuid(),
      requestedBy: z
        .string()
        .nullable()
        .describe('Who asked: the user themself or a staff member; null for a retention job.'),
      erasedAt: eventTimestamp,
    })
    .strict(),
});
