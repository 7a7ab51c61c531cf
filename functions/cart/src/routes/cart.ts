// GET/DELETE /api/cart, POST/PATCH/DELETE /api/cart/items… — the shopper's cart;
// POST /api/cart/merge — an anonymous cart into the signed-in user's.
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { Problem, requireIdentity, type ServiceEnv } from '@shop/shared';
import type { CartDeps } from '../app.js';
import { addItem, clearCart, mergeCarts, removeItem, setQuantity, viewCart } from '../carts.js';
import { cartKey } from '../domain/cart-id.js';
import { MAX_LINE_QUANTITY } from '../domain/cart-line.js';
import { forgetCartId, readCartId, readJson, resolveCart } from './http.js';

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

export function registerCartRoutes(app: OpenAPIHono<ServiceEnv>, deps: CartDeps): void {
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
