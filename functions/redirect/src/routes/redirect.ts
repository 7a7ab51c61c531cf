// GET|HEAD /r/:code — the affiliate redirect: a 302 to the stored destination, a click recorded
// after the answer; POST /r/:code — the password form of a protected link.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { verify as verifyArgon2 } from '@node-rs/argon2';
import {
  currentTraceparent,
  gatewayClientAddress,
  headerValue,
  requestHeaders,
  type ServiceEnv,
} from '@shop/shared';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { RedirectDeps } from '../deps.js';
import { buildDestination } from '../domain/build-destination.js';
import { acceptedLanguages, chooseDestination } from '../domain/choose-destination.js';
import { classifyUserAgent } from '../domain/classify-visitor.js';
import { deriveClickId } from '../domain/derive-click-id.js';
import { hashVisitor } from '../domain/hash-visitor.js';
import type { Link } from '../domain/link.js';
import { normalizeCode } from '../domain/normalize-code.js';
import {
  findRecentClick,
  linkTagOf,
  readRecentClicks,
  writeRecentClicks,
} from '../domain/recent-clicks.js';
import { signToken, verifySignedToken } from '../domain/signed-token.js';
import {
  gonePage,
  NO_STORE_HEADERS,
  passwordPage,
  tooManyAttemptsPage,
  unavailablePage,
} from '../pages.js';

/** The visitor cookie: a random id (no personal data) that keeps A/B arms and repeat clicks. */
const VISITOR_COOKIE = '__Host-shop_vid';
const VISITOR_COOKIE_DAYS = 90;
/** The visitor's recent clicks (signed): a repeat within the window reuses its click id. */
const RECENT_CLICKS_COOKIE = '__Host-shop_rc';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const PASSWORD_ATTEMPTS = 10;
const PASSWORD_WINDOW_SECONDS = 900;

const unlockCookie = (link: Link) => `__Host-shop_unlock_${link.id.replaceAll('-', '')}`;

function referrerHost(referer: string | undefined): string | null {
  if (!referer) return null;
  try {
    const host = new URL(referer).hostname;
    return host.length > 0 && host.length <= 253 ? host : null;
  } catch {
    return null;
  }
}

/** The code of the request, normalised; undefined when it cannot be a code. */
function requestedCode(c: Context): string | undefined {
  const raw = c.req.param('code');
  return raw === undefined ? undefined : normalizeCode(raw);
}

