// The business counters on /metrics after real checkouts and payment events: each fact counted
// once, after its transaction committed, whatever is delivered again.
import { createMetrics, type Identity, type KeyValue, newId } from '@shop/shared';
import { testEventHeaders, testKeyValue } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addProduct,
  address,
  createTestbed,
  intentIdOf,
  send,
  shopper,
  type Testbed,
} from './testing/fixtures.js';

let bed: Testbed;
const store = testKeyValue();
// The key-value store of the app, whose next `del` (paid: the cart is cleared) can fail.
let failNextDel = false;
const kv: KeyValue = new Proxy(store.kv, {
  get(target, name, receiver) {
    if (name === 'del') {
      return async (...args: Parameters<KeyValue['del']>) => {
        if (failNextDel) {
          failNextDel = false;
          throw new Error('the key-value store is down');
        }
        return target.del(...args);
      };
    }
    return Reflect.get(target, name, receiver);
  },
});

beforeAll(async () => {
  bed = await createTestbed({
    kv,
    metrics: createMetrics({ service: 'cart' }),
    currencies: ['EUR', 'CHF'],
  });
});
afterAll(async () => {
  await bed.cleanup();
  await store.cleanup();
});

/** The value of one series of `/metrics`, 0 when it is not there. */
async function series(name: string, currency = 'EUR'): Promise<number> {
  const text = await (await bed.app.request('/metrics')).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && l.includes(`currency="${currency}"`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

const ORDERS = 'shop_orders_created_total';
const REVENUE = 'shop_revenue_minor_units_total';
const REFUNDS = 'shop_refunds_minor_units_total';

async function placeOrder(who: Identity, key: string, priceAmount: number, quantity = 1) {
  const product = await addProduct(bed.offerUrl, { priceAmount, stock: 20 });
  const added = await send(bed.app, 'POST', '/api/cart/items', {
    as: who,
    body: { productId: product.id, quantity },
  });
  expect(added.status).toBe(200);
  return checkout(who, key);
}

async function checkout(who: Identity, key: string) {
  const res = await send(bed.app, 'POST', '/api/cart/checkout', {
    as: who,
    body: { shippingAddress: address },
    headers: { 'idempotency-key': key },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { order: { id: string; total: { amount: number } } }).order;
}

function deliver(
  type: 'shop.payment.succeeded' | 'shop.payment.refunded',
  orderId: string,
  amount: number,
  options: { id?: string; providerRefundId?: string } = {},
) {
  const base = {
    paymentId: '0193a000-0000-7000-8000-000000000001',
    orderId,
    provider: 'stripe',
    amount: { amount, currency: 'EUR' },
  };
  const data =
    type === 'shop.payment.succeeded'
      ? { ...base, providerPaymentId: intentIdOf(orderId), succeededAt: new Date().toISOString() }
      : {
          ...base,
          providerRefundId: options.providerRefundId ?? `re_${crypto.randomUUID()}`,
          refundedAt: new Date().toISOString(),
        };
  return bed.app.request('/events', {
    method: 'POST',
    headers: {
      ...testEventHeaders('serving.knative.dev/service/shop/cart'),
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': options.id ?? crypto.randomUUID(),
      'ce-source': '/shop/conversion-webhook',
      'ce-type': type,
    },
    body: JSON.stringify(data),
  });
}

describe('business counters on /metrics', () => {
  it('starts every counter at 0 for each currency the shop sells in', async () => {
    const text = await (await bed.app.request('/metrics')).text();
    for (const name of [ORDERS, REVENUE, REFUNDS]) {
      expect(text).toContain(`# TYPE ${name} counter`);
      for (const currency of ['EUR', 'CHF']) {
        expect(text).toMatch(new RegExp(`^${name}\\{currency="${currency}"[^}]*\\} \\d+$`, 'm'));
      }
    }
  });

  it('counts an order once at checkout, not again when the same checkout is replayed', async () => {
    const before = await series(ORDERS);
    const who = shopper();
    await placeOrder(who, 'count-once', 1500);
    expect(await series(ORDERS)).toBe(before + 1);
    await checkout(who, 'count-once');
    expect(await series(ORDERS)).toBe(before + 1);
  });

  it('adds exactly the order total to revenue when it is paid, once for a payment delivered 3 times', async () => {
    const before = await series(REVENUE);
    const chf = await series(REVENUE, 'CHF');
    const placed = await placeOrder(shopper(), 'paid-once', 1250, 2);
    expect(placed.total.amount).toBe(2500);
    expect(await series(REVENUE)).toBe(before);
    const id = crypto.randomUUID();
    for (let i = 0; i < 3; i++) {
      expect((await deliver('shop.payment.succeeded', placed.id, 2500, { id })).status).toBe(204);
    }
    expect(await series(REVENUE)).toBe(before + 2500);
    expect(await series(REVENUE, 'CHF')).toBe(chf);
  });

  it('does not count a payment for another amount (payment_review), nor a second success', async () => {
    const before = await series(REVENUE);
    const placed = await placeOrder(shopper(), 'mismatch', 4990);
    expect((await deliver('shop.payment.succeeded', placed.id, 1)).status).toBe(204);
    expect(await series(REVENUE)).toBe(before);
    const paid = await placeOrder(shopper(), 'twice', 700);
    await deliver('shop.payment.succeeded', paid.id, 700);
    await deliver('shop.payment.succeeded', paid.id, 700);
    expect(await series(REVENUE)).toBe(before + 700);
  });

  it('counts nothing for a handling that rolled back, and once for its redelivery', async () => {
    const before = await series(REVENUE);
    const placed = await placeOrder(shopper(), 'rolled-back', 900);
    const id = crypto.randomUUID();
    failNextDel = true;
    expect((await deliver('shop.payment.succeeded', placed.id, 900, { id })).status).toBe(500);
    expect(await series(REVENUE)).toBe(before);
    expect((await deliver('shop.payment.succeeded', placed.id, 900, { id })).status).toBe(204);
    expect(await series(REVENUE)).toBe(before + 900);
  });

  it('counts a payment that came before its order once, when checkout applies it', async () => {
    const before = await series(REVENUE);
    const orderId = newId();
    expect((await deliver('shop.payment.succeeded', orderId, 3000)).status).toBe(204);
    expect(await series(REVENUE)).toBe(before);
    bed.nextOrderId.value = orderId;
    const placed = await placeOrder(shopper(), 'early-payment', 3000);
    expect(placed.id).toBe(orderId);
    expect(await series(REVENUE)).toBe(before + 3000);
  });

  it('counts a refund kept until its payment once, with the payment that applies it', async () => {
    const revenue = await series(REVENUE);
    const refunds = await series(REFUNDS);
    const placed = await placeOrder(shopper(), 'refund-first', 2000);
    expect((await deliver('shop.payment.refunded', placed.id, 2000)).status).toBe(204);
    expect(await series(REFUNDS)).toBe(refunds);
    expect((await deliver('shop.payment.succeeded', placed.id, 2000)).status).toBe(204);
    expect(await series(REVENUE)).toBe(revenue + 2000);
    expect(await series(REFUNDS)).toBe(refunds + 2000);
  });

  it('adds each applied refund once, and neither a repeated refund nor an over-refund', async () => {
    const before = await series(REFUNDS);
    const placed = await placeOrder(shopper(), 'refunds', 5000);
    await deliver('shop.payment.succeeded', placed.id, 5000);
    const providerRefundId = `re_${crypto.randomUUID()}`;
    expect(
      (await deliver('shop.payment.refunded', placed.id, 1000, { providerRefundId })).status,
    ).toBe(204);
    expect(
      (await deliver('shop.payment.refunded', placed.id, 1000, { providerRefundId })).status,
    ).toBe(204);
    expect(await series(REFUNDS)).toBe(before + 1000);
    expect((await deliver('shop.payment.refunded', placed.id, 4001)).status).toBe(204);
    expect(await series(REFUNDS)).toBe(before + 1000);
    await deliver('shop.payment.refunded', placed.id, 4000);
    expect(await series(REFUNDS)).toBe(before + 5000);
  });
});
