import { functionAudience, type Identity, newId } from '@shop/shared';
import { testEventHeaders } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addProduct,
  address,
  changePrice,
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

interface OrderBody {
  id: string;
  status: string;
  items: { productId: string; quantity: number; unitPrice: { amount: number } }[];
  total: { amount: number; currency: string };
  clickId: string | null;
  payment: { providerPaymentId: string | null; paymentId: string | null };
  refundedAmount: number;
  transitions?: {
    from: string | null;
    to: string;
    eventId: string | null;
    reason: string | null;
  }[];
  refunds?: { providerRefundId: string; amount: { amount: number }; counted: boolean }[];
}
interface CheckoutBody {
  order: OrderBody;
  payment: {
    provider: string;
    providerPaymentId: string;
    clientSecret: string;
    redirectUrl: string;
  };
}

async function fillCart(
  who: Identity,
  items: { priceAmount?: number; quantity: number }[] = [{ quantity: 2 }],
) {
  const products = [];
  for (const item of items) {
    const p = await addProduct(bed.offerUrl, { priceAmount: item.priceAmount ?? 1000, stock: 20 });
    const res = await send(bed.app, 'POST', '/api/cart/items', {
      as: who,
      body: { productId: p.id, quantity: item.quantity },
    });
    expect(res.status).toBe(200);
    products.push(p);
  }
  return products;
}

function checkoutAs(
  who: Identity,
  key: string | undefined,
  body: unknown = { shippingAddress: address },
) {
  return send(bed.app, 'POST', '/api/cart/checkout', {
    as: who,
    body,
    headers: key ? { 'idempotency-key': key } : {},
  });
}

let eventCounter = 0;
const PAYMENT_ID = '0193a000-0000-7000-8000-000000000001';

interface EventOptions {
  id?: string;
  amount?: number;
  currency?: string;
  /** Default: the intent the fake provider made for the order. */
  providerPaymentId?: string;
  paymentId?: string;
  providerRefundId?: string;
}

const CART_AUDIENCE = functionAudience('cart');

function paymentEvent(
  type: 'shop.payment.succeeded' | 'shop.payment.failed' | 'shop.payment.refunded',
  orderId: string,
  options: EventOptions = {},
) {
  const base = {
    paymentId: options.paymentId ?? PAYMENT_ID,
    orderId,
    provider: 'stripe',
    amount: { amount: options.amount ?? 2000, currency: options.currency ?? 'EUR' },
  };
  const providerPaymentId = options.providerPaymentId ?? intentIdOf(orderId);
  const data =
    type === 'shop.payment.succeeded'
      ? { ...base, providerPaymentId, succeededAt: new Date().toISOString() }
      : type === 'shop.payment.failed'
        ? {
            ...base,
            providerPaymentId,
            reason: 'card_declined',
            failedAt: new Date().toISOString(),
          }
        : {
            ...base,
            providerRefundId: options.providerRefundId ?? `re_${crypto.randomUUID()}`,
            refundedAt: new Date().toISOString(),
          };
  eventCounter += 1;
  return {
    id: options.id ?? `evt-${eventCounter}-${crypto.randomUUID()}`,
    deliver: (
      id = options.id,
      credentials: Record<string, string> = testEventHeaders(CART_AUDIENCE),
    ) =>
      bed.app.request('/events', {
        method: 'POST',
        headers: {
          ...credentials,
          'content-type': 'application/json',
          'ce-specversion': '1.0',
          'ce-id': id ?? `evt-${eventCounter}`,
          'ce-source': '/shop/conversion-webhook',
          'ce-type': type,
        },
        body: JSON.stringify(data),
      }),
  };
}

async function deliver(
  type: 'shop.payment.succeeded' | 'shop.payment.failed' | 'shop.payment.refunded',
  orderId: string,
  id: string = crypto.randomUUID(),
  amount?: number,
  options: EventOptions = {},
) {
  return paymentEvent(type, orderId, {
    ...options,
    id,
    ...(amount !== undefined && { amount }),
  }).deliver(id);
}

