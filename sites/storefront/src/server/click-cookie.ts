// The click id of an affiliate redirect, kept first-party for the attribution lookback window:
// `__Host-` (this host only), Secure, HttpOnly (no script needs it: the server sends it with
// checkout and with page views), SameSite=Lax (it must survive the redirect's top-level
// navigation from the landing page).
import { hostCookie } from '@shop/shared/site-security';

export const CLICK_COOKIE = '__Host-shop_click' as const;

/**
 * The Set-Cookie value that keeps `clickId` for `maxAgeSeconds`.
 * @example clickCookie('0b6f…', 7776000) // '__Host-shop_click=0b6f…; Path=/; Max-Age=7776000; Secure; HttpOnly; SameSite=Lax'
 */
export function clickCookie(clickId: string, maxAgeSeconds: number): string {
  return hostCookie(CLICK_COOKIE, clickId, maxAgeSeconds);
}
