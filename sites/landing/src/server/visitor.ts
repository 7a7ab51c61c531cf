// The first-party visitor id: a random UUID in `__Host-shop_visitor` (Secure, Path=/, no Domain,
// HttpOnly, SameSite=Lax), the targeting key of every flag evaluation and the anonymousId of page
// views, so a visitor keeps their headline variant across visits. A cookie that is not a UUID we
// could have made (forged, truncated, oversized) is replaced, never passed on.

import { cookieValue, hostCookie } from '@shop/shared/site-security';

export const VISITOR_COOKIE = '__Host-shop_visitor' as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The visitor id the request's Cookie header carries, if it is one (a lower-case UUID).
 * @example visitorIdFrom('__Host-shop_visitor=0190…') // '0190…'
 */
export function visitorIdFrom(cookieHeader: string | null): string | undefined {
  const value = cookieValue(cookieHeader, VISITOR_COOKIE);
  return value !== undefined && UUID.test(value) ? value : undefined;
}

/** The visitor of a request: the cookie's id, or a new one (`isNew`: the cookie must be set). */
export function visitorOf(cookieHeader: string | null): { id: string; isNew: boolean } {
  const id = visitorIdFrom(cookieHeader);
  return id ? { id, isNew: false } : { id: crypto.randomUUID(), isNew: true };
}

/**
 * The Set-Cookie value that keeps `id` for `maxAgeSeconds`.
 * @example visitorCookie(id, 31536000) // '__Host-shop_visitor=…; Path=/; Max-Age=31536000; Secure; HttpOnly; SameSite=Lax'
 */
export function visitorCookie(id: string, maxAgeSeconds: number): string {
  return hostCookie(VISITOR_COOKIE, id, maxAgeSeconds);
}
