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
  consumers: ['user', 'notification', 'audit'],
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

export const authKeyRotated = defineEvent({
  type: 'shop.auth.key_rotated',
  description:
    'Staff made a new token signing key current; the previous one stays published until its tokens expire. Key ids only, never key material.',
  producer: 'auth',
  consumers: ['audit'],
  partitionKey: 'kid',
  schema: z
    .object({
      kid: eventText().min(1).max(200).describe('The id (JWK kid) of the new current key.'),
      previousKid: eventText()
        .min(1)
        .max(200)
        .nullable()
        .describe('The key it replaced (now previous), or null when there was none.'),
      rotatedBy: eventText()
        .min(1)
        .max(200)
        .nullable()
        .describe('The verified staff subject who rotated, or null for a rotation by the system.'),
      rotatedAt: eventTimestamp,
    })
    .strict(),
});

export const userErased = defineEvent({
  type: 'shop.user.erased',
  description:
    'A user was erased on request (GDPR Art. 17): every function deletes or anonymises what it holds about userId.',
  producer: 'user',
  consumers: ['auth', 'cart', 'notification', 'attribution', 'audit', 'reporting'],
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

// The mails auth asks for. Each carries the address and the link the mail must hold: the token
// in the link is single use and expiring, auth stores only its SHA-256, so the event is the one
// place it is readable (the kit's log scrubbing redacts it).
export const mailLink = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  .describe('The link the mail must contain; its token is single use and expires at expiresAt.');
export const mailLocale = z
  .string()
  .min(2)
  .max(35)
  .nullable()
  .describe('BCP 47 language tag of the account, e.g. de-DE; null: the shop default.');

export const userEmailVerificationRequested = defineEvent({
  type: 'shop.user.email_verification_requested',
  description:
    'auth wants an address confirmed: at signup (notification sends the welcome mail with the link), as a reminder to an unverified account, or on request.',
  producer: 'auth',
  consumers: ['notification'],
  partitionKey: 'userId',
  schema: z
    .object({
      userId: z.uuid(),
      email: z.email(),
      displayName: eventText().min(1).max(200).nullable(),
      locale: mailLocale,
      reason: z.enum(['signup', 'reminder', 'requested']),
      link: mailLink,
      expiresAt: eventTimestamp,
      requestedAt: eventTimestamp,
    })
    .strict(),
});

export const userPasswordResetRequested = defineEvent({
  type: 'shop.user.password_reset_requested',
  description:
    'Someone asked to reset the password of an existing account: notification mails the reset link to its address.',
  producer: 'auth',
  consumers: ['notification'],
  partitionKey: 'userId',
  schema: z
    .object({
      userId: z.uuid(),
      email: z.email(),
      displayName: eventText().min(1).max(200).nullable(),
      locale: mailLocale,
      link: mailLink,
      expiresAt: eventTimestamp,
      requestedAt: eventTimestamp,
    })
    .strict(),
});

export const userEmailChangeRequested = defineEvent({
  type: 'shop.user.email_change_requested',
  description:
    'A user asked to change their address: one event per address (the current one and the new one), each with its own confirmation link; the change happens when both are confirmed.',
  producer: 'auth',
  consumers: ['notification'],
  partitionKey: 'userId',
  schema: z
    .object({
      userId: z.uuid(),
      changeId: z.uuid(),
      email: z.email().describe('The address this mail goes to.'),
      addressRole: z.enum(['current', 'new']),
      currentEmail: z.email(),
      newEmail: z.email(),
      displayName: eventText().min(1).max(200).nullable(),
      locale: mailLocale,
      link: mailLink,
      expiresAt: eventTimestamp,
      requestedAt: eventTimestamp,
    })
    .strict(),
});

export const userEmailChanged = defineEvent({
  type: 'shop.user.email_changed',
  description:
    'Both addresses confirmed an email change: the account signs in with the new address; notification mails there from now on.',
  producer: 'auth',
  consumers: ['notification', 'audit'],
  partitionKey: 'userId',
  schema: z
    .object({
      userId: z.uuid(),
      previousEmail: z.email(),
      email: z.email(),
      changedAt: eventTimestamp,
    })
    .strict(),
});
