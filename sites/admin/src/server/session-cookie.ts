// The session cookie: `__Host-` (Secure, Path=/, no Domain: only this host may set or read it),
// HttpOnly (no script reads it), SameSite=Lax (other sites' forms and fetches do not carry it).
import { cookieValue, hostCookie } from '@shop/shared/site-security';

export const SESSION_COOKIE = '__Host-shop_admin' as const;

/**
 * The Set-Cookie value that gives the browser `id` for `maxAgeSeconds` (0 deletes it).
 * @example sessionCookie('abc…', 604800) // '__Host-shop_admin=abc…; Path=/; Max-Age=604800; Secure; HttpOnly; SameSite=Lax'
 */
export function sessionCookie(id: string, maxAgeSeconds: number): string {
  return hostCookie(SESSION_COOKIE, id, maxAgeSeconds);
}

/**
 * The session id a request's Cookie header carries, if any (the first one: a `__Host-` cookie
 * cannot be shadowed by a sibling domain's).
 * @example sessionIdFrom('a=1; __Host-shop_admin=abc') // 'abc'
 */
export function sessionIdFrom(cookieHeader: string | null): string | undefined {
  return cookieValue(cookieHeader, SESSION_COOKIE);
}
