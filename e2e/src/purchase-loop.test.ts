// The purchase loop, end to end through the gateway: sign up and log in (auth), add to the cart
// (cart, prices from offer), check out (order + payment intent at the simulator), the simulator
// pays and calls the webhook through the gateway (conversion-webhook), the local broker delivers
// shop.payment.* to cart by the real Trigger manifest → the order is paid and the cart cleared.
import { DEV_STRIPE_WEBHOOK_SECRET, signStripePayload } from '@shop/conversion-webhook';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { address, type StoryPlatform, startStoryPlatform } from './testing/platform.js';

let shop: StoryPlatform;

beforeAll(async () => {
  shop = await startStoryPlatform({
    simulatorEnv: {
      // Chaos: every event delivered twice, an intent's events held and sent newest first.
      SIMULATOR_DUPLICATE_RATE: '1',
      SIMULATOR_REORDER: 'true',
      SIMULATOR_REORDER_DELAY_MS: '300',
      SIMULATOR_SEED: 'cart-loop',
    },
  });
}, 240_000);

afterAll(async () => {
  await shop?.stop();
});

const call: StoryPlatform['call'] = (method, path, options) => shop.call(method, path, options);
const signUpAndLogIn = (name: string) => shop.signUpAndLogIn(name);
const newProduct = (priceAmount: number) => shop.newProduct(priceAmount);
const simulator_ = (path: string, body?: unknown) => shop.provider(path, body);

/** The order once `done` holds for it, polling through the gateway. */
function orderWhen(
  token: string,
  id: string,
  done: (order: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  return shop.until(async () => {
    const res = await call('GET', `/api/cart/orders/${id}`, { token });
    expect(res.status).toBe(200);
    return res.body;
  }, done);
}

async function checkout(token: string, key: string) {
  const res = await call('POST', '/api/cart/checkout', {
    token,
    headers: { 'idempotency-key': key },
    body: { shippingAddress: address },
  });
  expect(res.status).toBe(201);
  return res.body as {
    order: { id: string; status: string; total: { amount: number } };
    payment: { providerPaymentId: string; redirectUrl: string; clientSecret: string };
  };
}

describe('the purchase loop through the gateway', () => {
  it('signs up, adds to the cart, checks out, pays at the provider: the order is paid and the cart cleared, once', async () => {
    const token = await signUpAndLogIn('ada');
    const kettle = await newProduct(2499);
    const mug = await newProduct(750);
    expect(
      (await call('POST', '/api/cart/items', { token, body: { productId: kettle, quantity: 2 } }))
        .status,
    ).toBe(200);
    const cartNow = await call('POST', '/api/cart/items', {
      token,
      body: { productId: mug, quantity: 1 },
    });
    expect(cartNow.body.total).toEqual({ amount: 2 * 2499 + 750, currency: 'EUR' });

    const { order, payment } = await checkout(token, crypto.randomUUID());
    expect(order.status).toBe('pending_payment');
    expect(payment.providerPaymentId).toMatch(/^pi_/);
    expect(payment.redirectUrl).toBe(`${shop.simulator.url}/pay/${payment.providerPaymentId}`);
    const intent = await simulator_(`/v1/payment_intents/${payment.providerPaymentId}`);
    expect(intent).toMatchObject({
      amount: 5748,
      currency: 'eur',
      metadata: { orderId: order.id },
    });

    await simulator_(`/v1/payment_intents/${payment.providerPaymentId}/confirm`, {});
    const paid = await orderWhen(token, order.id, (o) => o.status === 'paid');
    expect(paid.status).toBe('paid');
    const cartAfter = await call('GET', '/api/cart', { token });
    expect(cartAfter.body.items).toEqual([]);

    // The provider's event again, 5 times (signed anew), plus the simulator's own duplicate.
    await shop.simulator.settled();
    const sent = (await simulator_(`/v1/events?payment_intent=${payment.providerPaymentId}`))
      .data as { event: unknown }[];
    expect(sent.length).toBeGreaterThanOrEqual(1);
    const raw = JSON.stringify(sent[0]?.event);
    const replays = await Promise.all(
      Array.from({ length: 5 }, () =>
        fetch(`${shop.gateway.url}/webhooks/payments/stripe`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'stripe-signature': signStripePayload(raw, [DEV_STRIPE_WEBHOOK_SECRET]),
          },
          body: raw,
        }),
      ),
    );
    expect(replays.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    await new Promise((r) => setTimeout(r, 500));
    const final = await orderWhen(token, order.id, () => true);
    expect((final.transitions as { to: string }[]).map((t) => t.to)).toEqual([
      'pending_payment',
      'paid',
    ]);
    const { rows } = await shop.cart.db.query(
      `SELECT type FROM cart.outbox WHERE subject = $1 ORDER BY id`,
      [order.id],
    );
    expect(rows).toEqual([{ type: 'shop.order.created' }, { type: 'shop.order.paid' }]);
  });

  it('counts a payment and its refund delivered out of order (refund first) once each', async () => {
    const token = await signUpAndLogIn('grace');
    const kettle = await newProduct(1999);
    await call('POST', '/api/cart/items', { token, body: { productId: kettle, quantity: 1 } });
    const { order, payment } = await checkout(token, crypto.randomUUID());
    // Paid and refunded within the simulator's reorder window: the refund is delivered first.
    await simulator_(`/v1/payment_intents/${payment.providerPaymentId}/confirm`, {});
    await simulator_('/v1/refunds', { payment_intent: payment.providerPaymentId });
    const refunded = await orderWhen(token, order.id, (o) => o.status === 'refunded');
    expect(refunded.status).toBe('refunded');
    expect((refunded.transitions as { to: string }[]).map((t) => t.to)).toEqual([
      'pending_payment',
      'paid',
      'refunded',
    ]);
    await shop.simulator.settled();
    const sent = (await simulator_(`/v1/events?payment_intent=${payment.providerPaymentId}`))
      .data as { type: string; deliveries: { attempts: { at: string }[] }[] }[];
    expect(sent.map((e) => e.type).sort()).toEqual(['charge.refunded', 'payment_intent.succeeded']);
    // Each was delivered twice, the refund first.
    expect(sent.map((e) => e.deliveries.length)).toEqual([2, 2]);
    const firstAttempt = (type: string) =>
      sent
        .find((e) => e.type === type)
        ?.deliveries.flatMap((d) => d.attempts.map((a) => a.at))
        .sort()[0] ?? '';
    expect(firstAttempt('charge.refunded') <= firstAttempt('payment_intent.succeeded')).toBe(true);
    const { rows } = await shop.cart.db.query(
      `SELECT type FROM cart.outbox WHERE subject = $1 ORDER BY id`,
      [order.id],
    );
    expect(rows.map((r) => (r as { type: string }).type)).toEqual([
      'shop.order.created',
      'shop.order.paid',
      'shop.order.refunded',
    ]);
  });
});
