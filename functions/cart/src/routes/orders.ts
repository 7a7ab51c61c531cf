// POST /api/cart/checkout — the cart becomes an order and a payment; GET /api/cart/orders… —
// the signed-in shopper's orders (another user's order answers 404).
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import {
  countryCode,
  Problem,
  problemResponses,
  requireIdentity,
  type ServiceEnv,
  text,
} from '@shop/shared';
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { CartDeps } from '../deps.js';
import { checkout, presentOrder } from '../flows/checkout.js';
import { findOrder, listOrders } from '../store.js';

import { bodyErrors, CLICK_COOKIE, jsonBody, notFoundUnless, signedIn } from './http.js';
import { orderHistory } from './order-history.js';
import {
  CheckoutSchema,
  jsonResponse,
  OrderSchema,
  OrderWithHistorySchema,
  requestBody,
} from './schemas.js';

const tags = ['orders'];

const CheckoutBody = z
  .object({
    shippingAddress: z
      .object({
        name: text({ max: 200 }),
        line1: text({ max: 200 }),
        line2: text({ max: 200, min: 0 }).optional(),
        postalCode: text({ max: 20 }),
        city: text({ max: 100 }),
        country: countryCode(),
      })
      .strict(),
    clickId: z.uuid().optional(),
  })
  .strict();

const IdempotencyKey = text({ max: 255, trim: false })
  .regex(/^[\x21-\x7e]{1,255}$/)
  .openapi({ description: '1–255 visible ASCII characters' });
const CheckoutHeaders = z.object({ 'idempotency-key': IdempotencyKey });

/** Route middleware: the Idempotency-Key is there (400 with its own type) and well-formed (400). */
const idempotencyKey: MiddlewareHandler<ServiceEnv> = async (c, next) => {
  const key = c.req.header('idempotency-key');
  if (!key) {
    throw new Problem(400, 'Send an Idempotency-Key header (e.g. a random UUID) with checkout.', {
      type: 'https://shop.example/problems/idempotency-key-missing',
    });
  }
  if (!IdempotencyKey.safeParse(key).success) {
    throw new Problem(400, 'The Idempotency-Key must be 1–255 visible ASCII characters.');
  }
  await next();
};

const OrderId = z.uuid();
const OrderPath = z.object({ id: OrderId });

const checkoutCart = createRoute({
  method: 'post',
  path: '/api/cart/checkout',
  tags,
  summary: 'Turn the signed-in user’s cart into an order and a payment at the provider',
  description:
    'Same Idempotency-Key and body: the same answer again. Same key, another body: 422. ' +
    'A retry while the first is still running: 409 with Retry-After. The stock is reserved at ' +
    'offer before the order is stored: not enough left → 409 out-of-stock naming the products.',
  middleware: [signedIn, idempotencyKey, jsonBody] as const,
  request: { headers: CheckoutHeaders, body: requestBody(CheckoutBody) },
  responses: {
    201: jsonResponse('The order, pending payment, and how to pay', CheckoutSchema),
    ...problemResponses({
      400: 'No or a malformed Idempotency-Key, or an invalid body',
      401: 'Not signed in',
      409: 'A checkout with this key is still running, or products are out of stock (errors)',
      415: 'Not JSON',
      422: 'Empty cart, products no longer for sale, or the key was used with another body',
      502: 'The payment provider is not available; retry with the same key',
    }),
  },
});

const listMyOrders = createRoute({
  method: 'get',
  path: '/api/cart/orders',
  tags,
  summary: 'The signed-in user’s orders, newest first',
  middleware: [signedIn] as const,
  responses: {
    200: jsonResponse('Orders', z.object({ items: z.array(OrderSchema) })),
    ...problemResponses({ 401: 'Not signed in' }),
  },
});

const getMyOrder = createRoute({
  method: 'get',
  path: '/api/cart/orders/{id}',
  tags,
  summary: 'One of the signed-in user’s orders with its status history and refunds',
  middleware: [signedIn, notFoundUnless(OrderPath, 'No such order.')] as const,
  request: { params: OrderPath },
  responses: {
    200: jsonResponse('The order', OrderWithHistorySchema),
    ...problemResponses({ 401: 'Not signed in', 404: 'No such order of yours' }),
  },
});

/** Registers checkout and the order routes. */
export function registerOrderRoutes(app: OpenAPIHono<ServiceEnv>, deps: CartDeps): void {
  app.openapi(
    checkoutCart,
    async (c) => {
      const identity = requireIdentity(c);
      const key = c.req.valid('header')['idempotency-key'];
      const body = c.req.valid('json');
      const cookieClick = getCookie(c, CLICK_COOKIE);
      const clickId =
        body.clickId ??
        (cookieClick && OrderId.safeParse(cookieClick).success ? cookieClick : null);
      const { line2, ...address } = body.shippingAddress;
      const response = await checkout(deps.checkout, identity.userId, key, {
        shippingAddress: { ...address, ...(line2 ? { line2 } : {}) },
        clickId,
      });
      // The first answer, or the one stored under the key (only a 201 is stored).
      return c.json(response.body as z.infer<typeof CheckoutSchema>, response.status as 201);
    },
    bodyErrors,
  );

  app.openapi(listMyOrders, async (c) => {
    const identity = requireIdentity(c);
    const orders = await listOrders(deps.db, identity.userId);
    return c.json({ items: orders.map(presentOrder) }, 200);
  });

  app.openapi(getMyOrder, async (c) => {
    const identity = requireIdentity(c);
    const order = await findOrder(deps.db, c.req.valid('param').id);
    // Someone else's order is as absent as a missing one: no way to probe for ids.
    if (!order || order.userId !== identity.userId) throw new Problem(404, 'No such order.');
    return c.json(await orderHistory(deps.db, order), 200);
  });
}