async function order(who: Identity, id: string): Promise<OrderBody> {
  const res = await send(bed.app, 'GET', `/api/cart/orders/${id}`, { as: who });
  expect(res.status).toBe(200);
  return (await res.json()) as OrderBody;
}

async function outboxTypes(orderId: string): Promise<string[]> {
  const { rows } = await bed.db.query<{ type: string }>(
    'SELECT type FROM cart.outbox WHERE subject = $1 ORDER BY id',
    [orderId],
  );
  return rows.map((r) => r.type);
}

describe('checkout', () => {
  it('turns the cart into a pending order with current prices, an outbox event and a payment intent', async () => {
    const who = shopper();
    const [a, b] = await fillCart(who, [
      { priceAmount: 1000, quantity: 2 },
      { priceAmount: 250, quantity: 1 },
    ]);
    await changePrice(bed.offerUrl, a?.id ?? '', 1100);
    const clickId = newId();
    const res = await checkoutAs(who, 'k-1', { shippingAddress: address, clickId });
    expect(res.status).toBe(201);
    const body = (await res.json()) as CheckoutBody;
    expect(body.order).toMatchObject({
      status: 'pending_payment',
      total: { amount: 2 * 1100 + 250, currency: 'EUR' },
      clickId,
    });
    expect(body.order.items.map((i) => [i.productId, i.quantity, i.unitPrice.amount])).toEqual([
      [a?.id, 2, 1100],
      [b?.id, 1, 250],
    ]);
    const intent = bed.payments.intents.get(body.order.id);
    expect(body.payment).toEqual({
      provider: 'stripe',
      providerPaymentId: intent?.id,
      clientSecret: intent?.clientSecret,
      redirectUrl: intent?.redirectUrl,
    });
    expect(intent).toMatchObject({ amount: 2450, currency: 'EUR' });
    expect(await outboxTypes(body.order.id)).toEqual(['shop.order.created']);
    // The cart stays until the order is paid.
    const cart = (await (await send(bed.app, 'GET', '/api/cart', { as: who })).json()) as {
      itemCount: number;
    };
    expect(cart.itemCount).toBe(3);
    const stored = await order(who, body.order.id);
    expect(stored.payment.providerPaymentId).toBe(intent?.id);
    expect(stored.transitions).toMatchObject([{ from: null, to: 'pending_payment' }]);
  });

  it('takes the click id from the __Host-click cookie', async () => {
    const who = shopper();
    await fillCart(who);
    const clickId = newId();
    const res = await send(bed.app, 'POST', '/api/cart/checkout', {
      as: who,
      body: { shippingAddress: address },
      headers: { 'idempotency-key': 'cookie-click', cookie: `__Host-click=${clickId}` },
    });
    expect(((await res.json()) as CheckoutBody).order.clickId).toBe(clickId);
  });

  it('needs a signed-in user, an Idempotency-Key, a valid address and a non-empty cart', async () => {
    const who = shopper();
    expect(
      (
        await send(bed.app, 'POST', '/api/cart/checkout', {
          body: { shippingAddress: address },
          headers: { 'idempotency-key': 'x' },
        })
      ).status,
    ).toBe(401);
    const missing = await checkoutAs(who, undefined);
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { detail: string }).detail).toMatch(/Idempotency-Key/);
    expect(
      (await checkoutAs(who, 'e-1', { shippingAddress: { ...address, country: 'Germany' } }))
        .status,
    ).toBe(400);
    expect((await checkoutAs(who, 'e-2', { shippingAddress: address, total: 1 })).status).toBe(400);
    // Only assigned ISO 3166-1 codes, in upper case; text without control characters or lone
    // surrogates (each a 400, never a 500 from the database).
    for (const change of [
      { country: 'de' },
      { country: 'EU' },
      { country: 'XK' },
      { country: 'ZZ' },
      { name: 'Ada\u0000' },
      { city: 'Berlin\ud800' },
      { line2: 'Hof\u001b' },
    ]) {
      const res = await checkoutAs(who, 'e-4', { shippingAddress: { ...address, ...change } });
      expect(res.status, JSON.stringify(change)).toBe(400);
    }
    const empty = await checkoutAs(who, 'e-3');
    expect(empty.status).toBe(422);
    // A failed checkout does not burn its key: after filling the cart it works.
    await fillCart(who);
    expect((await checkoutAs(who, 'e-3')).status).toBe(201);
  });

  it('replays the same response for the same key and body, and refuses another body with 422', async () => {
    const who = shopper();
    await fillCart(who);
    const first = await checkoutAs(who, 'same-key');
    const firstBody = await first.json();
    const second = await checkoutAs(who, 'same-key');
    expect(second.status).toBe(201);
    expect(await second.json()).toEqual(firstBody);
    const other = await checkoutAs(who, 'same-key', {
      shippingAddress: { ...address, city: 'Hamburg' },
    });
    expect(other.status).toBe(422);
    const { rows } = await bed.db.query('SELECT id FROM cart."order" WHERE user_id = $1', [
      who.userId,
    ]);
    expect(rows).toHaveLength(1);
    // Keys are per user: another shopper's same key is theirs.
    const someoneElse = shopper();
    await fillCart(someoneElse);
    expect((await checkoutAs(someoneElse, 'same-key')).status).toBe(201);
  });

  it('makes one order from concurrent retries: the others get 409 or the same response', async () => {
    const who = shopper();
    await fillCart(who);
    bed.payments.delayMs = 50;
    try {
      const results = await Promise.all(Array.from({ length: 8 }, () => checkoutAs(who, 'race')));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
      expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
      const conflict = results.find((r) => r.status === 409);
      if (conflict) expect(conflict.headers.get('retry-after')).toBe('1');
    } finally {
      bed.payments.delayMs = 0;
    }
    const { rows } = await bed.db.query('SELECT id FROM cart."order" WHERE user_id = $1', [
      who.userId,
    ]);
    expect(rows).toHaveLength(1);
    // After the race, the same key answers the one order.
    const replay = (await (await checkoutAs(who, 'race')).json()) as CheckoutBody;
    expect(replay.order.id).toBe((rows[0] as { id: string }).id);
  });

  it('resumes after a provider outage with the same key, without a second order or intent', async () => {
    const who = shopper();
    await fillCart(who);
    bed.payments.failNext = 1;
    const failed = await checkoutAs(who, 'outage');
    expect(failed.status).toBe(502);
    const retried = await checkoutAs(who, 'outage');
    expect(retried.status).toBe(201);
    const { rows } = await bed.db.query('SELECT id FROM cart."order" WHERE user_id = $1', [
      who.userId,
    ]);
    expect(rows).toHaveLength(1);
    expect(((await retried.json()) as CheckoutBody).order.id).toBe((rows[0] as { id: string }).id);
  });
});

