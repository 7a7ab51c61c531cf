// What every site of sites/ does the same way at its edge: cross-site request forgery checks (a
// state-changing request must come from the site's own origin — Origin, else Sec-Fetch-Site,
// else Referer — and carry the session's token: in its form's `_csrf`, or in `x-csrf-token`
// for an island's calls), return paths that never leave the site, and `__Host-` cookies. A
// session cookie's SameSite=Lax is a further layer, not the only one.
import { timingSafeEqual } from 'node:crypto';

/** The form field every form carries the session's token in. */
export const CSRF_FIELD = '_csrf';

/** The header an island's calls carry the session's token in. */
export const CSRF_HEADER = 'x-csrf-token';

/** What `FormData.get` answers. */
type FormEntry = ReturnType<FormData['get']>;

export type OriginVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Whether a state-changing request came from `publicOrigin`.
 * @example sameOrigin(request.headers, 'https://shop.example') // { ok: true }
 */
export function sameOrigin(headers: Headers, publicOrigin: string): OriginVerdict {
  const origin = headers.get('origin');
  if (origin !== null) {
    return origin === publicOrigin ? { ok: true } : { ok: false, reason: `origin ${origin}` };
  }
  const site = headers.get('sec-fetch-site');
  if (site !== null) {
    return site === 'same-origin' ? { ok: true } : { ok: false, reason: `sec-fetch-site ${site}` };
  }
  const referer = headers.get('referer');
  if (referer !== null) {
    let refererOrigin: string;
    try {
      refererOrigin = new URL(referer).origin;
    } catch {
      return { ok: false, reason: 'malformed referer' };
    }
    return refererOrigin === publicOrigin
      ? { ok: true }
      : { ok: false, reason: `referer ${refererOrigin}` };
  }
  return { ok: false, reason: 'no origin, sec-fetch-site or referer' };
}

/**
 * Whether the token a request sent is the session's, compared in constant time.
 * @example tokenMatches(session.csrf, form.get('_csrf')) // true
 */
export function tokenMatches(expected: string, sent: FormEntry | string): boolean {
  if (typeof sent !== 'string' || sent.length === 0) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A path of this site to send the browser back to after a form, or `fallback`: never another
 * origin (`//evil.example`, `/\evil.example`, `https://…`), so a form is no open redirect.
 * @example localReturnPath('/cart?x=1', '/') // '/cart?x=1'
 */
export function localReturnPath(value: FormEntry | undefined, fallback: string): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.length > 2000) return fallback;
  if (value.startsWith('//') || value.includes('\\')) return fallback;
  // Control characters could split a header.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
  if (/[\u0000-\u001f\u007f]/.test(value)) return fallback;
  const parsed = new URL(value, 'http://local.invalid');
  if (parsed.origin !== 'http://local.invalid') return fallback;
  return `${parsed.pathname}${parsed.search}`;
}

/**
 * The Set-Cookie value of a `__Host-` cookie: this host only (no Domain), `Path=/`, Secure,
 * HttpOnly, SameSite=Lax; a max age of 0 removes it.
 * @example hostCookie('__Host-shop_session', 'abc', 604800) // '__Host-shop_session=abc; Path=/; Max-Age=604800; Secure; HttpOnly; SameSite=Lax'
 */
export function hostCookie(name: `__Host-${string}`, value: string, maxAgeSeconds: number): string {
  return `${name}=${value}; Path=/; Max-Age=${maxAgeSeconds}; Secure; HttpOnly; SameSite=Lax`;
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

export {
  forShopper,
  SHOPPER_ADDRESS_HEADER,
  type ShopperHeaders,
  SITE_TOKEN_HEADER,
  shopperAddress,
  shopperAddressConfigShape,
  shopperFetch,
  shopperHeaders,
  shopperOf,
} from './shopper-address.js';
