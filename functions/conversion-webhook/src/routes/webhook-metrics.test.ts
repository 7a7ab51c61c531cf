// The webhook's business counters on /metrics after real deliveries: every provider and outcome
// present at 0 from the start, each payment counted once however often it is delivered, and
// each rejection counted by its reason.
import { randomUUID } from 'node:crypto';
import { createMetrics, type Database, silentLogger } from '@shop/shared';
import { testDatabase } from '@shop/shared/testing';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { conversionWebhook } from '../main.js';
import { failedEvent, refundedEvent, succeededEvent } from '../testing/fixtures.js';

const stripe = new Stripe('sk_test_metrics');
const SECRET = 'whsec_metrics_test_secret';
const STANDARD = `whsec_${Buffer.from('standard-metrics-secret!').toString('base64')}`;

let db: Database;
let cleanup: () => Promise<void>;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  ({ db, cleanup } = await testDatabase());
  await conversionWebhook.applyMigrations(db);
  app = createApp({
    db,
    log: silentLogger(),
    stripeSecrets: [SECRET],
    standardSecrets: [STANDARD],
    metrics: createMetrics({ service: 'conversion-webhook' }),
  });
});
afterAll(() => cleanup());

function postStripe(payload: string, secret = SECRET) {
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret });
  return app.request('/webhooks/payments/stripe', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': header },
    body: payload,
  });
}

function postStandard(payload: string, id = `msg_${randomUUID()}`) {
  const signature = new Webhook(STANDARD).sign(id, new Date(), payload);
  return app.request('/webhooks/payments/standard', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      'webhook-signature': signature,
    },
    body: payload,
  });
}

const PROVIDERS = ['stripe', 'standard'] as const;
const PAYMENT_OUTCOMES = ['succeeded', 'failed', 'refunded'];
const DELIVERY_OUTCOMES = [
  'processed',
  'ignored',
  'unmatched',
  'duplicate',
  'invalid_signature',
  'invalid_payload',
  'not_configured',
];

/** Every series of the two counters, by `<name> <provider> <outcome>`. */
async function counters(): Promise<Map<string, number>> {
  const text = await (await app.request('/metrics')).text();
  const values = new Map<string, number>();
  for (const match of text.matchAll(
    /^(shop_payments_total|webhook_deliveries_total)\{provider="(\w+)",outcome="(\w+)"[^}]*\} (\S+)$/gm,
  )) {
    values.set(`${match[1]} ${match[2]} ${match[3]}`, Number(match[4]));
  }
  return values;
}

/** What changed since `before`, the series that did not left out. */
async function changesSince(before: Map<string, number>): Promise<Record<string, number>> {
  const changes: Record<string, number> = {};
  for (const [key, value] of await counters()) {
    const delta = value - (before.get(key) ?? 0);
    if (delta !== 0) changes[key] = delta;
  }
  return changes;
}

describe('webhook counters on /metrics', () => {
  it('has every provider and outcome of both counters at 0 before the first delivery', async () => {
    const values = await counters();
    for (const provider of PROVIDERS) {
      for (const outcome of PAYMENT_OUTCOMES) {
        expect(values.get(`shop_payments_total ${provider} ${outcome}`)).toBe(0);
      }
      for (const outcome of DELIVERY_OUTCOMES) {
        expect(values.get(`webhook_deliveries_total ${provider} ${outcome}`)).toBe(0);
      }
    }
  });

  it('counts a payment once: its replay is a duplicate delivery and no payment', async () => {
    const payload = JSON.stringify(succeededEvent());
    let before = await counters();
    expect((await postStripe(payload)).status).toBe(200);
    expect(await changesSince(before)).toEqual({
      'shop_payments_total stripe succeeded': 1,
      'webhook_deliveries_total stripe processed': 1,
    });
    before = await counters();
    expect((await postStripe(payload)).status).toBe(200);
    expect((await postStripe(payload)).status).toBe(200);
    expect(await changesSince(before)).toEqual({ 'webhook_deliveries_total stripe duplicate': 2 });
  });

  it('counts a Standard Webhooks failure once per webhook-id', async () => {
    const payload = JSON.stringify(failedEvent());
    const id = `msg_${randomUUID()}`;
    const before = await counters();
    expect((await postStandard(payload, id)).status).toBe(200);
    expect((await postStandard(payload, id)).status).toBe(200);
    expect(await changesSince(before)).toEqual({
      'shop_payments_total standard failed': 1,
      'webhook_deliveries_total standard processed': 1,
      'webhook_deliveries_total standard duplicate': 1,
    });
  });

  it('counts each refund once, also when another event lists it again', async () => {
    const orderId = randomUUID();
    const id = `pi_${randomUUID().slice(0, 8)}`;
    const first = [
      { id: `re_${randomUUID()}`, amount: 500 },
      { id: `re_${randomUUID()}`, amount: 700 },
    ];
    const before = await counters();
    expect(
      (await postStripe(JSON.stringify(refundedEvent({ orderId, id, refunds: first })))).status,
    ).toBe(200);
    const again = [...first, { id: `re_${randomUUID()}`, amount: 300 }];
    expect(
      (await postStripe(JSON.stringify(refundedEvent({ orderId, id, refunds: again })))).status,
    ).toBe(200);
    expect(
      (await postStripe(JSON.stringify(refundedEvent({ orderId, id, refunds: first })))).status,
    ).toBe(200);
    expect(await changesSince(before)).toEqual({
      'shop_payments_total stripe refunded': 3,
      'webhook_deliveries_total stripe processed': 3,
    });
  });

  it('counts rejections by reason and no payment for them, nor for an unmatched event', async () => {
    const before = await counters();
    const payload = JSON.stringify(succeededEvent());
    expect((await postStripe(payload, 'whsec_not_ours')).status).toBe(400);
    expect((await postStripe('{"not":"an event"}')).status).toBe(400);
    expect((await postStripe(JSON.stringify(succeededEvent({ orderId: null })))).status).toBe(200);
    const unconfigured = createApp({
      db,
      log: silentLogger(),
      stripeSecrets: [],
      standardSecrets: [],
      metrics: createMetrics({ service: 'conversion-webhook' }),
    });
    const refused = await unconfigured.request('/webhooks/payments/stripe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
      body: payload,
    });
    expect(refused.status).toBe(503);
    expect(await (await unconfigured.request('/metrics')).text()).toMatch(
      /^webhook_deliveries_total\{provider="stripe",outcome="not_configured"[^}]*\} 1$/m,
    );
    expect(await changesSince(before)).toEqual({
      'webhook_deliveries_total stripe invalid_signature': 1,
      'webhook_deliveries_total stripe invalid_payload': 1,
      'webhook_deliveries_total stripe unmatched': 1,
    });
  });
});
