import { randomUUID } from 'node:crypto';
import { type Database, silentLogger } from '@shop/shared';
import { testDatabase } from '@shop/shared/testing';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { conversionWebhook } from '../main.js';
import {
  failedEvent,
  paymentIntent,
  refundedEvent,
  stripeEvent,
  succeededEvent,
} from '../testing/fixtures.js';

const stripe = new Stripe('sk_test_routes');
const SECRET = 'whsec_route_test_secret';
const ROTATED = 'whsec_route_rotated_secret';
const STANDARD = `whsec_${Buffer.from('standard-route-secret!!!').toString('base64')}`;

let db: Database;
let cleanup: () => Promise<void>;
let app: ReturnType<typeof createApp>;
let wakes = 0;

beforeAll(async () => {
  ({ db, cleanup } = await testDatabase());
  await conversionWebhook.applyMigrations(db);
  app = createApp({
    db,
    log: silentLogger(),
    stripeSecrets: [SECRET, ROTATED],
    standardSecrets: [STANDARD],
    onEventsRecorded: () => {
      wakes += 1;
    },
  });
});
afterAll(() => cleanup());
beforeEach(async () => {
  await db.exec(`
    DELETE FROM conversion_webhook.outbox;
    DELETE FROM conversion_webhook.refund;
    DELETE FROM conversion_webhook.provider_event;
    DELETE FROM conversion_webhook.payment;
  `);
  wakes = 0;
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

function postStripe(
  payload: string,
  options: { secret?: string; timestamp?: number; header?: string | null } = {},
) {
  const header =
    options.header === undefined
      ? stripe.webhooks.generateTestHeaderString({
          payload,
          secret: options.secret ?? SECRET,
          timestamp: options.timestamp ?? nowSeconds(),
        })
      : options.header;
  return app.request('/webhooks/payments/stripe', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(header !== null && { 'stripe-signature': header }),
    },
    body: payload,
  });
}

function postStandard(payload: string, id = `msg_${randomUUID()}`, at = new Date()) {
  const signature = new Webhook(STANDARD).sign(id, at, payload);
  return app.request('/webhooks/payments/standard', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    },
    body: payload,
  });
}

async function stored() {
  const events = await db.query<{ event_id: string; status: string; note: string | null }>(
    'SELECT event_id, status, note FROM conversion_webhook.provider_event ORDER BY received_at',
  );
  const outbox = await db.query<{
    type: string;
    subject: string;
    partition_key: string;
    data: Record<string, unknown>;
  }>('SELECT type, subject, partition_key, data FROM conversion_webhook.outbox ORDER BY id');
  return { events: events.rows, outbox: outbox.rows };
}

