// Issue 10, point 4: stock is reserved at checkout, never oversold; a declined payment, an
// expired order and a cancelled one give the units back, a paid one keeps them.
import { functionAudience, type Identity, newId } from '@shop/shared';
import { testEventHeaders } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addProduct,
  address,
  createTestbed,
  intentIdOf,
  send,
  shopper,
  type Testbed,
} from '../testing/fixtures.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed.cleanup());

interface CheckoutBody {
  order: { id: string; status: string; total: { amount: number } };
}

async function addToCart(who: Identity, productId: string, quantity = 1) {
  const res = await send(bed.app, 'POST', '/api/cart/items', {
    as: who,
    body: { productId, quantity },
  });
  expect(res.status).toBe(200);
}

function checkout(who: Identity, key = newId()) {
  return send(bed.app, 'POST', '/api/cart/checkout', {
    as: who,
    body: { shippingAddress: address },
    headers: { 'idempotency-key': key },
  });
}

const stockOf = (productId: string) => bed.offer.products.get(productId)?.stock;

async function orderStatus(orderId: string): Promise<{ status: string; stock_status: string }> {
  const { rows } = await bed.db.query<{ status: string; stock_status: string }>(
    'SELECT status, stock_status FROM cart."order" WHERE id = $1',
    [orderId],
  );
  return rows[0] as { status: string; stock_status: string };
}

function deliver(
  type: 'shop.payment.succeeded' | 'shop.payment.failed',
  orderId: string,
  amount: number,
) {
  const base = {
    paymentId: newId(),
    orderId,
    provider: 'stripe',
    amount: { amount, currency: 'EUR' },
    providerPaymentId: intentIdOf(orderId),
  };
  const data =
    type === 'shop.payment.succeeded'
      ? { ...base, succeededAt: new Date().toISOString() }
      : { ...base, reason: 'card_declined', failedAt: new Date().toISOString() };
  return bed.app.request('/events', {
    method: 'POST',
    headers: {
      ...testEventHeaders(functionAudience('cart')),
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': newId(),
      'ce-source': '/shop/conversion-webhook',
      'ce-type': type,
    },
    body: JSON.stringify(data),
  });
}

async function placeOrder(stock = 3, quantity = 2) {
  const product = await addProduct(bed.offerUrl, { stock, priceAmount: 1000 });
  const who = shopper();
  await addToCart(who, product.id, quantity);
  const res = await checkout(who);
  expect(res.status).toBe(201);
  return { product, who, order: ((await res.json()) as CheckoutBody).order };
}