/** Registers /r/:code. */
export function registerRedirectRoutes(app: OpenAPIHono<ServiceEnv>, deps: RedirectDeps): void {
  const { links, clicks, repeats, counter, settings, clock, log } = deps;

  /** The link of the code, or the page to answer instead. */
  async function linkOrPage(code: string | undefined): Promise<Link | Response> {
    if (code === undefined) {
      counter('not_found');
      return gonePage('not_found');
    }
    let link: Link | null;
    try {
      link = await links.find(code);
    } catch (error) {
      log.error({ err: error }, 'the link could not be read');
      return unavailablePage();
    }
    if (!link) {
      counter('not_found');
      return gonePage('not_found');
    }
    if (link.status === 'disabled') {
      counter('disabled');
      return gonePage('disabled');
    }
    return link;
  }

  app.get('/r/:code', async (c) => {
    const now = clock();
    const code = requestedCode(c);
    const found = await linkOrPage(code);
    if (found instanceof Response) return found;
    const link = found;
    const headers = requestHeaders(c);
    if (link.expiresAt && link.expiresAt.getTime() <= now.getTime()) {
      counter('expired');
      if (!link.expiredUrl) return gonePage('expired');
      return new Response(null, {
        status: 302,
        headers: { ...NO_STORE_HEADERS, location: link.expiredUrl },
      });
    }
    if (link.passwordHash) {
      const token = verifySignedToken(settings.secret, getCookie(c, unlockCookie(link)), now);
      if (token?.l !== link.id) {
        counter('locked');
        return passwordPage(link.code);
      }
    }
    const isHead = c.req.method === 'HEAD';
    const ip = gatewayClientAddress(c);
    const userAgent = headerValue(headers, 'user-agent');
    const visitorHash = hashVisitor(settings.secret, ip, now);
    const cookieId = getCookie(c, VISITOR_COOKIE);
    const visitorId = cookieId && UUID.test(cookieId) ? cookieId : undefined;
    const newVisitorId = visitorId || isHead ? undefined : crypto.randomUUID();
    // Without the cookie (first visit, bots, cookie-less clients) the day's hash of IP and user
    // agent stands for the visitor; a repeat is found under either.
    const agentKey = hashVisitor(settings.secret, `${ip}\n${userAgent ?? ''}`, now);
    const needsTraits = link.rules.length > 0;
    const agent = needsTraits ? classifyUserAgent(userAgent) : undefined;
    const country = needsTraits ? deps.country(ip) : null;
    const stored = chooseDestination(link, {
      country,
      device: agent?.device ?? 'other',
      os: agent?.os ?? null,
      languages: needsTraits ? acceptedLanguages(headerValue(headers, 'accept-language')) : [],
      // The cookie set now keeps the arm picked now.
      stickyKey: visitorId ?? newVisitorId ?? agentKey,
    });
    // A repeat within the window reuses the earlier click id: the browser's signed cookie names
    // it; without one, the id derived for this visitor and window is the same on every instance.
    const recent = isHead
      ? []
      : readRecentClicks(
          settings.secret,
          getCookie(c, RECENT_CLICKS_COOKIE),
          now,
          repeats.windowSeconds,
        );
    const earlier = findRecentClick(recent, link.id);
    const clickId = isHead
      ? undefined
      : (earlier?.clickId ??
        deriveClickId(settings.secret, link.id, visitorId ?? agentKey, now, repeats.windowSeconds));
    const url = new URL(c.req.url);
    const location = buildDestination(stored, link.utm, url.search, settings.clickIdParam, clickId);
    counter('redirected');
    if (newVisitorId) {
      setCookie(c, VISITOR_COOKIE, newVisitorId, {
        path: '/',
        secure: true,
        httpOnly: true,
        sameSite: 'Lax',
        maxAge: VISITOR_COOKIE_DAYS * 86_400,
      });
    }
    if (clickId && !earlier) {
      const at = Math.floor(now.getTime() / 1000);
      setCookie(
        c,
        RECENT_CLICKS_COOKIE,
        writeRecentClicks(
          settings.secret,
          recent,
          { linkTag: linkTagOf(link.id), clickId, at },
          repeats.windowSeconds,
        ),
        {
          path: '/',
          secure: true,
          httpOnly: true,
          sameSite: 'Lax',
          maxAge: repeats.windowSeconds,
        },
      );
      // The request's span (the kit's tracing), else what the caller sent: the click keeps the
      // visitor's trace, as the distributed-tracing extension of the CloudEvent.
      const incoming = headerValue(headers, 'traceparent');
      const traceparent =
        currentTraceparent() ?? (incoming && TRACEPARENT.test(incoming) ? incoming : undefined);
      const referer = headerValue(headers, 'referer');
      // After the answer: the repeat check, parsing the user agent and finding the country are
      // not the visitor's wait.
      clicks.recordAfter(async () => {
        if (!(await repeats.isFirst(clickId))) return undefined;
        const info = agent ?? classifyUserAgent(userAgent);
        return {
          clickId,
          linkId: link.id,
          code: link.code,
          affiliateId: link.affiliateId,
          campaign: link.campaign,
          referrerHost: referrerHost(referer),
          clickedAt: now,
          destinationHost: new URL(stored).hostname,
          visitorHash,
          country: needsTraits ? country : deps.country(ip),
          device: info.device,
          os: info.os,
          browser: info.browser,
          bot: info.bot,
          ...(traceparent && { traceparent }),
        };
      });
    }
    c.header('location', location);
    for (const [name, value] of Object.entries(NO_STORE_HEADERS)) c.header(name, value);
    return c.body(null, link.redirectStatus);
  });

  app.post('/r/:code', async (c) => {
    const now = clock();
    const code = requestedCode(c);
    const found = await linkOrPage(code);
    if (found instanceof Response) return found;
    const link = found;
    if (!link.passwordHash) return c.redirect(`/r/${encodeURIComponent(link.code)}`, 303);
    // The form is ours: a post from another site is refused (it could only set a cookie, but
    // it could guess passwords from a victim's address).
    const site = headerValue(requestHeaders(c), 'sec-fetch-site');
    if (site !== undefined && site !== 'same-origin')
      return passwordPage(link.code, { status: 403 });
    const ip = gatewayClientAddress(c);
    const attemptsKey = `redirect:unlock:${link.id}:${hashVisitor(settings.secret, ip, now)}`;
    const attempts = await deps.kv.incr(attemptsKey, { ttlSeconds: PASSWORD_WINDOW_SECONDS });
    if (attempts > PASSWORD_ATTEMPTS) return tooManyAttemptsPage(PASSWORD_WINDOW_SECONDS);
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const password = typeof form.password === 'string' ? form.password.slice(0, 200) : '';
    const ok =
      password.length > 0 &&
      (await verifyArgon2(link.passwordHash, password.normalize('NFC')).catch(() => false));
    if (!ok) return passwordPage(link.code, { failed: true });
    await deps.kv.del(attemptsKey);
    setCookie(
      c,
      unlockCookie(link),
      signToken(settings.secret, {
        l: link.id,
        exp: Math.floor(now.getTime() / 1000) + settings.unlockSeconds,
      }),
      { path: '/', secure: true, httpOnly: true, sameSite: 'Lax', maxAge: settings.unlockSeconds },
    );
    const search = new URL(c.req.url).search;
    c.header('cache-control', 'private, no-store');
    return c.redirect(`/r/${encodeURIComponent(link.code)}${search}`, 303);
  });
}