describe('POST /webhooks/payments/stripe', () => {
  it('stores a payment_intent.succeeded signed by the stripe package and records shop.payment.succeeded', async () => {
    const orderId = randomUUID();
    const event = succeededEvent({ orderId, amount: 12_345, currency: 'eur' });
    const res = await postStripe(JSON.stringify(event));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true });
    const { events, outbox } = await stored();
    expect(events).toEqual([{ event_id: event.id, status: 'processed', note: null }]);
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({
      type: 'shop.payment.succeeded',
      subject: orderId,
      partition_key: orderId,
      data: {
        orderId,
        provider: 'stripe',
        providerPaymentId: event.data.object.id,
        amount: { amount: 12_345, currency: 'EUR' },
        succeededAt: '2025-11-24T16:00:00.000Z',
      },
    });
    expect(outbox[0]?.data.paymentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(wakes).toBe(1);
  });

  it('maps payment_intent.payment_failed to shop.payment.failed with the decline reason', async () => {
    const orderId = randomUUID();
    const event = failedEvent({ orderId, amount: 500 });
    expect((await postStripe(JSON.stringify(event))).status).toBe(200);
    const { outbox } = await stored();
    expect(outbox.map((row) => row.type)).toEqual(['shop.payment.failed']);
    expect(outbox[0]?.data).toMatchObject({
      orderId,
      amount: { amount: 500, currency: 'EUR' },
      reason: 'card_declined: Your card was declined.',
      failedAt: '2025-11-24T16:00:00.000Z',
    });
  });

  it('keeps a decline reason with control characters or a lone surrogate, made clean, instead of failing on it', async () => {
    const event = failedEvent({ amount: 500 });
    event.data.object = {
      ...event.data.object,
      last_payment_error: {
        code: 'card\u0000declined',
        message: 'Declined\u001b[31m \ud800 twice\nsorry',
      },
    };
    expect((await postStripe(JSON.stringify(event))).status).toBe(200);
    const { outbox } = await stored();
    expect(outbox[0]?.data).toMatchObject({
      reason: 'card declined: Declined [31m \ufffd twice\nsorry',
    });
  });

  it('maps charge.refunded to shop.payment.refunded per refund, with the payment id of the payment', async () => {
    const orderId = randomUUID();
    const intentId = `pi_${randomUUID().slice(0, 8)}`;
    await postStripe(JSON.stringify(succeededEvent({ orderId, id: intentId })));
    const first = refundedEvent({ orderId, id: intentId, refunds: [{ id: 're_1', amount: 1000 }] });
    expect((await postStripe(JSON.stringify(first))).status).toBe(200);
    // A second partial refund: the charge now lists both, only the new one is counted.
    const second = refundedEvent({
      orderId,
      id: intentId,
      refunds: [
        { id: 're_2', amount: 250 },
        { id: 're_1', amount: 1000 },
      ],
    });
    expect((await postStripe(JSON.stringify(second))).status).toBe(200);
    const { outbox } = await stored();
    expect(outbox.map((row) => row.type)).toEqual([
      'shop.payment.succeeded',
      'shop.payment.refunded',
      'shop.payment.refunded',
    ]);
    const paymentId = outbox[0]?.data.paymentId;
    expect(outbox[1]?.data).toEqual({
      paymentId,
      orderId,
      provider: 'stripe',
      providerRefundId: 're_1',
      amount: { amount: 1000, currency: 'EUR' },
      refundedAt: '2025-11-24T16:00:00.000Z',
    });
    expect(outbox[2]?.data).toMatchObject({
      paymentId,
      providerRefundId: 're_2',
      amount: { amount: 250 },
    });
  });

  it('takes the order of a refund from its payment when the charge has no metadata', async () => {
    const orderId = randomUUID();
    const intentId = `pi_${randomUUID().slice(0, 8)}`;
    await postStripe(JSON.stringify(succeededEvent({ orderId, id: intentId })));
    const refund = refundedEvent({
      orderId: null,
      id: intentId,
      refunds: [{ id: 're_9', amount: 1 }],
    });
    expect((await postStripe(JSON.stringify(refund))).status).toBe(200);
    const { outbox } = await stored();
    expect(outbox[1]).toMatchObject({ type: 'shop.payment.refunded', data: { orderId } });
  });

  it('derives the refund from the amount_refunded delta when the charge lists no refunds', async () => {
    const orderId = randomUUID();
    const charge = { ...refundedEvent({ orderId, refunds: [] }).data.object, amount_refunded: 700 };
    const event = stripeEvent('charge.refunded', { ...charge, refunds: null }, {});
    const payload = JSON.stringify({
      ...event,
      data: { object: charge, previous_attributes: { amount_refunded: 200 } },
    });
    expect((await postStripe(payload)).status).toBe(200);
    const { outbox } = await stored();
    expect(outbox[0]?.data).toMatchObject({ amount: { amount: 500, currency: 'EUR' } });
  });

  it('keeps one paymentId per provider payment across its events', async () => {
    const intentId = `pi_${randomUUID().slice(0, 8)}`;
    await postStripe(JSON.stringify(failedEvent({ id: intentId })));
    await postStripe(JSON.stringify(succeededEvent({ id: intentId })));
    const { outbox } = await stored();
    expect(outbox).toHaveLength(2);
    expect(outbox[0]?.data.paymentId).toBe(outbox[1]?.data.paymentId);
  });

  it('stores an event delivered 5 times once and records one domain event', async () => {
    const payload = JSON.stringify(succeededEvent());
    for (let i = 0; i < 5; i += 1) {
      const res = await postStripe(payload);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ received: true });
    }
    const { events, outbox } = await stored();
    expect(events).toHaveLength(1);
    expect(outbox).toHaveLength(1);
    expect(wakes).toBe(1);
  });

  it('stores an event delivered 5 times concurrently once', async () => {
    const payload = JSON.stringify(succeededEvent());
    const answers = await Promise.all(Array.from({ length: 5 }, () => postStripe(payload)));
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 200, 200]);
    const { events, outbox } = await stored();
    expect(events).toHaveLength(1);
    expect(outbox).toHaveLength(1);
  });

  it('answers 200 to event types it does not handle and stores them as ignored', async () => {
    const event = stripeEvent('customer.created', { id: 'cus_1', object: 'customer' });
    const res = await postStripe(JSON.stringify(event));
    expect(res.status).toBe(200);
    const { events, outbox } = await stored();
    expect(events).toEqual([{ event_id: event.id, status: 'ignored', note: null }]);
    expect(outbox).toEqual([]);
  });

  it('stores an event without metadata.orderId as unmatched and answers 200', async () => {
    const event = succeededEvent({ orderId: null });
    expect((await postStripe(JSON.stringify(event))).status).toBe(200);
    const notUuid = stripeEvent('payment_intent.succeeded', {
      ...paymentIntent(),
      metadata: { orderId: 'order-42' },
    });
    expect((await postStripe(JSON.stringify(notUuid))).status).toBe(200);
    const { events, outbox } = await stored();
    expect(events.map((row) => row.status)).toEqual(['unmatched', 'unmatched']);
    expect(events[0]?.note).toMatch(/orderId/);
    expect(outbox).toEqual([]);
  });

  it('stores a handled type whose object lacks its fields as unmatched and answers 200', async () => {
    const event = stripeEvent('payment_intent.succeeded', { id: 'pi_broken' });
    expect((await postStripe(JSON.stringify(event))).status).toBe(200);
    const { events, outbox } = await stored();
    expect(events).toEqual([
      { event_id: event.id, status: 'unmatched', note: expect.stringMatching(/malformed/) },
    ]);
    expect(outbox).toEqual([]);
  });

  it('counts each refund once when two events listing the same refunds arrive concurrently', async () => {
    const orderId = randomUUID();
    const intentId = `pi_${randomUUID().slice(0, 8)}`;
    const refunds = [
      { id: 're_a', amount: 100 },
      { id: 're_b', amount: 200 },
    ];
    const one = refundedEvent({ orderId, id: intentId, refunds });
    const other = refundedEvent({ orderId, id: intentId, refunds: refunds.toReversed() });
    const answers = await Promise.all([
      postStripe(JSON.stringify(one)),
      postStripe(JSON.stringify(other)),
    ]);
    expect(answers.map((res) => res.status)).toEqual([200, 200]);
    const { outbox } = await stored();
    expect(outbox.map((row) => row.data.providerRefundId).sort()).toEqual(['re_a', 're_b']);
  });

  it('counts deliveries by outcome on /metrics', async () => {
    await postStripe(JSON.stringify(succeededEvent()), { header: null });
    await postStripe(JSON.stringify(stripeEvent('customer.created', { id: 'cus_1' })));
    const text = await (await app.request('/metrics')).text();
    expect(text).toMatch(
      /webhook_deliveries_total\{[^}]*provider="stripe"[^}]*outcome="invalid_signature"[^}]*\} [1-9]/,
    );
    expect(text).toMatch(/webhook_deliveries_total\{[^}]*outcome="ignored"[^}]*\} [1-9]/);
  });

  it('accepts a payload signed with either configured secret (rotation)', async () => {
    expect((await postStripe(JSON.stringify(succeededEvent()), { secret: SECRET })).status).toBe(
      200,
    );
    expect((await postStripe(JSON.stringify(succeededEvent()), { secret: ROTATED })).status).toBe(
      200,
    );
    expect((await stored()).outbox).toHaveLength(2);
  });

  describe('refuses with 400 and stores nothing', () => {
    const payload = JSON.stringify(succeededEvent());
    const cases: [string, () => Response | Promise<Response>][] = [
      [
        'a forged signature',
        () => postStripe(payload, { header: `t=${nowSeconds()},v1=${'f'.repeat(64)}` }),
      ],
      ['a wrong secret', () => postStripe(payload, { secret: 'whsec_someone_else' })],
      [
        'a timestamp over 5 minutes old',
        () => postStripe(payload, { timestamp: nowSeconds() - 301 }),
      ],
      [
        'a timestamp over 5 minutes ahead',
        () => postStripe(payload, { timestamp: nowSeconds() + 301 }),
      ],
      ['a missing header', () => postStripe(payload, { header: null })],
      [
        'a body with one byte changed',
        () => {
          const header = stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET });
          return postStripe(payload.replace('"amount":4990', '"amount":4991'), { header });
        },
      ],
    ];
    it.each(cases)('%s', async (_, send) => {
      const res = await send();
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(await res.json()).toMatchObject({ title: 'Invalid webhook signature' });
      expect(await stored()).toEqual({ events: [], outbox: [] });
    });
  });

  it('answers 400 to a validly signed body that is not JSON or not an event', async () => {
    for (const payload of ['{"id":', '[1,2]', '{"id":"evt_1"}', '{"type":"x"}']) {
      const res = await postStripe(payload);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ title: 'Invalid webhook payload' });
    }
    expect(await stored()).toEqual({ events: [], outbox: [] });
  });

  it('answers 400 to a signed event whose id or type holds a lone surrogate, NUL or a control character, and stores nothing', async () => {
    for (const extra of [
      { id: 'evt_\udc00' },
      { id: 'evt_\u0000' },
      { id: 'evt_\u001b' },
      { type: 'payment_intent.succeeded\ud800' },
    ]) {
      const res = await postStripe(
        JSON.stringify(stripeEvent('payment_intent.succeeded', paymentIntent(), extra)),
      );
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
    const standard = await postStandard(JSON.stringify(succeededEvent()), 'msg_\u00e9\u0007');
    expect(standard.status).toBe(400);
    expect(await stored()).toEqual({ events: [], outbox: [] });
  });

  it('stores a signed payment whose ids hold lone surrogates or whose amount is beyond MAX_AMOUNT as unmatched, with no domain event', async () => {
    for (const intent of [
      paymentIntent({ id: 'pi_\ud800' }),
      paymentIntent({ amount: 1e13 }),
      paymentIntent({ amount: 2 ** 53 }),
      { ...paymentIntent(), metadata: { orderId: '\udc00' } },
    ]) {
      const res = await postStripe(JSON.stringify(stripeEvent('payment_intent.succeeded', intent)));
      expect(res.status, JSON.stringify(intent)).toBe(200);
    }
    const { events, outbox } = await stored();
    expect(events.map((event) => event.status)).toEqual([
      'unmatched',
      'unmatched',
      'unmatched',
      'unmatched',
    ]);
    expect(outbox).toEqual([]);
  });

  it('answers 413 to a body over 512 KiB', async () => {
    const event = stripeEvent('customer.created', { id: 'cus_1', note: 'x'.repeat(600 * 1024) });
    const res = await postStripe(JSON.stringify(event));
    expect(res.status).toBe(413);
    expect(await stored()).toEqual({ events: [], outbox: [] });
  });
});

