// Cross-site request forgery: a state-changing request must come from our own origin (Origin,
// else Sec-Fetch-Site, else Referer) and carry the session's token: in its form (`_csrf`), or in
// the `x-csrf-token` header for the island's calls. The session cookie's SameSite=Lax is a third
// layer, not the only one.
import { timingSafeEqual } from 'node:crypto';

/** The form field every form carries the session's token in. */
export const CSRF_FIELD = '_csrf';

/** The header the island's calls to the proxy carry the session's token in. */
export const CSRF_HEADER = 'x-csrf-token';

export type OriginVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Whether a state-changing request came from `publicOrigin`.
 * @example sameOrigin(request.headers, 'https://admin.shop.example') // { ok: true }
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
 * Whether the token a form sent is the session's, compared in constant time.
 * @example tokenMatches(session.csrf, form.get('_csrf')) // true
 */
export function tokenMatches(expected: string, sent: FormDataEntryValue | string | null): boolean {
  if (typeof sent !== 'string' || sent.length === 0) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A path of this site to send the browser back to after a form, or `fallback`: never another
 * origin (`//evil.example`, `/\evil.example`, `https://…`), so sign-in is no open redirect.
 * @example localReturnPath('/audit?x=1', '/') // '/audit?x=1'
 */
export function localReturnPath(
  value: FormDataEntryValue | null | undefined,
  fallback: string,
): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.length > 2000) return fallback;
  if (value.startsWith('//') || value.includes('\\')) return fallback;
  // Control characters could split a header.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
  if (/[\u0000-\u001f\u007f]/.test(value)) return fallback;
  const parsed = new URL(value, 'http://local.invalid');
  if (parsed.origin !== 'http://local.invalid') return fallback;
  return `${parsed.pathname}${parsed.search}`;
}
