// The click id of an affiliate redirect, kept first-party for the attribution lookback window:
// `__Host-` (this host only), Secure, HttpOnly (no script needs it: the server sends it with
// checkout and with page views), SameSite=Lax (it must survive the redirect's top-level
// navigation from the landing page).

export const CLICK_COOKIE = '__Host-shop_click';

/**
 * The Set-Cookie value that keeps `clickId` for `maxAgeSeconds`.
 * @example clickCookie('0b6f…', 7776000) // '__Host-shop_click=0b6f…; Path=/; Max-Age=7776000; Secure; HttpOnly; SameSite=Lax'
 */
export function clickCookie(clickId: string, maxAgeSeconds: number): string {
  return `${CLICK_COOKIE}=${clickId}; Path=/; Max-Age=${maxAgeSeconds}; Secure; HttpOnly; SameSite=Lax`;
}

/**
 * The first value of cookie `name` in a Cookie header.
 * @example cookieValue('a=1; b=2', 'b') // '2'
 */
export function cookieValue(cookieHeader: string | null, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
