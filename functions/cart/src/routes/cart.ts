// GET/DELETE /api/cart, POST/PATCH/DELETE /api/cart/items… — the shopper's cart;
// POST /api/cart/merge — an anonymous cart into the signed-in user's.
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { Problem, problemResponses, requireIdentity, type ServiceEnv } from '@shop/shared';
import type { CartDeps } from '../deps.js';
import { cartKey } from '../domain/cart-id.js';
import { MAX_LINE_QUANTITY } from '../domain/cart-line.js';
import {
  addItem,
  clearCart,
  mergeCarts,
  removeItem,
  setQuantity,
  viewCart,
} from '../flows/carts.js';
import {
  bodyErrors,
  forgetCartId,
  jsonBody,
  notFoundUnless,
  readCartId,
  resolveCart,
  signedIn,
} from './http.js';
import {
  CartIdHeader,
  CartSchema,
  jsonResponse,
  MergedCartSchema,
  requestBody,
} from './schemas.js';

const tags = ['cart'];
const cartResponse = (description: string) => jsonResponse(description, CartSchema);

const AddItemBody = z
  .object({
    productId: z.uuid(),
    quantity: z.int().min(1).max(MAX_LINE_QUANTITY).default(1),
  })
  .strict();
const SetQuantityBody = z.object({ quantity: z.int().min(0).max(MAX_LINE_QUANTITY) }).strict();
const ProductPath = z.object({ productId: z.uuid() });
// A malformed product id is a line no cart holds.
const knownLine = notFoundUnless(ProductPath, 'No such cart line.');

const getCart = createRoute({
  method: 'get',
  path: '/api/cart',
  tags,
  summary: 'The cart: signed-in, else the anonymous one the cookie or x-cart-id names',
  request: { headers: CartIdHeader },
  responses: {
    200: cartResponse('The cart with current prices and stock (empty when there is none)'),
    ...problemResponses({ 400: 'x-cart-id is not a cart id' }),
  },
});

const addCartItem = createRoute({
  method: 'post',
  path: '/api/cart/items',
  tags,
  summary: 'Add a product (a new anonymous cart gets its id as cookie and x-cart-id)',
  middleware: [jsonBody] as const,
  request: { headers: CartIdHeader, body: requestBody(AddItemBody) },
  responses: {
    200: cartResponse('The cart after the change'),
    ...problemResponses({
      400: 'Invalid body',
      404: 'No such product for sale',
      415: 'Not JSON',
      422: 'Not enough stock, or more than 99 of one product',
    }),
  },
});

const setCartItemQuantity = createRoute({
  method: 'patch',
  path: '/api/cart/items/{productId}',
  tags,
  summary: 'Set the quantity of a line (0 removes it)',
  middleware: [knownLine, jsonBody] as const,
  request: { params: ProductPath, headers: CartIdHeader, body: requestBody(SetQuantityBody) },
  responses: {
    200: cartResponse('The cart after the change'),
    ...problemResponses({
      400: 'Invalid body',
      404: 'The cart holds no such product',
      415: 'Not JSON',
      422: 'Not enough stock',
    }),
  },
});

const removeCartItem = createRoute({
  method: 'delete',
  path: '/api/cart/items/{productId}',
  tags,
  summary: 'Remove a line',
  middleware: [knownLine] as const,
  request: { params: ProductPath, headers: CartIdHeader },
  responses: {
    200: cartResponse('The cart after the change'),
    ...problemResponses({ 404: 'The cart holds no such product' }),
  },
});

const emptyCart = createRoute({
  method: 'delete',
  path: '/api/cart',
  tags,
  summary: 'Empty the cart',
  request: { headers: CartIdHeader },
  responses: { 204: { description: 'The cart is empty' } },
});

const mergeCart = createRoute({
  method: 'post',
  path: '/api/cart/merge',
  tags,
  summary: 'After sign-in: move the anonymous cart into the user’s (the cookie is cleared)',
  middleware: [signedIn] as const,
  request: { headers: CartIdHeader },
  responses: {
    200: jsonResponse('The user’s cart after the merge', MergedCartSchema),
    ...problemResponses({ 401: 'Not signed in' }),
  },
});

/** Registers the cart routes. */
export function registerCartRoutes(app: OpenAPIHono<ServiceEnv>, deps: CartDeps): void {
  app.openapi(getCart, async (c) => {
    const cart = resolveCart(c, false);
    if (!cart) return c.json(await viewCart(deps.carts, cartKey({ cartId: '-' }), null), 200);
    return c.json(await viewCart(deps.carts, cart.key, cart.cartId), 200);
  });

  app.openapi(
    addCartItem,
    async (c) => {
      const body = c.req.valid('json');
      const cart = resolveCart(c, true) as NonNullable<ReturnType<typeof resolveCart>>;
      await addItem(deps.carts, cart.key, body.productId, body.quantity);
      return c.json(await viewCart(deps.carts, cart.key, cart.cartId), 200);
    },
    bodyErrors,
  );

  app.openapi(
    setCartItemQuantity,
    async (c) => {
      const { productId } = c.req.valid('param');
      const body = c.req.valid('json');
      const cart = resolveCart(c, false);
      if (!cart) throw new Problem(404, 'The cart holds no such product.');
      await setQuantity(deps.carts, cart.key, productId, body.quantity);
      return c.json(await viewCart(deps.carts, cart.key, cart.cartId), 200);
    },
    bodyErrors,
  );

  app.openapi(removeCartItem, async (c) => {
    const { productId } = c.req.valid('param');
    const cart = resolveCart(c, false);
    if (!cart) throw new Problem(404, 'The cart holds no such product.');
    await removeItem(deps.carts, cart.key, productId);
    return c.json(await viewCart(deps.carts, cart.key, cart.cartId), 200);
  });

  app.openapi(emptyCart, async (c) => {
    const cart = resolveCart(c, false);
    if (cart) await clearCart(deps.carts, cart.key);
    return c.body(null, 204);
  });

  app.openapi(mergeCart, async (c) => {
    const identity = requireIdentity(c);
    const into = cartKey({ userId: identity.userId });
    const cartId = readCartId(c);
    const result = cartId
      ? await mergeCarts(deps.carts, cartKey({ cartId }), into)
      : { merged: 0, capped: [], dropped: [] };
    if (cartId) forgetCartId(c);
    return c.json({ ...(await viewCart(deps.carts, into, null)), merge: result }, 200);
  });
}
