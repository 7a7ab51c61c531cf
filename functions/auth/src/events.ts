// The events the auth function publishes and consumes; the kit derives its outbox writes, relay
// and /events receiver from this.
import { eventCatalog, type ShopEventInput } from '@shop/eventing';
import { defineEvents, type Queryable } from '@shop/shared';

/** auth's events: sign-ups, logins, refresh-token reuse, key rotations, the mails it asks for and staff changes out; erasures in. */
export const events = defineEvents({
  catalog: eventCatalog,
  producer: 'auth',
  publishes: [
    'shop.user.registered',
    'shop.user.logged_in',
    'shop.auth.refresh_reuse_detected',
    'shop.auth.key_rotated',
    'shop.user.email_verification_requested',
    'shop.user.password_reset_requested',
    'shop.user.email_change_requested',
    'shop.user.email_changed',
    'shop.staff.invited',
    'shop.staff.invitation_accepted',
    'shop.staff.roles_changed',
    'shop.staff.disabled',
    'shop.staff.enabled',
  ],
  consumes: ['shop.user.erased'],
});

type AuthEventType = (typeof events.publishes)[number];

/**
 * Writes an auth event about one user to the outbox in the caller's transaction: subject and
 * partition key are the user id (a key rotation, about a key, is written by its route).
 * @example await recordUserEvent(tx, 'shop.user.logged_in', { userId, sessionId, loggedInAt });
 */
export function recordUserEvent<T extends AuthEventType>(
  tx: Queryable,
  type: T,
  data: ShopEventInput<T> & { userId: string },
): Promise<string> {
  return events.write(tx, { type, data, subject: data.userId, partitionKey: data.userId });
}
