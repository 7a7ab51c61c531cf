// The session cookie: `__Host-` (Secure, Path=/, no Domain: only this host may set or read it),
// HttpOnly (no script reads it), SameSite=Lax (other sites' forms and fetches do not carry it).

export const SESSION_COOKIE = '__Host-shop_admin';

/**
 * The Set-Cookie value that gives the browser `id` for `maxAgeSeconds` (0 deletes it).
 * @example sessionCookie('abc…', 604800) // '__Host-shop_admin=abc…; Path=/; Max-Age=604800; Secure; HttpOnly; SameSite=Lax'
 */
export function sessionCookie(id: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${id}; Path=/; Max-Age=${maxAgeSeconds}; Secure; HttpOnly; SameSite=Lax`;
}

/**
 * The session id a request's Cookie header carries, if any (the first one: a `__Host-` cookie
 * cannot be shadowed by a sibling domain's).
 * @example sessionIdFrom('a=1; __Host-shop_admin=abc') // 'abc'
 */
export function sessionIdFrom(cookieHeader: string | null): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) return rest.join('=');
  }
  return undefined;
}
