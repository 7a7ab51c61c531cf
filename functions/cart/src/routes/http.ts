// Small helpers the cart routes share: checks that answer before a route's schemas validate,
// the validation hook, the cart a request means.
import {
  Problem,
  readIdentity,
  requireIdentity,
  type ServiceEnv,
  validationProblem,
} from '@shop/shared';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ZodError, ZodType } from 'zod';
import { CART_ID_PATTERN, cartKey, newCartId } from '../domain/cart-id.js';

/** The anonymous cart cookie (and the header API clients send instead). */
export const CART_COOKIE = '__Host-cart';
export const CART_HEADER = 'x-cart-id';
/** The attribution click id cookie set by the redirect function. */
export const CLICK_COOKIE = '__Host-click';

const COOKIE_MAX_AGE = 30 * 24 * 3600;

const JSON_CONTENT_TYPE = /^application\/([\w.+-]+\+)?json\b/i;

// A route's `middleware` runs before its zod validators, in the order listed: these are the
// answers that take precedence over an invalid parameter, header or body.

/** Route middleware: 401 without the gateway's identity, before anything else is judged. */
export const signedIn: MiddlewareHandler<ServiceEnv> = async (c, next) => {
  requireIdentity(c);
  await next();
};

/**
 * Route middleware: 404 `detail` when the path parameters do not fit `params` (a malformed id
 * names nothing here), before the headers and the body are looked at.
 */
export function notFoundUnless(params: ZodType, detail: string): MiddlewareHandler<ServiceEnv> {
  return async (c, next) => {
    if (!params.safeParse(c.req.param()).success) throw new Problem(404, detail);
    await next();
  };
}

/**
 * Route middleware: the body must be sent as JSON (415) and parse (400); the route's schema
 * then validates the parsed body (Hono keeps it, so it is read once).
 */
export const jsonBody: MiddlewareHandler<ServiceEnv> = async (c, next) => {
  if (!JSON_CONTENT_TYPE.test(c.req.header('content-type') ?? '')) {
    throw new Problem(415, 'Send the body as application/json.');
  }
  try {
    await c.req.json();
  } catch {
    throw new Problem(400, 'The request body is not valid JSON.');
  }
  await next();
};

/**
 * The validation hook of routes with a body: its errors are named `body.<field>`. (Typed
 * without the route's input, so the handler's `c.req.valid()` keeps the schemas' types.)
 */
export function bodyErrors(result: { target: string; success: boolean; error?: unknown }) {
  if (!result.success) {
    const where = result.target === 'json' ? 'body' : result.target;
    throw validationProblem(result.error as ZodError, where);
  }
  return undefined;
}

/** The anonymous cart id the request carries (header first, then cookie), if well-formed. */
export function readCartId(c: Context): string | null {
  const fromHeader = c.req.header(CART_HEADER);
  if (fromHeader !== undefined) {
    if (!CART_ID_PATTERN.test(fromHeader)) {
      throw new Problem(400, `${CART_HEADER} is not a cart id.`);
    }
    return fromHeader;
  }
  const fromCookie = getCookie(c, CART_COOKIE);
  return fromCookie && CART_ID_PATTERN.test(fromCookie) ? fromCookie : null;
}

/** The cart a request means: the signed-in user's, else the anonymous one it names. */
export interface CartRef {
  key: string;
  /** The anonymous cart id; null for a user's cart. */
  cartId: string | null;
  userId: string | null;
}

/**
 * Resolves the request's cart; with `create`, an anonymous request without one gets a new id
 * (sent back as cookie and `x-cart-id` header).
 */
export function resolveCart(c: Context, create: boolean): CartRef | null {
  const identity = readIdentity(c);
  if (identity)
    return { key: cartKey({ userId: identity.userId }), cartId: null, userId: identity.userId };
  let cartId = readCartId(c);
  if (!cartId) {
    if (!create) return null;
    cartId = newCartId();
  }
  if (create) rememberCartId(c, cartId);
  c.header(CART_HEADER, cartId);
  return { key: cartKey({ cartId }), cartId, userId: null };
}

/** Sets (or refreshes) the anonymous cart cookie. */
export function rememberCartId(c: Context, cartId: string): void {
  setCookie(c, CART_COOKIE, cartId, {
    path: '/',
    secure: true,
    httpOnly: true,
    sameSite: 'Lax',
    maxAge: COOKIE_MAX_AGE,
  });
}

export function forgetCartId(c: Context): void {
  deleteCookie(c, CART_COOKIE, { path: '/', secure: true });
}