describe('POST /webhooks/payments/standard', () => {
  it('accepts a delivery signed by the standardwebhooks package, provider standard', async () => {
    const orderId = randomUUID();
    const res = await postStandard(JSON.stringify(succeededEvent({ orderId })));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true });
    const { outbox } = await stored();
    expect(outbox[0]).toMatchObject({
      type: 'shop.payment.succeeded',
      data: { orderId, provider: 'standard' },
    });
  });

  it('stores a message without an id in its body under its webhook-id, ignoring unknown types', async () => {
    const payload = JSON.stringify({
      type: 'invoice.created',
      timestamp: '2025-11-24T16:00:00Z',
      data: { n: 1 },
    });
    const res = await postStandard(payload, 'msg_no_body_id');
    expect(res.status).toBe(200);
    expect((await stored()).events).toEqual([
      { event_id: 'msg_no_body_id', status: 'ignored', note: null },
    ]);
  });

  it('stores a message delivered 5 times (same webhook-id) once', async () => {
    const payload = JSON.stringify(succeededEvent());
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => postStandard(payload, 'msg_repeated')),
    );
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 200, 200]);
    const { events, outbox } = await stored();
    expect(events).toHaveLength(1);
    expect(outbox).toHaveLength(1);
  });

  it('refuses a stale, tampered or unsigned delivery with 400 and stores nothing', async () => {
    const payload = JSON.stringify(succeededEvent());
    expect((await postStandard(payload, 'msg_a', new Date(Date.now() - 301_000))).status).toBe(400);
    const signature = new Webhook(STANDARD).sign('msg_b', new Date(), payload);
    const tampered = await app.request('/webhooks/payments/standard', {
      method: 'POST',
      headers: {
        'webhook-id': 'msg_b',
        'webhook-timestamp': String(nowSeconds()),
        'webhook-signature': signature,
      },
      body: payload.replace('eur', 'usd'),
    });
    expect(tampered.status).toBe(400);
    const unsigned = await app.request('/webhooks/payments/standard', {
      method: 'POST',
      body: payload,
    });
    expect(unsigned.status).toBe(400);
    expect(await stored()).toEqual({ events: [], outbox: [] });
  });
});
