// ARCHITECTURE's first story, from the affiliate link to the affiliate's credit, through the
// gateway: a visitor follows /r/summer-sale (302 with a click id; the click goes to the
// analytics topic), signs up, checks out with the click id the storefront kept, pays at the
// provider; the webhook's shop.payment.succeeded reaches cart and attribution by their Triggers,
// the click reached attribution through the KafkaSource, and attribution publishes
// shop.conversion.attributed crediting the demo affiliate to the cent. A partial refund staff
// make through the gateway (cart asks the provider, its webhook comes back) then takes back its
// share. On the in-memory log in `npm test`, on real Kafka in `test:integration`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  address,
  type CarriedEvent,
  type StoryPlatform,
  startStoryPlatform,
} from './testing/platform.js';

const BROWSER =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

let shop: StoryPlatform;

// Eight functions, the broker and their databases: slow on a busy machine.
beforeAll(async () => {
  shop = await startStoryPlatform();
}, 240_000);

afterAll(async () => {
  await shop?.stop();
});

/** The latest version of `type` for the order, once `done` holds for it. */
async function eventFor(type: string, orderId: string, done: (event: CarriedEvent) => boolean) {
  const events = await shop.until(
    async () => (await shop.brokerEvents(type)).filter((e) => e.data.orderId === orderId),
    (found) => found.some(done),
  );
  const latest = events
    .filter(done)
    .sort((a, b) => Number(b.data.version) - Number(a.data.version))[0];
  if (!latest) {
    // What the broker did carry, and what attribution knows, so a failure names the missing hop.
    const carried = (await shop.brokerEvents()).map((e) => `${e.type} from ${e.source}`);
    const known = await shop.call('GET', `/api/admin/attribution/orders/${orderId}`, {
      token: await shop.asStaff(),
    });
    throw new Error(
      `no ${type} for order ${orderId}; the broker carried: ${carried.join(', ')}; attribution answers ${known.status} ${JSON.stringify(known.body)}`,
    );
  }
  return latest as CarriedEvent;
}