describe('orders', () => {
  it('lists my orders and answers 404 for someone else’s', async () => {
    const me = shopper();
    const other = shopper();
    await fillCart(me);
    const mine = ((await (await checkoutAs(me, 'list')).json()) as CheckoutBody).order;
    const list = (await (await send(bed.app, 'GET', '/api/cart/orders', { as: me })).json()) as {
      items: OrderBody[];
    };
    expect(list.items.map((o) => o.id)).toEqual([mine.id]);
    expect((await send(bed.app, 'GET', `/api/cart/orders/${mine.id}`, { as: other })).status).toBe(
      404,
    );
    expect((await send(bed.app, 'GET', `/api/cart/orders/${newId()}`, { as: me })).status).toBe(
      404,
    );
    expect((await send(bed.app, 'GET', '/api/cart/orders/nope', { as: me })).status).toBe(404);
    expect((await send(bed.app, 'GET', '/api/cart/orders')).status).toBe(401);
  });
});

describe('payment events', () => {
  async function pendingOrder(who: Identity, key: string) {
    await fillCart(who);
    return ((await (await checkoutAs(who, key)).json()) as CheckoutBody).order;
  }

  it('marks the order paid, emits shop.order.paid and clears the cart', async () => {
    const who = shopper();
    const placed = await pendingOrder(who, 'pay');
    const res = await deliver('shop.payment.succeeded', placed.id);
    expect(res.status).toBe(204);
    const paid = await order(who, placed.id);
    expect(paid.status).toBe('paid');
    expect(paid.payment.paymentId).toBe('0193a000-0000-7000-8000-000000000001');
    expect(await outboxTypes(placed.id)).toEqual(['shop.order.created', 'shop.order.paid']);
    const cart = (await (await send(bed.app, 'GET', '/api/cart', { as: who })).json()) as {
      items: unknown[];
    };
    expect(cart.items).toEqual([]);
  });

  it('counts an event delivered 5 times once: one transition, one event', async () => {
    const who = shopper();
    const placed = await pendingOrder(who, 'dup');
    const id = crypto.randomUUID();
    const statuses = await Promise.all(
      Array.from({ length: 5 }, () => deliver('shop.payment.succeeded', placed.id, id)),
    );
    expect(statuses.every((r) => r.status === 204)).toBe(true);
    const paid = await order(who, placed.id);
    expect(paid.transitions?.map((t) => t.to)).toEqual(['pending_payment', 'paid']);
    expect(await outboxTypes(placed.id)).toEqual(['shop.order.created', 'shop.order.paid']);
  });

  it('moves a failed payment to payment_failed, and a later success to paid', async () => {
    const who = shopper();
    const placed = await pendingOrder(who, 'fail');
    await deliver('shop.payment.failed', placed.id);
    expect((await order(who, placed.id)).status).toBe('payment_failed');
    // The cart is kept after a failed payment.
    const cart = (await (await send(bed.app, 'GET', '/api/cart', { as: who })).json()) as {
      itemCount: number;
    };
    expect(cart.itemCount).toBe(2);
    await deliver('shop.payment.succeeded', placed.id);
    // A late failure after the success changes nothing.
    await deliver('shop.payment.failed', placed.id);
    const final = await order(who, placed.id);
    expect(final.status).toBe('paid');
    expect(final.transitions?.map((t) => t.to)).toEqual([
      'pending_payment',
      'payment_failed',
      'paid',
    ]);
    expect(await outboxTypes(placed.id)).toEqual([
      'shop.order.created',
      'shop.order.payment_failed',
      'shop.order.paid',
    ]);
  });

  it('refunds a paid order, and keeps a refund that arrives before the payment until it is paid', async () => {
    const who = shopper();
    const placed = await pendingOrder(who, 'refund-early');
    expect((await deliver('shop.payment.refunded', placed.id, undefined, 2000)).status).toBe(204);
    expect((await order(who, placed.id)).status).toBe('pending_payment');
    await deliver('shop.payment.succeeded', placed.id);
    const final = await order(who, placed.id);
    expect(final.status).toBe('refunded');
    expect(final.transitions?.map((t) => t.to)).toEqual(['pending_payment', 'paid', 'refunded']);
    expect(await outboxTypes(placed.id)).toEqual([
      'shop.order.created',
      'shop.order.paid',
      'shop.order.refunded',
    ]);
  });

  it('keeps an event for an order that does not exist yet and applies it when the order is created', async () => {
    const who = shopper();
    const orderId = newId();
    expect((await deliver('shop.payment.succeeded', orderId)).status).toBe(204);
    const { rows } = await bed.db.query(
      'SELECT type FROM cart.pending_payment_event WHERE order_id = $1',
      [orderId],
    );
    expect(rows).toEqual([{ type: 'shop.payment.succeeded' }]);
    await fillCart(who);
    bed.nextOrderId.value = orderId;
    const created = (await (await checkoutAs(who, 'early-webhook')).json()) as CheckoutBody;
    expect(created.order.id).toBe(orderId);
    expect(created.order.status).toBe('paid');
    expect(await outboxTypes(orderId)).toEqual(['shop.order.created', 'shop.order.paid']);
    const left = await bed.db.query(
      'SELECT 1 FROM cart.pending_payment_event WHERE order_id = $1',
      [orderId],
    );
    expect(left.rows).toEqual([]);
  });

  it('refuses a forged shop.payment.succeeded with the right source but no valid OIDC token: the order stays unpaid', async () => {
    const who = shopper();
    const placed = await pendingOrder(who, 'forged');
    const forged: [string, Record<string, string>, number][] = [
      ['no token', {}, 401],
      ['a token for another audience', testEventHeaders(functionAudience('auth')), 401],
      ['an expired token', testEventHeaders(CART_AUDIENCE, { ttlSeconds: -120 }), 401],
      [
        'a token of another issuer',
        testEventHeaders(CART_AUDIENCE, { issuer: 'https://evil.test' }),
        401,
      ],
      [
        'a token signed with an unpublished key',
        testEventHeaders(CART_AUDIENCE, { foreignKey: true }),
        401,
      ],
      [
        'a sender no EventPolicy allows (the real producer publishing straight to cart)',
        testEventHeaders(CART_AUDIENCE, {
          subject:
            'system:serviceaccount:shop:conversion-webhook-oidc-sources.knative.dev-sinkbinding',
        }),
        403,
      ],
    ];
    for (const [label, credentials, status] of forged) {
      const res = await paymentEvent('shop.payment.succeeded', placed.id).deliver(
        crypto.randomUUID(),
        credentials,
      );
      expect(res.status, label).toBe(status);
    }
    const unpaid = await order(who, placed.id);
    expect(unpaid.status).toBe('pending_payment');
    expect(await outboxTypes(placed.id)).toEqual(['shop.order.created']);
    const { rows } = await bed.db.query(
      'SELECT 1 FROM cart.pending_payment_event WHERE order_id = $1',
      [placed.id],
    );
    expect(rows).toEqual([]);
  });

  it('refuses an event whose data does not match the catalog with 400', async () => {
    const res = await bed.app.request('/events', {
      method: 'POST',
      headers: {
        ...testEventHeaders(CART_AUDIENCE),
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-id': 'bad-1',
        'ce-source': '/shop/conversion-webhook',
        'ce-type': 'shop.payment.succeeded',
      },
      body: JSON.stringify({ orderId: 'nope' }),
    });
    expect(res.status).toBe(400);
  });
});

