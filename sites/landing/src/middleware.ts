// Every on-demand request: the first-party visitor id (read, or made and set), and the security
// headers. Prerendered pages (the campaign list, 404) are files and pass through no middleware.

import { defineMiddleware } from 'astro:middleware';
import { forShopper, shopperOf } from '@shop/shared/site-security';
import { getRuntime } from './server/runtime.js';
import { visitorCookie, visitorOf } from './server/visitor.js';

// Built at start, so a bad setting stops the server before it serves anything.
const runtime = getRuntime();
// The flag client is made at start too, so the first visitor does not wait for it.
void runtime.flags();

/** Paths that are not pages: no visitor id is made for them. */
const NOT_PAGES = ['/_astro/', '/_image', '/robots.txt', '/favicon'];

/** The response with our headers (a copy: a redirect's own headers may be immutable). */
function secure(original: Response): Response {
  const response = new Response(original.body, {
    status: original.status,
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

const handle = defineMiddleware(async (context, next) => {
  const { pathname } = new URL(context.request.url);
  if (NOT_PAGES.some((prefix) => pathname.startsWith(prefix))) return secure(await next());

  const visitor = visitorOf(context.request.headers.get('cookie'));
  context.locals.visitor = visitor;
  const response = secure(await next());
  if (visitor.isNew) {
    response.headers.append(
      'set-cookie',
      visitorCookie(visitor.id, runtime.config.visitorCookieSeconds),
    );
  }
  // The page holds this visitor's variant and this visit's links: no shared cache keeps it.
  if (!response.headers.has('cache-control')) {
    response.headers.set('cache-control', 'private, no-cache');
  }
  response.headers.append('vary', 'cookie');
  return response;
});

// Every gateway call made while handling a request (the headline's flag, the page view, sent
// after the answer) names its visitor's address with the site's token.
export const onRequest = defineMiddleware((context, next) => {
  if (context.isPrerendered) return next();
  return forShopper(shopperOf(context, runtime.config.trustedProxyHops), () =>
    handle(context, next),
  );
});
