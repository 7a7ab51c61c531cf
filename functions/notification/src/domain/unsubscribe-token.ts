import { createHmac, timingSafeEqual } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const mac = (secret: string, userId: string) =>
  createHmac('sha256', secret).update(`unsubscribe:marketing:${userId}`).digest('base64url');

/**
 * The token of a user's one-click unsubscribe link: their id and an HMAC-SHA256 of it under
 * NOTIFICATION_UNSUBSCRIBE_SECRET, so nobody can unsubscribe someone else.
 * @example signUnsubscribeToken(secret, userId) // '0190….Jk3…'
 */
export function signUnsubscribeToken(secret: string, userId: string): string {
  return `${userId}.${mac(secret, userId)}`;
}

/** The user id of a genuine token, else undefined (constant-time comparison). */
export function verifyUnsubscribeToken(secret: string, token: string): string | undefined {
  const [userId, signature, extra] = token.split('.');
  if (extra !== undefined || !userId || !signature || !UUID.test(userId)) return undefined;
  const expected = Buffer.from(mac(secret, userId));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return userId;
}
