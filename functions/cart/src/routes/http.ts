// Small helpers the cart routes share: JSON bodies checked by zod, the cart a request means.
import { Problem, readIdentity, validationProblem } from '@shop/shared';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ZodType, z } from 'zod';
import { CART_ID_PATTERN, cartKey, newCartId } from '../domain/cart-id.js';

/** The anonymous cart cookie (and the header API clients send instead). */
export const CART_COOKIE = '__Host-cart';
export const CART_HEADER = 'x-cart-id';
/** The attribution click id cookie set by the redirect function. */
export const CLICK_COOKIE = '__Host-click';

const COOKIE_MAX_AGE = 30 * 24 * 3600;

/** The request body parsed as JSON and checked: 415 not JSON, 400 malformed or invalid. */
export async function readJson<S extends ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new Problem(415, 'Send the body as application/json.');
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new Problem(400, 'The request body is not valid JSON.');
  }
  const result = schema.safeParse(body);
  if (!result.success) throw validationProblem(result.error, 'body');
  return result.data;
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
