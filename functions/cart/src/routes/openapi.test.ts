import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addProduct,
  address,
  archive,
  createTestbed,
  send,
  shopper,
  type Testbed,
} from '../testing/fixtures.js';
import {
  CartSchema,
  CheckoutSchema,
  MergedCartSchema,
  OrderSchema,
  OrderWithHistorySchema,
} from './schemas.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed.cleanup());

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
}

describe('/openapi.json', () => {
  it('documents every cart and order route with its answers', async () => {
    const res = await bed.app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as OpenApiDocument;
    expect(doc.openapi).toBe('3.1.0');
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(
      [
        'GET /api/cart',
        'DELETE /api/cart',
        'POST /api/cart/items',
        'PATCH /api/cart/items/{productId}',
        'DELETE /api/cart/items/{productId}',
        'POST /api/cart/merge',
        'POST /api/cart/checkout',
        'GET /api/cart/orders',
        'GET /api/cart/orders/{id}',
        'GET /api/admin/orders',
        'GET /api/admin/orders/{id}',
        'POST /api/admin/orders/{id}/refunds',
        'POST /api/admin/orders/{id}/review',
        'POST /api/admin/orders/{id}/cancel',
      ].sort(),
    );
    expect(Object.keys(doc.paths['/api/admin/orders/{id}/review']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '409', '412', '428']),
    );
    expect(Object.keys(doc.paths['/api/cart/checkout']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['201', '400', '401', '409', '422', '502']),
    );
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        'Cart',
        'CartLine',
        'Money',
        'Order',
        'Checkout',
        'Problem',
        'StaffOrder',
        'StaffOrderDetail',
        'RefundRequest',
      ]),
    );
  });

  it('describes what the routes really answer', async () => {
    const who = shopper();
    const kept = await addProduct(bed.offerUrl, { priceAmount: 1250, stock: 5 });
    const gone = await addProduct(bed.offerUrl, { priceAmount: 800, stock: 5 });
    const anonymous = await send(bed.app, 'POST', '/api/cart/items', {
      body: { productId: kept.id, quantity: 1 },
    });
    const cartId = anonymous.headers.get('x-cart-id') as string;
    expect(CartSchema.parse(await anonymous.json()).cartId).toBe(cartId);

    await send(bed.app, 'POST', '/api/cart/items', { as: who, body: { productId: gone.id } });
    await archive(bed.offerUrl, gone.id);
    const withGoneLine = await send(bed.app, 'GET', '/api/cart', { as: who });
    const lines = CartSchema.parse(await withGoneLine.json()).items;
    expect(lines.map((line) => line.purchasable)).toEqual([false]);
    await send(bed.app, 'DELETE', `/api/cart/items/${gone.id}`, { as: who });

    const merged = await send(bed.app, 'POST', '/api/cart/merge', {
      as: who,
      headers: { 'x-cart-id': cartId },
    });
    expect(MergedCartSchema.parse(await merged.json()).merge.merged).toBe(1);

    const checkout = await send(bed.app, 'POST', '/api/cart/checkout', {
      as: who,
      body: { shippingAddress: address },
      headers: { 'idempotency-key': crypto.randomUUID() },
    });
    expect(checkout.status).toBe(201);
    const { order } = CheckoutSchema.parse(await checkout.json());
    const list = await send(bed.app, 'GET', '/api/cart/orders', { as: who });
    const items = (await list.json()) as { items: unknown[] };
    expect(items.items.map((item) => OrderSchema.parse(item).id)).toEqual([order.id]);
    const one = await send(bed.app, 'GET', `/api/cart/orders/${order.id}`, { as: who });
    expect(OrderWithHistorySchema.parse(await one.json()).transitions.at(-1)?.to).toBe(
      'pending_payment',
    );
  });
});