describe('the first story: an affiliate link to the affiliate credited', () => {
  it('credits the click that brought the shopper with the whole sale, and a refund takes its share back', async () => {
    // 1. The visitor follows the affiliate's link.
    const followed = await fetch(`${shop.gateway.url}/r/summer-sale`, {
      redirect: 'manual',
      headers: { 'user-agent': BROWSER, 'accept-language': 'en-GB' },
    });
    expect(followed.status).toBe(302);
    const landing = new URL(followed.headers.get('location') ?? '');
    const clickId = landing.searchParams.get('shop_click');
    expect(clickId).toMatch(/^[0-9a-f-]{36}$/);
    expect(landing.searchParams.get('utm_source')).toBe('demo-affiliate');

    // The landing page records the visit with the site's write key, as a stock Segment client
    // does through the gateway's public path (the click id and UTM ride in the page URL).
    const writeKey = await shop.writeKey();
    const anonymousId = crypto.randomUUID();
    const segment = (path: string, body: Record<string, unknown>) =>
      fetch(`${shop.gateway.url}/api/analytics/v1/${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
        },
        body: JSON.stringify({ messageId: crypto.randomUUID(), anonymousId, ...body }),
      });
    const viewed = await segment('page', {
      name: 'Summer sale',
      properties: { url: landing.href },
      context: { page: { url: landing.href, path: landing.pathname }, userAgent: BROWSER },
      timestamp: new Date().toISOString(),
    });
    expect(viewed.status).toBe(200);
    // The affiliate earns 10 % (basis points, set by staff).
    const rate = await shop.call(
      'PUT',
      '/api/admin/attribution/commission-rates/affiliate/demo-affiliate',
      {
        token: await shop.asStaff(),
        body: { basisPoints: 1000 },
      },
    );
    expect(rate.status).toBe(201);

    // 2. They sign up, fill the cart and check out with the click id their browser kept.
    const token = await shop.signUpAndLogIn('story');
    // At sign-up the site tells analytics who the anonymous visitor is.
    const userId = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).sub;
    expect((await segment('identify', { userId, traits: {} })).status).toBe(200);
    const kettle = await shop.newProduct(3333);
    const added = await shop.call('POST', '/api/cart/items', {
      token,
      body: { productId: kettle, quantity: 3 },
    });
    expect(added.status).toBe(200);
    const checkout = await shop.call('POST', '/api/cart/checkout', {
      token,
      headers: { 'idempotency-key': `story-${clickId}`, 'x-request-id': `checkout-${clickId}` },
      body: { shippingAddress: address, clickId },
    });
    expect(checkout.status).toBe(201);
    const { order, payment } = checkout.body as {
      order: { id: string; total: { amount: number; currency: string }; clickId: string };
      payment: { providerPaymentId: string };
    };
    expect(order.total.amount).toBe(9999);
    expect(order.clickId).toBe(clickId);

    // 3. They pay at the provider; its webhook comes back through the gateway.
    await shop.provider(`/v1/payment_intents/${payment.providerPaymentId}/confirm`, {});
    const paid = await shop.until(
      () => shop.call('GET', `/api/cart/orders/${order.id}`, { token }),
      (answer) => answer.body.status === 'paid',
    );
    expect(paid.body.status).toBe('paid');

    // 4. attribution credits the affiliate's click with the whole sale (last click, one touch).
    const attributed = await eventFor(
      'shop.conversion.attributed',
      order.id,
      (e) => (e.data.touchpoints as unknown[]).length > 0,
    );
    expect(attributed.source).toBe('/shop/attribution');
    expect(attributed.data).toMatchObject({
      orderId: order.id,
      model: 'last_click',
      revenue: { amount: 9999, currency: order.total.currency },
      // 10 % of 99.99, rounded half up to the cent.
      commission: { amount: 1000, currency: order.total.currency },
    });
    const touches = attributed.data.touchpoints as {
      clickId: string;
      affiliateId: string | null;
      campaign: string | null;
      credit: number;
    }[];
    expect(touches).toEqual([
      expect.objectContaining({
        clickId,
        affiliateId: 'demo-affiliate',
        campaign: 'summer-sale',
        credit: 9999,
        commission: 1000,
      }),
    ]);
    // Each event names the request that started its work: the order the checkout request, and
    // the sale's chain (payment → order paid → attributed) the provider's webhook request.
    const created = (await shop.brokerEvents('shop.order.created')).find(
      (e) => e.data.orderId === order.id,
    );
    expect(created?.requestid).toBe(`checkout-${clickId}`);
    const succeeded = (await shop.brokerEvents('shop.payment.succeeded')).find(
      (e) => e.data.orderId === order.id,
    );
    expect(succeeded?.requestid).toMatch(/^[\w\-.:]{1,128}$/);
    const orderPaid = (await shop.brokerEvents('shop.order.paid')).find(
      (e) => e.data.orderId === order.id,
    );
    expect(orderPaid?.requestid).toBe(succeeded?.requestid);
    expect(attributed.requestid).toBe(succeeded?.requestid);

    // The click and the visitor's page view, both on the analytics topic the KafkaSource reads.
    const page = (await shop.analyticsEvents('shop.analytics.page')).find(
      (e) => e.data.anonymousId === anonymousId,
    );
    expect(page?.data).toMatchObject({ clickId, campaign: { source: 'demo-affiliate' } });
    expect((await shop.analyticsEvents('shop.link.clicked')).map((e) => e.data.clickId)).toContain(
      clickId,
    );

    // Staff see the sale explained, through the gateway.
    const staff = await shop.asStaff();
    const explained = await shop.call('GET', `/api/admin/attribution/orders/${order.id}`, {
      token: staff,
    });
    expect(explained.status).toBe(200);
    expect(JSON.stringify(explained.body)).toContain('demo-affiliate');
    // A shopper may not ask.
    const refused = await shop.call('GET', `/api/admin/attribution/orders/${order.id}`, {
      token,
    });
    expect(refused.status).toBe(403);

    // 5. Staff refund part of it through the gateway: cart asks the provider, whose webhook
    // comes back through conversion-webhook; the order counts it, and the refund takes back its
    // share of the credit, to the cent.
    const refund = await shop.call('POST', `/api/admin/orders/${order.id}/refunds`, {
      token: staff,
      headers: { 'idempotency-key': `refund-${clickId}` },
      body: { amount: 3333, reason: 'requested_by_customer' },
    });
    expect(refund.status).toBe(201);
    expect(refund.body).toMatchObject({ status: 'sent', amount: { amount: 3333 } });
    const requested = await eventFor('shop.order.refund_requested', order.id, () => true);
    expect(requested.data).toMatchObject({
      amount: { amount: 3333 },
      reason: 'requested_by_customer',
    });
    const refunded = await eventFor('shop.order.refunded', order.id, () => true);
    expect(refunded.data).toMatchObject({ amount: { amount: 3333 } });
    // The event is published after the order committed it.
    const afterRefund = await shop.call('GET', `/api/admin/orders/${order.id}`, {
      token: staff,
    });
    expect(afterRefund.body).toMatchObject({
      status: 'partially_refunded',
      refundedAmount: 3333,
      refundable: { amount: order.total.amount - 3333 },
    });
    const reversed = await eventFor(
      'shop.conversion.reversed',
      order.id,
      (e) => (e.data.refunded as { amount: number }).amount === 3333,
    );
    expect(reversed.data).toMatchObject({
      refunded: { amount: 3333 },
      creditReversed: { amount: 3333 },
    });
  });
});
