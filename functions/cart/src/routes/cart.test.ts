import { identityHeaders, testVerifyToken } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CART_LINES } from '../domain/cart-line.js';
import {
  addProduct,
  archive,
  changePrice,
  changeStock,
  createTestbed,
  send,
  shopper,
  type Testbed,
} from '../testing/fixtures.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed.cleanup());

interface CartBody {
  cartId: string | null;
  items: {
    productId: string;
    name: string | null;
    quantity: number;
    unitPrice: { amount: number; currency: string } | null;
    priceWhenAdded: { amount: number; currency: string };
    priceChanged: boolean;
    available: number;
    inStock: boolean;
    maxQuantity: number;
    purchasable: boolean;
  }[];
  itemCount: number;
  total: { amount: number; currency: string };
}

async function json<T = CartBody>(res: Response | Promise<Response>): Promise<T> {
  return (await (await res).json()) as T;
}

describe('anonymous carts', () => {
  it('gives a new anonymous cart an unguessable id in a __Host- cookie and x-cart-id', async () => {
    const product = await addProduct(bed.offerUrl, { priceAmount: 1250 });
    const res = await send(bed.app, 'POST', '/api/cart/items', {
      body: { productId: product.id, quantity: 2 },
    });
    expect(res.status).toBe(200);
    const cartId = res.headers.get('x-cart-id');
    expect(cartId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toContain(`__Host-cart=${cartId}`);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    const body = await json(res);
    expect(body.items).toMatchObject([
      { productId: product.id, quantity: 2, unitPrice: { amount: 1250, currency: 'EUR' } },
    ]);
    expect(body.total).toEqual({ amount: 2500, currency: 'EUR' });

    // The cookie works as well as the header.
    const viaCookie = await json(
      bed.app.request('/api/cart', { headers: { cookie: `__Host-cart=${cartId}` } }),
    );
    expect(viaCookie.itemCount).toBe(2);
    const viaHeader = await json(send(bed.app, 'GET', '/api/cart', { cartId: cartId ?? '' }));
    expect(viaHeader.itemCount).toBe(2);
  });

  it('shows an empty cart to a request without one, and refuses a malformed cart id', async () => {
    const empty = await json(send(bed.app, 'GET', '/api/cart'));
    expect(empty).toMatchObject({ items: [], itemCount: 0, total: { amount: 0, currency: 'EUR' } });
    const bad = await send(bed.app, 'GET', '/api/cart', { headers: { 'x-cart-id': 'guess' } });
    expect(bad.status).toBe(400);
  });
});

describe('cart lines', () => {
  it('adds, changes, removes and clears, with totals in minor units', async () => {
    const who = shopper();
    const a = await addProduct(bed.offerUrl, { priceAmount: 500 });
    const b = await addProduct(bed.offerUrl, { priceAmount: 333 });
    await send(bed.app, 'POST', '/api/cart/items', {
      as: who,
      body: { productId: a.id, quantity: 1 },
    });
    await send(bed.app, 'POST', '/api/cart/items', {
      as: who,
      body: { productId: a.id, quantity: 2 },
    });
    let cart = await json(
      send(bed.app, 'POST', '/api/cart/items', { as: who, body: { productId: b.id, quantity: 3 } }),
    );
    expect(cart.items.map((i) => [i.productId, i.quantity])).toEqual([
      [a.id, 3],
      [b.id, 3],
    ]);
    expect(cart.total.amount).toBe(3 * 500 + 3 * 333);

    cart = await json(
      send(bed.app, 'PATCH', `/api/cart/items/${a.id}`, { as: who, body: { quantity: 1 } }),
    );
    expect(cart.items.find((i) => i.productId === a.id)?.quantity).toBe(1);
    cart = await json(
      send(bed.app, 'PATCH', `/api/cart/items/${a.id}`, { as: who, body: { quantity: 0 } }),
    );
    expect(cart.items.map((i) => i.productId)).toEqual([b.id]);
    cart = await json(send(bed.app, 'DELETE', `/api/cart/items/${b.id}`, { as: who }));
    expect(cart.items).toEqual([]);
    expect((await send(bed.app, 'DELETE', `/api/cart/items/${b.id}`, { as: who })).status).toBe(
      404,
    );

    await send(bed.app, 'POST', '/api/cart/items', {
      as: who,
      body: { productId: a.id, quantity: 1 },
    });
    expect((await send(bed.app, 'DELETE', '/api/cart', { as: who })).status).toBe(204);
    expect((await json(send(bed.app, 'GET', '/api/cart', { as: who }))).items).toEqual([]);
  });

  it('refuses bad input with 4xx problems and keeps the cart as it was', async () => {
    const who = shopper();
    const a = await addProduct(bed.offerUrl);
    await send(bed.app, 'POST', '/api/cart/items', {
      as: who,
      body: { productId: a.id, quantity: 1 },
    });
    for (const body of [
      { productId: a.id, quantity: 0 },
      { productId: a.id, quantity: 100 },
      { productId: a.id, quantity: 1.5 },
      { productId: 'nope', quantity: 1 },
      { productId: a.id, quantity: 1, price: 1 },
    ]) {
      const res = await send(bed.app, 'POST', '/api/cart/items', { as: who, body });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
    const notJson = await bed.app.request('/api/cart/items', {
      method: 'POST',
      headers: { ...identityHeaders(who), 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(notJson.status).toBe(415);
    const malformed = await bed.app.request('/api/cart/items', {
      method: 'POST',
      headers: { ...identityHeaders(who), 'content-type': 'application/json' },
      body: '{',
    });
    expect(malformed.status).toBe(400);
    const cart = await json(send(bed.app, 'GET', '/api/cart', { as: who }));
    expect(cart.items.map((i) => i.quantity)).toEqual([1]);
  });

  it('holds at most MAX_CART_LINES products: one more is a 422 and the cart stays as it was', async () => {
    const who = shopper();
    const products = await Promise.all(
      Array.from({ length: MAX_CART_LINES + 1 }, () => addProduct(bed.offerUrl)),
    );
    for (const product of products.slice(0, MAX_CART_LINES)) {
      const res = await send(bed.app, 'POST', '/api/cart/items', {
        as: who,
        body: { productId: product.id, quantity: 1 },
      });
      expect(res.status).toBe(200);
    }
    const extra = products[MAX_CART_LINES];
    const res = await send(bed.app, 'POST', '/api/cart/items', {
      as: who,
      body: { productId: extra?.id, quantity: 1 },
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const cart = await json(send(bed.app, 'GET', '/api/cart', { as: who }));
    expect(cart.items).toHaveLength(MAX_CART_LINES);
  });

  it('answers 404 for an unknown or archived product', async () => {
    const who = shopper();
    const unknown = await send(bed.app, 'POST', '/api/cart/items', {
      as: who,
      body: { productId: crypto.randomUUID(), quantity: 1 },
    });
    expect(unknown.status).toBe(404);
    const gone = await addProduct(bed.offerUrl);
    await archive(bed.offerUrl, gone.id);
    const archived = await send(bed.app, 'POST', '/api/cart/items', {
      as: who,
      body: { productId: gone.id, quantity: 1 },
    });
    expect(archived.status).toBe(404);
  });

  it('refuses adding beyond stock with a 422 naming what is available', async () => {
    const who = shopper();
    const p = await addProduct(bed.offerUrl, { stock: 3 });
    expect(
      (
        await send(bed.app, 'POST', '/api/cart/items', {
          as: who,
          body: { productId: p.id, quantity: 2 },
        })
      ).status,
    ).toBe(200);
    const res = await send(bed.app, 'POST', '/api/cart/items', {
      as: who,
      body: { productId: p.id, quantity: 2 },
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ available: 3, requested: 4, productId: p.id });
    const patch = await send(bed.app, 'PATCH', `/api/cart/items/${p.id}`, {
      as: who,
      body: { quantity: 4 },
    });
    expect(patch.status).toBe(422);
  });

  it('shows the current price, flags a change since adding, and caps by stock', async () => {
    const who = shopper();
    const p = await addProduct(bed.offerUrl, { priceAmount: 1000, stock: 5 });
    await send(bed.app, 'POST', '/api/cart/items', {
      as: who,
      body: { productId: p.id, quantity: 4 },
    });
    let cart = await json(send(bed.app, 'GET', '/api/cart', { as: who }));
    expect(cart.items[0]).toMatchObject({ priceChanged: false, inStock: true, available: 5 });

    await changePrice(bed.offerUrl, p.id, 1200);
    await changeStock(bed.offerUrl, p.id, 2);
    cart = await json(send(bed.app, 'GET', '/api/cart', { as: who }));
    expect(cart.items[0]).toMatchObject({
      unitPrice: { amount: 1200, currency: 'EUR' },
      priceWhenAdded: { amount: 1000, currency: 'EUR' },
      priceChanged: true,
      available: 2,
      inStock: false,
      maxQuantity: 2,
    });
    expect(cart.total.amount).toBe(4 * 1200);

    await archive(bed.offerUrl, p.id);
    cart = await json(send(bed.app, 'GET', '/api/cart', { as: who }));
    expect(cart.items[0]).toMatchObject({ purchasable: false, inStock: false, available: 0 });
    expect(cart.total.amount).toBe(0);
  });
});

describe('merge at login', () => {
  it('moves the anonymous cart into the user’s, summing quantities capped by stock, once', async () => {
    const who = shopper();
    const a = await addProduct(bed.offerUrl, { stock: 5 });
    const b = await addProduct(bed.offerUrl, { stock: 10 });
    const first = await send(bed.app, 'POST', '/api/cart/items', {
      body: { productId: a.id, quantity: 3 },
    });
    const cartId = first.headers.get('x-cart-id') ?? '';
    await send(bed.app, 'POST', '/api/cart/items', {
      cartId,
      body: { productId: b.id, quantity: 1 },
    });
    await send(bed.app, 'POST', '/api/cart/items', {
      as: who,
      body: { productId: a.id, quantity: 4 },
    });

    const merged = await send(bed.app, 'POST', '/api/cart/merge', { as: who, cartId });
    expect(merged.status).toBe(200);
    const body = await json<CartBody & { merge: { capped: string[] } }>(merged);
    expect(Object.fromEntries(body.items.map((i) => [i.productId, i.quantity]))).toEqual({
      [a.id]: 5,
      [b.id]: 1,
    });
    expect(body.merge.capped).toEqual([a.id]);
    expect(merged.headers.get('set-cookie')).toMatch(/__Host-cart=;.*Max-Age=0/);

    // Idempotent: merging again (a retry) changes nothing; the anonymous cart is gone.
    const again = await json(send(bed.app, 'POST', '/api/cart/merge', { as: who, cartId }));
    expect(again.itemCount).toBe(6);
    expect((await json(send(bed.app, 'GET', '/api/cart', { cartId }))).items).toEqual([]);
  });

  it('needs a signed-in user', async () => {
    expect((await send(bed.app, 'POST', '/api/cart/merge')).status).toBe(401);
  });
});

describe('concurrency', () => {
  it('loses nothing when 50 adds of different and the same products run at once', async () => {
    const who = shopper();
    const same = await addProduct(bed.offerUrl, { stock: 99 });
    const others = await Promise.all(
      Array.from({ length: 5 }, () => addProduct(bed.offerUrl, { stock: 50 })),
    );
    const adds = Array.from({ length: 50 }, (_, i) =>
      send(bed.app, 'POST', '/api/cart/items', {
        as: who,
        body: { productId: i % 2 === 0 ? same.id : (others[i % 5]?.id ?? same.id), quantity: 1 },
      }),
    );
    const statuses = (await Promise.all(adds)).map((res) => res.status);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const cart = await json(send(bed.app, 'GET', '/api/cart', { as: who }));
    expect(cart.itemCount).toBe(50);
    expect(cart.items.find((i) => i.productId === same.id)?.quantity).toBe(25);
  });

  it('never goes beyond stock under concurrent adds', async () => {
    const who = shopper();
    const p = await addProduct(bed.offerUrl, { stock: 10 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        send(bed.app, 'POST', '/api/cart/items', {
          as: who,
          body: { productId: p.id, quantity: 1 },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(10);
    expect(results.filter((r) => r.status === 422)).toHaveLength(10);
    const cart = await json(send(bed.app, 'GET', '/api/cart', { as: who }));
    expect(cart.itemCount).toBe(10);
  });
});

describe('cross-site requests', () => {
  it('refuses a cross-site write to a cart', async () => {
    const p = await addProduct(bed.offerUrl);
    const res = await send(bed.app, 'POST', '/api/cart/items', {
      body: { productId: p.id, quantity: 1 },
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(res.status).toBe(403);
  });
});

describe('expiry', () => {
  it('forgets a cart 30 days after its last write, each write starting the 30 days again', async () => {
    const { createMemoryKeyValue, silentLogger } = await import('@shop/shared');
    const { createApp } = await import('../app.js');
    const { createOfferClient } = await import('../offer-client.js');
    let now = Date.parse('2026-01-01T00:00:00Z');
    const kv = createMemoryKeyValue(() => now);
    const app = createApp({
      db: bed.db,
      kv,
      log: silentLogger(),
      offer: createOfferClient({ baseUrl: bed.offerUrl, cacheMs: 0 }),
      payments: bed.payments,
      clock: () => new Date(now),
      verifyToken: testVerifyToken,
    });
    const who = shopper();
    const p = await addProduct(bed.offerUrl);
    const day = 24 * 3600 * 1000;
    await send(app, 'POST', '/api/cart/items', { as: who, body: { productId: p.id, quantity: 1 } });
    now += 29 * day;
    const kept = await json<CartBody & { expiresAt: string }>(
      send(app, 'POST', '/api/cart/items', { as: who, body: { productId: p.id, quantity: 1 } }),
    );
    expect(kept.itemCount).toBe(2);
    expect(kept.expiresAt).toBe(new Date(now + 30 * day).toISOString());
    now += 29 * day;
    expect((await json(send(app, 'GET', '/api/cart', { as: who }))).itemCount).toBe(2);
    now += 2 * day;
    expect((await json(send(app, 'GET', '/api/cart', { as: who }))).items).toEqual([]);
  });

  it('sets the 30-day expiry on the store (Redis in integration runs)', async () => {
    const who = shopper();
    const p = await addProduct(bed.offerUrl);
    await send(bed.app, 'POST', '/api/cart/items', {
      as: who,
      body: { productId: p.id, quantity: 1 },
    });
    const ttl = await bed.kv.ttl(`cart:user:${who.userId}`);
    expect(ttl).toBeGreaterThan(30 * 24 * 3600 - 60);
    expect(ttl).toBeLessThanOrEqual(30 * 24 * 3600);
  });
});
