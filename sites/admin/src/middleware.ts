// Every request: the locale from the path (/de/… is German and is rewritten to the page without
// its prefix), the server-side session (created on first visit), the CSRF checks on every
// state-changing request (forms carry the token in `_csrf`, the island's proxy calls in the
// `x-csrf-token` header, and both must come from PUBLIC_ORIGIN), the access token refreshed on
// the server before it expires, sign-in required for every page but /signin and
// /accept-invitation, the session cookie and the security headers on the way out.
import { defineMiddleware } from 'astro:middleware';
import {
  CSRF_FIELD,
  CSRF_HEADER,
  forShopper,
  sameOrigin,
  shopperOf,
  tokenMatches,
} from '@shop/shared/site-security';
import type { MiddlewareHandler } from 'astro';
import { splitLocale, translate } from './app/i18n.js';
import { createAdminContext } from './server/admin-context.js';
import { problemResponse } from './server/problem.js';
import { getRuntime } from './server/runtime.js';
import { sessionCookie, sessionIdFrom } from './server/session-cookie.js';

// Built at start, so a bad setting stops the server before it serves anything.
const runtime = getRuntime();

const SAFE_METHODS = new Set(['GET', 'HEAD']);
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];
/** Pages a signed-out visitor may see. */
const PUBLIC_PAGES = new Set(['/signin', '/accept-invitation']);

function refused(status: number, message: string): Response {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${status}</title></head><body><main><h1>${status}</h1><p>${message}</p><p><a href="/signin">Sign in</a></p></main></body></html>`;
  return new Response(body, {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
  });
}

/** The response with our headers (a copy: a redirect's own headers may be immutable). */
function secure(original: Response): Response {
  const response = new Response(original.body, {
    status: original.status,
    statusText: original.statusText,
    headers: new Headers(original.headers),
  });
  const headers = response.headers;
  headers.set('x-content-type-options', 'nosniff');
  headers.set('referrer-policy', 'same-origin');
  headers.set(
    'content-security-policy',
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
  );
  return response;
}

const contentTypeOf = (headers: Headers) =>
  (headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

const handle: MiddlewareHandler = async (context, next) => {
  const { config, sessions, gateway } = runtime;
  const url = new URL(context.request.url);
  const isProxy = url.pathname.startsWith('/api/');
  const { locale, path } = isProxy
    ? { locale: 'en' as const, path: url.pathname }
    : splitLocale(url.pathname);
  const method = context.request.method;

  if (path.startsWith('/_astro/') || path === '/admin.css') return secure(await next());

  let form: FormData | undefined;
  let session = await sessions.load(sessionIdFrom(context.request.headers.get('cookie')));
  let isNew = false;
  if (!SAFE_METHODS.has(method)) {
    const origin = sameOrigin(context.request.headers, config.publicOrigin);
    if (isProxy) {
      // The island's calls: from our origin, with the session's token in a header (a header
      // another site's form cannot set), as JSON or without a body.
      if (
        !origin.ok ||
        !session ||
        !tokenMatches(session.csrf, context.request.headers.get(CSRF_HEADER))
      ) {
        return secure(problemResponse(403, 'The request did not come from the back office.'));
      }
      const type = contentTypeOf(context.request.headers);
      if (type && type !== 'application/json') {
        return secure(problemResponse(415, 'The back office sends JSON only.'));
      }
    } else {
      if (!origin.ok) return secure(refused(403, translate(locale, 'csrfRefused')));
      if (!FORM_TYPES.includes(contentTypeOf(context.request.headers))) {
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
  }
  if (!session) {
    session = await sessions.create();
    isNew = true;
  }

  // A notice is shown once: taken out of the store on the page that shows it.
  if (SAFE_METHODS.has(method) && !isProxy && session.flash) {
    await sessions.change(session.id, { flash: null });
  }

  const auth = await sessions.freshAuth(session, async (refreshToken) => {
    const answer = await gateway.refresh(refreshToken);
    const pair = answer.body;
    return answer.ok && pair?.accessToken && pair.refreshToken && pair.expiresIn
      ? {
          accessToken: pair.accessToken,
          refreshToken: pair.refreshToken,
          expiresIn: pair.expiresIn,
        }
      : null;
  });
  const admin = createAdminContext({ runtime, locale, path, session, isNew, auth, form });
  context.locals.admin = admin;

  let response: Response;
  if (isProxy && !path.startsWith('/api/admin/')) {
    response = problemResponse(404, 'The back office forwards /api/admin/ only.');
  } else if (!admin.access?.staff && isProxy) {
    response = problemResponse(401, translate(locale, 'sessionEnded'));
  } else if (!admin.access?.staff && !PUBLIC_PAGES.has(path) && path !== '/signout') {
    const back = encodeURIComponent(`${url.pathname}${url.search}`);
    response = new Response(null, {
      status: 303,
      headers: { location: `${admin.href('/signin')}?return=${back}` },
    });
  } else {
    response = locale === 'de' ? await next(`${path}${url.search}`) : await next();
  }
  response = secure(response);
  if (admin.newSessionId) {
    response.headers.append(
      'set-cookie',
      sessionCookie(admin.newSessionId, config.sessionIdleSeconds),
    );
  }
  if (!response.headers.has('cache-control')) response.headers.set('cache-control', 'no-store');
  response.headers.append('vary', 'cookie');
  return response;
};

// Every gateway call made while handling a request names the staff member's address (with the
// site's token), so auth's sign-in limits count people, not the back office as one client.
export const onRequest = defineMiddleware((context, next) =>
  forShopper(shopperOf(context, runtime.config.trustedProxyHops), () => handle(context, next)),
);
