// Staff management (function `auth`): invitations, role changes, disabled accounts. audit
// records every one; notification mails the invitation.
import { defineEvent, STAFF_ROLES } from '@shop/shared';
import { z } from 'zod';
import { eventText } from './text.js';
import { eventTimestamp } from './timestamp.js';
import { mailLink, mailLocale } from './user.js';

const staffRoles = z
  .array(z.enum(Object.keys(STAFF_ROLES) as [keyof typeof STAFF_ROLES]))
  .max(20)
  .describe(
    'Staff role names (@shop/shared/permissions), each made of resource:action permissions.',
  );
const staffActor = eventText()
  .min(1)
  .max(200)
  .describe('The staff member who made the change (the verified subject of their token).');

export const staffInvited = defineEvent({
  type: 'shop.staff.invited',
  description:
    'An administrator invited someone to the staff with roles: notification mails the single-use link that sets the password; audit records the invitation (not the link).',
  producer: 'auth',
  consumers: ['notification', 'audit'],
  partitionKey: 'userId',
  schema: z
    .object({
      userId: z.uuid(),
      email: z.email(),
      displayName: eventText().min(1).max(200).nullable(),
      locale: mailLocale,
      roles: staffRoles,
      invitedBy: staffActor,
      link: mailLink,
      expiresAt: eventTimestamp,
      invitedAt: eventTimestamp,
    })
    .strict(),
});

export const staffInvitationAccepted = defineEvent({
  type: 'shop.staff.invitation_accepted',
  description:
    'An invited staff member followed the link and set a password: the account is active.',
  producer: 'auth',
  consumers: ['audit'],
  partitionKey: 'userId',
  schema: z.object({ userId: z.uuid(), roles: staffRoles, acceptedAt: eventTimestamp }).strict(),
});

export const staffRolesChanged = defineEvent({
  type: 'shop.staff.roles_changed',
  description:
    "A staff member's roles changed; every session of theirs was revoked, so the new permissions apply at once.",
  producer: 'auth',
  consumers: ['audit'],
  partitionKey: 'userId',
  schema: z
    .object({
      userId: z.uuid(),
      previousRoles: staffRoles,
      roles: staffRoles,
      changedBy: staffActor,
      revokedSessions: z.int().nonnegative(),
      changedAt: eventTimestamp,
    })
    .strict(),
});

export const staffDisabled = defineEvent({
  type: 'shop.staff.disabled',
  description:
    'A staff account was disabled: every session revoked, and it cannot sign in until re-enabled.',
  producer: 'auth',
  consumers: ['audit'],
  partitionKey: 'userId',
  schema: z
    .object({
      userId: z.uuid(),
      disabledBy: staffActor,
      revokedSessions: z.int().nonnegative(),
      disabledAt: eventTimestamp,
    })
    .strict(),
});

export const staffEnabled = defineEvent({
  type: 'shop.staff.enabled',
  description: 'A disabled staff account was enabled again: it can sign in with its password.',
  producer: 'auth',
  consumers: ['audit'],
  partitionKey: 'userId',
  schema: z.object({ userId: z.uuid(), enabledBy: staffActor, enabledAt: eventTimestamp }).strict(),
});