describe('payment events are checked against their order (issue 10)', () => {
  /** A signed-in shopper's pending order of `total` (one line). */
  async function pendingOrderOf(total: number) {
    const who = shopper();
    await fillCart(who, [{ priceAmount: total, quantity: 1 }]);
    const res = await checkoutAs(who, crypto.randomUUID());
    expect(res.status).toBe(201);
    return { who, placed: ((await res.json()) as CheckoutBody).order };
  }

  async function mismatches(orderId: string) {
    const { rows } = await bed.db.query<{ data: Record<string, unknown> }>(
      `SELECT data FROM cart.outbox WHERE subject = $1 AND type = 'shop.order.payment_mismatched'
       ORDER BY id`,
      [orderId],
    );
    return rows.map((r) => r.data);
  }

  async function paidOrderOf(total: number) {
    const { who, placed } = await pendingOrderOf(total);
    expect((await deliver('shop.payment.succeeded', placed.id, undefined, total)).status).toBe(204);
    expect((await order(who, placed.id)).status).toBe('paid');
    return { who, placed };
  }

  it('does not pay a 4,990 order with a success for 1 cent: payment_review and shop.order.payment_mismatched', async () => {
    const { who, placed } = await pendingOrderOf(4990);
    expect(placed.payment.providerPaymentId).toBe(intentIdOf(placed.id));
    expect((await deliver('shop.payment.succeeded', placed.id, undefined, 1)).status).toBe(204);
    const reviewed = await order(who, placed.id);
    expect(reviewed.status).toBe('payment_review');
    expect(reviewed.payment.paymentId).toBeNull();
    expect(reviewed.transitions?.map((t) => t.to)).toEqual(['pending_payment', 'payment_review']);
    expect(reviewed.transitions?.[1]?.reason).toBe(
      'amount_mismatch: received 1 EUR, expected 4990 EUR',
    );
    expect(await outboxTypes(placed.id)).toEqual([
      'shop.order.created',
      'shop.order.payment_mismatched',
    ]);
    expect(await mismatches(placed.id)).toEqual([
      expect.objectContaining({
        paymentEventType: 'shop.payment.succeeded',
        providerPaymentId: intentIdOf(placed.id),
        reasons: ['amount_mismatch'],
        expected: { amount: 4990, currency: 'EUR' },
        received: { amount: 1, currency: 'EUR' },
        status: 'payment_review',
      }),
    ]);
    // Not paid, so the cart stays.
    const cart = (await (await send(bed.app, 'GET', '/api/cart', { as: who })).json()) as {
      itemCount: number;
    };
    expect(cart.itemCount).toBe(1);
  });

  it('does not pay with the right amount in another currency', async () => {
    const { who, placed } = await pendingOrderOf(4990);
    await deliver('shop.payment.succeeded', placed.id, undefined, 4990, { currency: 'USD' });
    expect((await order(who, placed.id)).status).toBe('payment_review');
    expect(await mismatches(placed.id)).toEqual([
      expect.objectContaining({ reasons: ['currency_mismatch'] }),
    ]);
  });

  it('does not pay order B with order A’s payment intent (metadata.orderId pointing at B)', async () => {
    const a = await pendingOrderOf(2500);
    const b = await pendingOrderOf(2500);
    await deliver('shop.payment.succeeded', b.placed.id, undefined, 2500, {
      providerPaymentId: intentIdOf(a.placed.id),
    });
    expect((await order(b.who, b.placed.id)).status).toBe('payment_review');
    expect((await order(a.who, a.placed.id)).status).toBe('pending_payment');
    expect(await mismatches(b.placed.id)).toEqual([
      expect.objectContaining({
        reasons: ['payment_intent_mismatch'],
        providerPaymentId: intentIdOf(a.placed.id),
      }),
    ]);
    // B's own payment, for its exact total, still pays it.
    await deliver('shop.payment.succeeded', b.placed.id, undefined, 2500);
    const paid = await order(b.who, b.placed.id);
    expect(paid.status).toBe('paid');
    expect(paid.transitions?.map((t) => t.to)).toEqual([
      'pending_payment',
      'payment_review',
      'paid',
    ]);
  });

  it('records a mismatched success on a paid order without changing it', async () => {
    const { who, placed } = await paidOrderOf(3000);
    await deliver('shop.payment.succeeded', placed.id, undefined, 1);
    const kept = await order(who, placed.id);
    expect(kept.status).toBe('paid');
    expect(kept.transitions?.map((t) => t.to)).toEqual(['pending_payment', 'paid']);
    expect(await mismatches(placed.id)).toEqual([
      expect.objectContaining({ reasons: ['amount_mismatch'], status: 'paid' }),
    ]);
  });

  it('accumulates two partial refunds: partially_refunded with the sum, then refunded at full', async () => {
    const { who, placed } = await paidOrderOf(5000);
    await deliver('shop.payment.refunded', placed.id, undefined, 1000);
    const first = await order(who, placed.id);
    expect(first.status).toBe('partially_refunded');
    expect(first.refundedAmount).toBe(1000);
    await deliver('shop.payment.refunded', placed.id, undefined, 1500);
    const second = await order(who, placed.id);
    expect(second.status).toBe('partially_refunded');
    expect(second.refundedAmount).toBe(2500);
    await deliver('shop.payment.refunded', placed.id, undefined, 2500);
    const full = await order(who, placed.id);
    expect(full.status).toBe('refunded');
    expect(full.refundedAmount).toBe(5000);
    expect(full.transitions?.map((t) => t.to)).toEqual([
      'pending_payment',
      'paid',
      'partially_refunded',
      'partially_refunded',
      'refunded',
    ]);
    expect(full.refunds?.map((r) => [r.amount.amount, r.counted])).toEqual([
      [1000, true],
      [1500, true],
      [2500, true],
    ]);
    expect(await outboxTypes(placed.id)).toEqual([
      'shop.order.created',
      'shop.order.paid',
      'shop.order.refunded',
      'shop.order.refunded',
      'shop.order.refunded',
    ]);
  });

  it('does not apply an over-refund: not counted, the order keeps its status, an event says why', async () => {
    const { who, placed } = await paidOrderOf(5000);
    await deliver('shop.payment.refunded', placed.id, undefined, 4000);
    await deliver('shop.payment.refunded', placed.id, undefined, 1001);
    const after = await order(who, placed.id);
    expect(after.status).toBe('partially_refunded');
    expect(after.refundedAmount).toBe(4000);
    expect(after.refunds?.map((r) => [r.amount.amount, r.counted])).toEqual([
      [4000, true],
      [1001, false],
    ]);
    expect(await mismatches(placed.id)).toEqual([
      expect.objectContaining({
        paymentEventType: 'shop.payment.refunded',
        reasons: ['refund_exceeds_captured'],
        expected: { amount: 1000, currency: 'EUR' },
        received: { amount: 1001, currency: 'EUR' },
        status: 'partially_refunded',
      }),
    ]);
    // More than the whole order at once, and a refund of another payment: not counted either.
    const other = await paidOrderOf(2000);
    await deliver('shop.payment.refunded', other.placed.id, undefined, 2001);
    await deliver('shop.payment.refunded', other.placed.id, undefined, 500, {
      paymentId: '0193a000-0000-7000-8000-0000000000ff',
    });
    const untouched = await order(other.who, other.placed.id);
    expect(untouched.status).toBe('paid');
    expect(untouched.refundedAmount).toBe(0);
    expect((await mismatches(other.placed.id)).map((m) => m.reasons)).toEqual([
      ['refund_exceeds_captured'],
      ['refund_of_another_payment'],
    ]);
  });

  it('counts the same refund once: the same event twice, and its refund id in another event', async () => {
    const { who, placed } = await paidOrderOf(5000);
    const providerRefundId = `re_${crypto.randomUUID()}`;
    const refund = paymentEvent('shop.payment.refunded', placed.id, {
      amount: 1000,
      providerRefundId,
    });
    expect((await refund.deliver(refund.id)).status).toBe(204);
    expect((await refund.deliver(refund.id)).status).toBe(204);
    const again = paymentEvent('shop.payment.refunded', placed.id, {
      amount: 1000,
      providerRefundId,
    });
    expect((await again.deliver(again.id)).status).toBe(204);
    const after = await order(who, placed.id);
    expect(after.status).toBe('partially_refunded');
    expect(after.refundedAmount).toBe(1000);
    expect(after.refunds).toHaveLength(1);
    expect(await outboxTypes(placed.id)).toEqual([
      'shop.order.created',
      'shop.order.paid',
      'shop.order.refunded',
    ]);
  });

  it('lets only the order’s own intent fail it', async () => {
    const { who, placed } = await pendingOrderOf(1200);
    await deliver('shop.payment.failed', placed.id, undefined, 1200, {
      providerPaymentId: 'pi_of_someone_else',
    });
    expect((await order(who, placed.id)).status).toBe('pending_payment');
  });
});
