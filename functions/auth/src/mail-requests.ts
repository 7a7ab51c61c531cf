// The mails auth asks notification for: a token issued, and the event carrying its link written
// to the outbox, in the caller's transaction (the link never exists without its token row).
import type { Queryable, StaffRole } from '@shop/shared';
import type { MailLinkSettings } from './deps.js';
import { issueEmailToken } from './email-tokens.js';
import { recordUserEvent } from './events.js';
import type { MailProfile } from './store.js';

/**
 * The link of a mail: the storefront page, the token in the fragment (browsers never send a
 * fragment to a server, so the token stays out of access logs and Referer headers).
 * @example mailLink('https://shop.example', '/account/verify-email', token) // 'https://shop.example/account/verify-email#token=…'
 */
export function mailLink(baseUrl: string, path: string, token: string): string {
  const url = new URL(path, baseUrl);
  url.hash = `token=${token}`;
  return url.toString();
}

/** Issues a verification link for the account's address and asks for its mail. */
export async function requestEmailVerification(
  tx: Queryable,
  links: MailLinkSettings,
  profile: MailProfile,
  reason: 'signup' | 'reminder' | 'requested',
  now: Date,
): Promise<void> {
  const { token, expiresAt } = await issueEmailToken(tx, {
    userId: profile.userId,
    purpose: 'verify_email',
    email: profile.email,
    now,
    ttlSeconds: links.verificationTtlSeconds,
  });
  await recordUserEvent(tx, 'shop.user.email_verification_requested', {
    userId: profile.userId,
    email: profile.email,
    displayName: profile.displayName,
    locale: profile.locale,
    reason,
    link: mailLink(links.baseUrl, '/account/verify-email', token),
    expiresAt: expiresAt.toISOString(),
    requestedAt: now.toISOString(),
  });
}

/** Issues a password reset link (earlier ones stop working) and asks for its mail. */
export async function requestPasswordReset(
  tx: Queryable,
  links: MailLinkSettings,
  profile: MailProfile,
  now: Date,
): Promise<void> {
  const { token, expiresAt } = await issueEmailToken(tx, {
    userId: profile.userId,
    purpose: 'reset_password',
    email: profile.email,
    now,
    ttlSeconds: links.resetTtlSeconds,
  });
  await recordUserEvent(tx, 'shop.user.password_reset_requested', {
    userId: profile.userId,
    email: profile.email,
    displayName: profile.displayName,
    locale: profile.locale,
    link: mailLink(links.baseUrl, '/account/reset-password', token),
    expiresAt: expiresAt.toISOString(),
    requestedAt: now.toISOString(),
  });
}

/** Issues the two links of an email change, one mailed to each address. */
export async function requestEmailChangeConfirmations(
  tx: Queryable,
  links: MailLinkSettings,
  profile: MailProfile,
  change: { id: string; newEmail: string; expiresAt: Date },
  now: Date,
): Promise<void> {
  const sides = [
    {
      addressRole: 'current' as const,
      email: profile.email,
      purpose: 'change_email_current' as const,
    },
    { addressRole: 'new' as const, email: change.newEmail, purpose: 'change_email_new' as const },
  ];
  for (const side of sides) {
    const { token } = await issueEmailToken(tx, {
      userId: profile.userId,
      purpose: side.purpose,
      email: side.email,
      emailChangeId: change.id,
      now,
      ttlSeconds: Math.max(1, Math.round((change.expiresAt.getTime() - now.getTime()) / 1000)),
    });
    await recordUserEvent(tx, 'shop.user.email_change_requested', {
      userId: profile.userId,
      changeId: change.id,
      email: side.email,
      addressRole: side.addressRole,
      currentEmail: profile.email,
      newEmail: change.newEmail,
      displayName: profile.displayName,
      locale: profile.locale,
      link: mailLink(links.baseUrl, '/account/confirm-email-change', token),
      expiresAt: change.expiresAt.toISOString(),
      requestedAt: now.toISOString(),
    });
  }
}

/**
 * Issues the link of a staff invitation (earlier ones stop working) and records
 * shop.staff.invited, which notification mails and audit records.
 */
export async function requestStaffInvitation(
  tx: Queryable,
  links: MailLinkSettings,
  invitee: {
    userId: string;
    email: string;
    displayName: string | null;
    locale: string | null;
    roles: StaffRole[];
  },
  invitedBy: string,
  now: Date,
): Promise<void> {
  const { token, expiresAt } = await issueEmailToken(tx, {
    userId: invitee.userId,
    purpose: 'accept_invitation',
    email: invitee.email,
    now,
    ttlSeconds: links.invitationTtlSeconds,
  });
  await recordUserEvent(tx, 'shop.staff.invited', {
    userId: invitee.userId,
    email: invitee.email,
    displayName: invitee.displayName,
    locale: invitee.locale,
    roles: invitee.roles,
    invitedBy,
    link: mailLink(links.adminBaseUrl, '/accept-invitation', token),
    expiresAt: expiresAt.toISOString(),
    invitedAt: now.toISOString(),
  });
}
