// GET/DELETE /api/cart, POST/PATCH/DELETE /api/cart/items… — the shopper's cart;
// POST /api/cart/merge — an anonymous cart into the signed-in user's.
import { type OpenAPIHono, z } from '@hono/zod-openapi';
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
import { forgetCartId, readCartId, readJson, resolveCart } from './http.js';
import { CartIdHeader, CartSchema, jsonBody, jsonResponse, MergedCartSchema } from './schemas.js';

const AddItemBody = z
  .object({
    productId: z.uuid(),
    quantity: z.int().min(1).max(MAX_LINE_QUANTITY).default(1),
  })
  .strict();
const SetQuantityBody = z.object({ quantity: z.int().min(0).max(MAX_LINE_QUANTITY) }).strict();
const ProductParam = z.uuid();

function productIdParam(value: string | undefined): string {
  const parsed = ProductParam.safeParse(value);
  if (!parsed.success) throw new Problem(404, 'No such cart line.');
  return parsed.data;
}

const ProductPath = z.object({ productId: z.uuid() });
const cartResponse = (description: string) => jsonResponse(description, CartSchema);

/** The cart routes in the OpenAPI document (the handlers below validate with the same schemas). */
function documentCartRoutes(app: OpenAPIHono<ServiceEnv>): void {
  const tags = ['cart'];
  const document = app.openAPIRegistry.registerPath.bind(app.openAPIRegistry);
  document({
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
  document({
    method: 'post',
    path: '/api/cart/items',
    tags,
    summary: 'Add a product (a new anonymous cart gets its id as cookie and x-cart-id)',
    request: { headers: CartIdHeader, body: jsonBody(AddItemBody) },
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
  document({
    method: 'patch',
    path: '/api/cart/items/{productId}',
    tags,
    summary: 'Set the quantity of a line (0 removes it)',
    request: { params: ProductPath, headers: CartIdHeader, body: jsonBody(SetQuantityBody) },
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
  document({
    method: 'delete',
    path: '/api/cart/items/{productId}',
    tags,
    summary: 'Remove a line',
    request: { params: ProductPath, headers: CartIdHeader },
    responses: {
      200: cartResponse('The cart after the change'),
      ...problemResponses({ 404: 'The cart holds no such product' }),
    },
  });
  document({
    method: 'delete',
    path: '/api/cart',
    tags,
    summary: 'Empty the cart',
    request: { headers: CartIdHeader },
    responses: { 204: { description: 'The cart is empty' } },
  });
  document({
    method: 'post',
    path: '/api/cart/merge',
    tags,
    summary: 'After sign-in: move the anonymous cart into the user’s (the cookie is cleared)',
    request: { headers: CartIdHeader },
    responses: {
      200: jsonResponse('The user’s cart after the merge', MergedCartSchema),
      ...problemResponses({ 401: 'Not signed in' }),
    },
  });
}

export function registerCartRoutes(app: OpenAPIHono<ServiceEnv>, deps: CartDeps): void {
  documentCartRoutes(app);
  app.get('/api/cart', async (c) => {
    const cart = resolveCart(c, false);
    if (!cart) return c.json(await viewCart(deps.carts, cartKey({ cartId: '-' }), null), 200);
    return c.json(await viewCart(deps.carts, cart.key, cart.cartId), 200);
  });

  app.post('/api/cart/items', async (c) => {
    const body = await readJson(c, AddItemBody);
    const cart = resolveCart(c, true) as NonNullable<ReturnType<typeof resolveCart>>;
    await addItem(deps.carts, cart.key, body.productId, body.quantity);
    return c.json(await viewCart(deps.carts, cart.key, cart.cartId), 200);
  });

  app.patch('/api/cart/items/:productId', async (c) => {
    const productId = productIdParam(c.req.param('productId'));
    const body = await readJson(c, SetQuantityBody);
    const cart = resolveCart(c, false);
    if (!cart) throw new Problem(404, 'The cart holds no such product.');
    await setQuantity(deps.carts, cart.key, productId, body.quantity);
    return c.json(await viewCart(deps.carts, cart.key, cart.cartId), 200);
  });

  app.delete('/api/cart/items/:productId', async (c) => {
    const productId = productIdParam(c.req.param('productId'));
    const cart = resolveCart(c, false);
    if (!cart) throw new Problem(404, 'The cart holds no such product.');
    await removeItem(deps.carts, cart.key, productId);
    return c.json(await viewCart(deps.carts, cart.key, cart.cartId), 200);
  });

  app.delete('/api/cart', async (c) => {
    const cart = resolveCart(c, false);
    if (cart) await clearCart(deps.carts, cart.key);
    return c.body(null, 204);
  });

  app.post('/api/cart/merge', async (c) => {
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
