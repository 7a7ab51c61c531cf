// Every request: the locale from the path (/de/… is German and is rewritten to the page
// without its prefix), the server-side session (created on first visit), the CSRF checks on
// every state-changing request, the access token refreshed on the server before it expires,
// the session cookie and the security headers on the way out.
import { defineMiddleware } from 'astro:middleware';
import {
  CSRF_FIELD,
  cookieValue,
  forShopper,
  sameOrigin,
  shopperOf,
  tokenMatches,
} from '@shop/shared/site-security';
import type { MiddlewareHandler } from 'astro';
import { CLICK_COOKIE, clickCookie } from './server/click-cookie.js';
import { splitLocale, translate } from './server/i18n.js';
import { getRuntime } from './server/runtime.js';
import { sessionCookie, sessionIdFrom } from './server/session-cookie.js';
import { createShopContext } from './server/shop-context.js';

// Built at start, so a bad setting stops the server before it serves anything.
const runtime = getRuntime();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SAFE_METHODS = new Set(['GET', 'HEAD']);
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];
/** Where the page-view beacon posts (text/plain, as `navigator.sendBeacon` sends a string). */
const BEACON_PATH = '/a/page';
/** Where the broker delivers the catalog's events (OIDC-authenticated, not a browser form). */
const EVENTS_PATH = '/events';
/** Paths served without a session (no forms on them, crawled often). */
const SESSIONLESS = new Set(['/robots.txt', '/sitemap.xml']);

function refused(status: number, message: string): Response {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${status}</title></head><body><main><h1>${status}</h1><p>${message}</p><p><a href="/">Home</a></p></main></body></html>`;
  return new Response(body, {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
  });
}

/** The response with our headers (a copy: a redirect's own headers may be immutable). */
function secure(original: Response): Response {
  // The error page sets Retry-After when the gateway was down or slow: that is a 503.
  const unavailable = original.status === 500 && original.headers.has('retry-after');
  const response = new Response(original.body, {
    status: unavailable ? 503 : original.status,
    statusText: original.statusText,
    headers: new Headers(original.headers),
  });
  const headers = response.headers;
  headers.set('x-content-type-options', 'nosniff');
  headers.set('referrer-policy', 'strict-origin-when-cross-origin');
  headers.set(
    'content-security-policy',
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
  );
  return response;
}

const handle: MiddlewareHandler = async (context, next) => {
  const { config, sessions, gateway } = runtime;
  const url = new URL(context.request.url);
  const { locale, path } = splitLocale(url.pathname);
  const method = context.request.method;

  if (SESSIONLESS.has(path) || path.startsWith('/_astro/')) return secure(await next());
  if (url.pathname === EVENTS_PATH) return await next();

  let form: FormData | undefined;
  let session = await sessions.load(sessionIdFrom(context.request.headers.get('cookie')));
  let isNew = false;
  const beacon = path === BEACON_PATH && method === 'POST';
  if (!SAFE_METHODS.has(method)) {
    const origin = sameOrigin(context.request.headers, config.publicOrigin);
    if (!origin.ok) return secure(refused(403, translate(locale, 'csrfRefused')));
  }
  // A beacon changes nothing but a page-view count: the origin check is its guard (a beacon
  // cannot carry the CSRF token's form); its body is read by its own route.
  if (!SAFE_METHODS.has(method) && !beacon) {
    const type = (context.request.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    if (!FORM_TYPES.includes(type.toLowerCase())) {
      return secure(refused(415, 'Forms only (application/x-www-form-urlencoded).'));
    }
    try {
      form = await context.request.clone().formData();
    } catch {
      return secure(refused(400, 'The form could not be read.'));
    }
    if (!session || !tokenMatches(session.csrf, form.get(CSRF_FIELD))) {
      return secure(refused(403, translate(locale, 'csrfRefused')));
    }
  }
  // A beacon from a browser without a session (a bot, a stale tab) counts nothing.
  if (beacon && !session) return new Response(null, { status: 204 });
  if (!session) {
    session = await sessions.create();
    isNew = true;
  }

  // The click id an affiliate redirect put in the URL is kept for checkout, in the session and
  // in a first-party cookie for the lookback window (a session lasts days, a lookback months).
  const arrived = url.searchParams.get('shop_click');
  const fresh = SAFE_METHODS.has(method) && arrived && UUID.test(arrived) ? arrived : undefined;
  const kept = cookieValue(context.request.headers.get('cookie'), CLICK_COOKIE);
  const clickId = fresh ?? (kept && UUID.test(kept) ? kept : undefined);
  if (clickId && clickId !== session.clickId) {
    await sessions.change(session.id, { clickId });
    session.clickId = clickId;
  }

  // A notice is shown once: taken out of the store on the page that shows it.
  if (SAFE_METHODS.has(method) && session.flash) await sessions.change(session.id, { flash: null });

  const auth = await sessions.freshAuth(session, async (refreshToken) => {
    const answer = await gateway.refresh(refreshToken);
    return answer.ok ? answer.body : null;
  });
  const shop = createShopContext({
    runtime,
    locale,
    path,
    session,
    isNew,
    auth,
    form,
    userAgent: context.request.headers.get('user-agent') ?? undefined,
  });
  context.locals.shop = shop;

  const response = secure(locale === 'de' ? await next(`${path}${url.search}`) : await next());
  if (shop.newSessionId) {
    response.headers.append(
      'set-cookie',
      sessionCookie(shop.newSessionId, config.sessionIdleSeconds),
    );
  }
  if (fresh) response.headers.append('set-cookie', clickCookie(fresh, config.clickLookbackSeconds));
  // Pages carry the session's CSRF token and the shopper's cart: never cached by others.
  if (!response.headers.has('cache-control'))
    response.headers.set('cache-control', 'private, no-cache');
  response.headers.append('vary', 'cookie');
  return response;
};

// Every gateway call made while handling a request names its shopper's address (with the
// site's token), so the gateway and auth count shoppers apart, not the site as one client.
export const onRequest = defineMiddleware((context, next) =>
  forShopper(shopperOf(context, runtime.config.trustedProxyHops), () => handle(context, next)),
);