describe('stock at checkout (issue 10)', () => {
  it('of 20 shoppers racing for 5 units exactly 5 get an order, stock ends at 0, the others 409', async () => {
    const product = await addProduct(bed.offerUrl, { stock: 5 });
    const shoppers = Array.from({ length: 20 }, () => shopper());
    for (const who of shoppers) await addToCart(who, product.id);
    const answers = await Promise.all(shoppers.map((who) => checkout(who)));
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(15);
    expect(stockOf(product.id)).toBe(0);
    const refused = answers.find((res) => res.status === 409);
    const problem = (await refused?.json()) as { type: string; errors: { name: string }[] };
    expect(problem.type).toBe('https://shop.example/problems/out-of-stock');
    expect(problem.errors.map((e) => e.name)).toEqual([product.id]);
    // Nothing stored for the refused ones: 5 orders, 5 intents, 5 reservations.
    const { rows } = await bed.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM cart."order" WHERE items @> $1::jsonb`,
      [JSON.stringify([{ productId: product.id }])],
    );
    expect(rows[0]?.n).toBe(5);
    const reserved = [...bed.offer.reservations.values()].filter((r) =>
      r.lines.some((line) => line.productId === product.id),
    );
    expect(reserved).toHaveLength(5);
  });

  it('a 409 from offer stores nothing and releases the Idempotency-Key for a retry', async () => {
    const product = await addProduct(bed.offerUrl, { stock: 2 });
    const who = shopper();
    await addToCart(who, product.id, 2);
    // Someone else takes a unit between the cart check and the reservation.
    (bed.offer.products.get(product.id) as { stock: number }).stock = 1;
    const before = bed.payments.intents.size;
    const res = await checkout(who, 'sold-out');
    expect(res.status).toBe(409);
    expect(bed.payments.intents.size).toBe(before);
    const { rows } = await bed.db.query(`SELECT 1 FROM cart.idempotency_key WHERE user_id = $1`, [
      who.userId,
    ]);
    expect(rows).toHaveLength(0);
  });

  it('a retried checkout with the same key reserves nothing twice', async () => {
    const product = await addProduct(bed.offerUrl, { stock: 5 });
    const who = shopper();
    await addToCart(who, product.id, 2);
    const first = await checkout(who, 'same-key');
    const again = await checkout(who, 'same-key');
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(stockOf(product.id)).toBe(3);
  });

  it('a declined payment returns the units; a paid order commits them', async () => {
    const declined = await placeOrder(3, 2);
    expect(stockOf(declined.product.id)).toBe(1);
    expect((await deliver('shop.payment.failed', declined.order.id, 2000)).status).toBe(204);
    expect((await orderStatus(declined.order.id)).stock_status).toBe('release_due');
    await bed.sweep.sweep();
    expect(stockOf(declined.product.id)).toBe(3);
    expect(await orderStatus(declined.order.id)).toEqual({
      status: 'payment_failed',
      stock_status: 'released',
    });
    expect(bed.offer.reservations.get(declined.order.id)?.status).toBe('released');

    const paid = await placeOrder(3, 2);
    expect((await deliver('shop.payment.succeeded', paid.order.id, 2000)).status).toBe(204);
    await bed.sweep.sweep();
    expect(bed.offer.reservations.get(paid.order.id)?.status).toBe('committed');
    expect(stockOf(paid.product.id)).toBe(1);
    expect((await orderStatus(paid.order.id)).stock_status).toBe('committed');
  });

  it('an expired pending order is cancelled, emits shop.order.cancelled and returns the units', async () => {
    const { product, order } = await placeOrder(3, 2);
    const fresh = await placeOrder(4, 1);
    bed.sweepNow.value = new Date(Date.now() + 29 * 60_000);
    await bed.sweep.sweep();
    expect((await orderStatus(order.id)).status).toBe('pending_payment');
    bed.sweepNow.value = new Date(Date.now() + 31 * 60_000);
    try {
      await bed.sweep.sweep();
    } finally {
      bed.sweepNow.value = undefined;
    }
    expect(await orderStatus(order.id)).toEqual({ status: 'cancelled', stock_status: 'released' });
    expect(await orderStatus(fresh.order.id)).toEqual({
      status: 'cancelled',
      stock_status: 'released',
    });
    expect(stockOf(product.id)).toBe(3);
    const { rows } = await bed.db.query<{ type: string; data: { reason: string } }>(
      'SELECT type, data FROM cart.outbox WHERE subject = $1 ORDER BY id',
      [order.id],
    );
    expect(rows.map((row) => row.type)).toEqual(['shop.order.created', 'shop.order.cancelled']);
    expect(rows[1]?.data.reason).toBe('payment_timeout');
    const { rows: transitions } = await bed.db.query<{ to_status: string; reason: string }>(
      `SELECT to_status, reason FROM cart.order_transition WHERE order_id = $1 ORDER BY at, id`,
      [order.id],
    );
    expect(transitions.at(-1)).toEqual({ to_status: 'cancelled', reason: 'payment_timeout' });
    // A second sweep releases nothing twice.
    await bed.sweep.sweep();
    expect(stockOf(product.id)).toBe(3);
  });

  it('a release of a reservation offer does not know puts nothing back and is not retried', async () => {
    const { product, order } = await placeOrder(3, 2);
    await deliver('shop.payment.failed', order.id, 2000);
    const reservation = bed.offer.reservations.get(order.id);
    bed.offer.reservations.delete(order.id);
    await bed.sweep.sweep();
    // Unknown to offer: nothing to put back.
    expect((await orderStatus(order.id)).stock_status).toBe('none');
    expect(stockOf(product.id)).toBe(1);
    if (reservation) bed.offer.reservations.set(order.id, reservation);
  });
});
