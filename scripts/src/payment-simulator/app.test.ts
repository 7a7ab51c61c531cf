import { createHmac, timingSafeEqual } from 'node:crypto';
import { silentLogger } from '@shop/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createSimulatorApp,
  type ProviderEvent,
  type Simulator,
  type SimulatorDeps,
} from './app.js';
import { seededRandom } from './random.js';
import { startTestReceiver, type TestReceiver } from './test-receiver.js';

const API_KEY = 'sk_test_unit';
const SECRET = 'whsec_unit_test_secret';
const ORDER_ID = '0193a3f0-7b6c-7c1e-9f00-5a1b2c3d4e5f';
const auth = { authorization: `Bearer ${API_KEY}` };

let receiver: TestReceiver;
let sim: Simulator | undefined;

beforeAll(async () => {
  receiver = await startTestReceiver();
});
afterAll(() => receiver.close());
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
  receiver.reset();
});

function start(overrides: Partial<SimulatorDeps> = {}): Simulator {
  sim = createSimulatorApp({
    log: silentLogger(),
    apiKey: API_KEY,
    publicUrl: 'http://sim.test',
    returnUrlOrigins: ['http://shop.test'],
    random: seededRandom('unit'),
    webhook: {
      url: receiver.url,
      mode: 'stripe',
      secrets: [SECRET],
      maxAttempts: 6,
      retryBaseMs: 20,
    },
    ...overrides,
  });
  return sim;
}

async function call(
  simulator: Simulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await simulator.app.request(path, {
    method,
    headers: { ...auth, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as {
    id: string;
    status: string;
    data: unknown;
    client_secret: string;
    [key: string]: unknown;
  };
  return { status: response.status, headers: response.headers, json };
}

async function createIntent(simulator: Simulator, amount = 1299, headers = {}) {
  const created = await call(
    simulator,
    'POST',
    '/v1/payment_intents',
    { amount, currency: 'eur', metadata: { orderId: ORDER_ID } },
    headers,
  );
  expect(created.status).toBe(200);
  return created.json;
}

/** Checks a Stripe-Signature header the way Stripe's libraries do, on node:crypto only. */
function verifyStripeSignature(header: string, body: string, secret: string): boolean {
  const parts = header.split(',').map((part) => part.split('=') as [string, string]);
  const t = parts.find(([key]) => key === 't')?.[1];
  if (!t || Math.abs(Date.now() / 1000 - Number(t)) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return parts
    .filter(([key]) => key === 'v1')
    .some(([, hex]) => {
      const given = Buffer.from(hex, 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}

const events = () => receiver.calls.map((received) => JSON.parse(received.body) as ProviderEvent);

describe('payment intents', () => {
  it('creates an intent in Stripe shape with a pay page link', async () => {
    const simulator = start();
    const intent = await createIntent(simulator);
    expect(intent).toMatchObject({
      object: 'payment_intent',
      amount: 1299,
      currency: 'eur',
      status: 'requires_payment_method',
      metadata: { orderId: ORDER_ID },
      next_action: {
        type: 'redirect_to_url',
        redirect_to_url: { url: `http://sim.test/pay/${intent.id}` },
      },
    });
    expect(intent.id).toMatch(/^pi_[A-Za-z0-9]{24}$/);
    expect(intent.client_secret).toMatch(new RegExp(`^${intent.id}_secret_[A-Za-z0-9]+$`));
    expect(intent.created).toBeTypeOf('number');
    const read = await call(simulator, 'GET', `/v1/payment_intents/${intent.id}`);
    expect(read.json).toEqual(intent);
  });

  it('answers the same intent for the same Idempotency-Key and 422 for other parameters', async () => {
    const simulator = start();
    const first = await createIntent(simulator, 500, { 'idempotency-key': 'order-1' });
    const again = await call(
      simulator,
      'POST',
      '/v1/payment_intents',
      { amount: 500, currency: 'eur', metadata: { orderId: ORDER_ID } },
      { 'idempotency-key': 'order-1' },
    );
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(first.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await call(
      simulator,
      'POST',
      '/v1/payment_intents',
      { amount: 600, currency: 'eur', metadata: { orderId: ORDER_ID } },
      { 'idempotency-key': 'order-1' },
    );
    expect(other.status).toBe(422);
    expect(simulator.state.intents.size).toBe(1);
  });

  it('rejects bad input with problem+json 400 and a missing API key with 401', async () => {
    const simulator = start();
    const bad = await simulator.app.request('/v1/payment_intents', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 12.5, currency: 'euro', metadata: { orderId: 'x' } }),
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await bad.json()) as { errors: { name: string }[] };
    expect(problem.errors.map((error) => error.name)).toEqual(
      expect.arrayContaining(['body.amount', 'body.currency', 'body.metadata.orderId']),
    );
    const notJson = await simulator.app.request('/v1/payment_intents', {
      method: 'POST',
      headers: auth,
      body: '{',
    });
    expect(notJson.status).toBe(400);
    const anonymous = await simulator.app.request('/v1/payment_intents/pi_x');
    expect(anonymous.status).toBe(401);
    const wrongKey = await simulator.app.request('/v1/events', {
      headers: { authorization: 'Bearer sk_test_other' },
    });
    expect(wrongKey.status).toBe(401);
    expect(simulator.state.intents.size).toBe(0);
  });

  it('answers 404 for an unknown intent and 409 when confirming twice', async () => {
    const simulator = start();
    expect((await call(simulator, 'GET', '/v1/payment_intents/pi_nothing')).status).toBe(404);
    const intent = await createIntent(simulator);
    expect((await call(simulator, 'POST', `/v1/payment_intents/${intent.id}/confirm`)).status).toBe(
      200,
    );
    expect((await call(simulator, 'POST', `/v1/payment_intents/${intent.id}/confirm`)).status).toBe(
      409,
    );
  });
});

describe('webhooks', () => {
  it('delivers payment_intent.succeeded on confirm with a valid Stripe-Signature', async () => {
    const simulator = start();
    const intent = await createIntent(simulator);
    const confirmed = await call(simulator, 'POST', `/v1/payment_intents/${intent.id}/confirm`, {
      outcome: 'succeeded',
    });
    expect(confirmed.json).toMatchObject({ status: 'succeeded', amount_received: 1299 });
    await simulator.settled();
    expect(receiver.calls).toHaveLength(1);
    const [received] = receiver.calls;
    const signature = received?.headers['stripe-signature'] ?? '';
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyStripeSignature(signature, received?.body ?? '', SECRET)).toBe(true);
    expect(verifyStripeSignature(signature, `${received?.body} `, SECRET)).toBe(false);
    expect(verifyStripeSignature(signature, received?.body ?? '', 'whsec_other')).toBe(false);
    expect(JSON.parse(received?.body ?? '')).toMatchObject({
      id: expect.stringMatching(/^evt_/),
      object: 'event',
      api_version: '2024-06-20',
      type: 'payment_intent.succeeded',
      livemode: false,
      data: {
        object: { id: intent.id, object: 'payment_intent', status: 'succeeded', amount: 1299 },
      },
    });
  });

  it('signs Standard Webhooks deliveries with the base64-decoded whsec_ key', async () => {
    const key = Buffer.from('standard-webhooks-key-24b');
    const secret = `whsec_${key.toString('base64')}`;
    const simulator = start({
      webhook: {
        url: receiver.url,
        mode: 'standard',
        secrets: [secret],
        maxAttempts: 1,
        retryBaseMs: 1,
      },
    });
    const intent = await createIntent(simulator);
    await call(simulator, 'POST', `/v1/payment_intents/${intent.id}/confirm`);
    await simulator.settled();
    const [received] = receiver.calls;
    const id = received?.headers['webhook-id'];
    const timestamp = received?.headers['webhook-timestamp'];
    expect(id).toBe(JSON.parse(received?.body ?? '').id);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(300);
    const expected = createHmac('sha256', key)
      .update(`${id}.${timestamp}.${received?.body}`)
      .digest('base64');
    expect(received?.headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('delivers payment_intent.payment_failed with last_payment_error on decline', async () => {
    const simulator = start();
    const intent = await createIntent(simulator);
    const declined = await call(simulator, 'POST', `/v1/payment_intents/${intent.id}/confirm`, {
      outcome: 'failed',
    });
    expect(declined.json.status).toBe('requires_payment_method');
    await simulator.settled();
    expect(events()).toMatchObject([
      {
        type: 'payment_intent.payment_failed',
        data: {
          object: {
            id: intent.id,
            metadata: { orderId: ORDER_ID },
            last_payment_error: { code: 'card_declined', message: 'Your card was declined.' },
          },
        },
      },
    ]);
  });

  it('delivers charge.refunded with the charge and its refunds', async () => {
    const simulator = start();
    const intent = await createIntent(simulator, 2000);
    await call(simulator, 'POST', `/v1/payment_intents/${intent.id}/confirm`);
    const refund = await call(simulator, 'POST', '/v1/refunds', {
      payment_intent: intent.id,
      amount: 500,
    });
    expect(refund.status).toBe(200);
    expect(refund.json).toMatchObject({ object: 'refund', amount: 500, payment_intent: intent.id });
    const tooMuch = await call(simulator, 'POST', '/v1/refunds', {
      payment_intent: intent.id,
      amount: 1600,
    });
    expect(tooMuch.status).toBe(400);
    await simulator.settled();
    const refunded = events().find((event) => event.type === 'charge.refunded');
    expect(refunded?.data.object).toMatchObject({
      id: expect.stringMatching(/^ch_/),
      object: 'charge',
      payment_intent: intent.id,
      amount: 2000,
      amount_refunded: 500,
      currency: 'eur',
      metadata: { orderId: ORDER_ID },
      refunds: { data: [{ id: refund.json.id, amount: 500 }] },
    });
  });

  it('retries a failing endpoint with growing delays until it answers 2xx', async () => {
    const simulator = start();
    receiver.failNext(500, 503);
    const intent = await createIntent(simulator);
    await call(simulator, 'POST', `/v1/payment_intents/${intent.id}/confirm`);
    await simulator.settled();
    expect(receiver.calls).toHaveLength(3);
    const [first, second, third] = receiver.calls.map((received) => received.at) as [
      number,
      number,
      number,
    ];
    expect(second - first).toBeGreaterThanOrEqual(18);
    expect(third - second).toBeGreaterThanOrEqual(38);
    const [sent] = simulator.state.events;
    expect(sent?.deliveries).toMatchObject([
      {
        status: 'delivered',
        attempts: [{ status: 500 }, { status: 503 }, { status: 200, attempt: 3 }],
      },
    ]);
  });

  it('gives up after the last attempt and records every attempt in GET /v1/events', async () => {
    const simulator = start({
      webhook: {
        url: receiver.url,
        mode: 'stripe',
        secrets: [SECRET],
        maxAttempts: 3,
        retryBaseMs: 5,
      },
    });
    receiver.failNext(500, 500, 500, 500);
    const intent = await createIntent(simulator);
    await call(simulator, 'POST', `/v1/payment_intents/${intent.id}/confirm`);
    await simulator.settled();
    expect(receiver.calls).toHaveLength(3);
    const listed = await call(simulator, 'GET', `/v1/events?payment_intent=${intent.id}`);
    expect(listed.json.data).toMatchObject([
      {
        type: 'payment_intent.succeeded',
        deliveries: [
          {
            status: 'failed',
            attempts: [
              { attempt: 1, status: 500, error: 'answered HTTP 500' },
              { attempt: 2, status: 500 },
              { attempt: 3, status: 500 },
            ],
          },
        ],
      },
    ]);
  });

  it('records a refused connection as a failed attempt', async () => {
    const simulator = start({
      webhook: {
        url: 'http://127.0.0.1:1/webhooks/payments/stripe',
        mode: 'stripe',
        secrets: [SECRET],
        maxAttempts: 2,
        retryBaseMs: 1,
      },
    });
    const intent = await createIntent(simulator);
    await call(simulator, 'POST', `/v1/payment_intents/${intent.id}/confirm`);
    await simulator.settled();
    const [sent] = simulator.state.events;
    expect(sent?.deliveries[0]?.status).toBe('failed');
    expect(sent?.deliveries[0]?.attempts).toHaveLength(2);
    expect(sent?.deliveries[0]?.attempts[0]?.error).toBeTruthy();
  });

  it('delivers every event twice with the same id when the duplicate rate is 1', async () => {
    const simulator = start({ chaos: { duplicateRate: 1 } });
    const intent = await createIntent(simulator);
    await call(simulator, 'POST', `/v1/payment_intents/${intent.id}/confirm`);
    await simulator.settled();
    expect(receiver.calls).toHaveLength(2);
    const [a, b] = events();
    expect(a?.id).toBe(b?.id);
    expect(receiver.calls[0]?.body).toBe(receiver.calls[1]?.body);
    expect(simulator.state.events[0]?.deliveries).toHaveLength(2);
  });

  it('delivers the events of one intent in reverse order in reorder mode', async () => {
    const simulator = start({ chaos: { reorder: true, reorderDelayMs: 50 } });
    const intent = await createIntent(simulator);
    await call(simulator, 'POST', `/v1/payment_intents/${intent.id}/confirm`, {
      outcome: 'failed',
    });
    await call(simulator, 'POST', `/v1/payment_intents/${intent.id}/confirm`);
    await call(simulator, 'POST', '/v1/refunds', { payment_intent: intent.id });
    expect(receiver.calls).toHaveLength(0);
    await simulator.settled();
    const emitted = simulator.state.events.map((sent) => sent.event.type);
    expect(emitted).toEqual([
      'payment_intent.payment_failed',
      'payment_intent.succeeded',
      'charge.refunded',
    ]);
    expect(events().map((event) => event.type)).toEqual([...emitted].reverse());
  });
});

describe('pay page', () => {
  it('shows the amount and Pay / Decline forms, escaping the description', async () => {
    const simulator = start();
    const created = await call(simulator, 'POST', '/v1/payment_intents', {
      amount: 4250,
      currency: 'eur',
      metadata: { orderId: ORDER_ID },
      description: '<script>alert("x")</script>',
    });
    const page = await simulator.app.request(`/pay/${created.json.id}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('€42.50');
    expect(html).toContain(`action="/pay/${created.json.id}/confirm"`);
    expect(html).toContain(`action="/pay/${created.json.id}/decline"`);
    expect(html).toContain('<html lang="en">');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect((await simulator.app.request('/pay/pi_unknown')).status).toBe(404);
  });

  it('pays through the form and sends the webhook, then refuses a second payment', async () => {
    const simulator = start();
    const intent = await createIntent(simulator);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const paid = await simulator.app.request(`/pay/${intent.id}/confirm`, {
      method: 'POST',
      headers: form,
    });
    expect(paid.status).toBe(200);
    expect(await paid.text()).toContain('Payment received');
    await simulator.settled();
    expect(events().map((event) => event.type)).toEqual(['payment_intent.succeeded']);
    const again = await simulator.app.request(`/pay/${intent.id}/decline`, {
      method: 'POST',
      headers: form,
    });
    expect(again.status).toBe(409);
  });

  it('builds the pay link from its configured origin, whatever Host or X-Forwarded-Host a client sends', async () => {
    const simulator = start();
    const intent = (await createIntent(simulator, 1299, {
      host: 'evil.example',
      'x-forwarded-host': 'evil.example',
    })) as unknown as { next_action: { redirect_to_url: { url: string } } };
    expect(new URL(intent.next_action.redirect_to_url.url).origin).toBe('http://sim.test');
  });

  it('refuses a return_url off the allowlist, so the result page never links to another site', async () => {
    const simulator = start();
    for (const returnUrl of [
      'https://evil.example/orders/1',
      'http://shop.test.evil.example/',
      'http://shop.test:8443/orders/1',
    ]) {
      const created = await call(simulator, 'POST', '/v1/payment_intents', {
        amount: 100,
        currency: 'eur',
        metadata: { orderId: ORDER_ID },
        return_url: returnUrl,
      });
      expect(created.status).toBe(400);
    }
  });

  it('declines through the form and links back to the return_url', async () => {
    const simulator = start();
    const created = await call(simulator, 'POST', '/v1/payment_intents', {
      amount: 100,
      currency: 'eur',
      metadata: { orderId: ORDER_ID },
      return_url: 'http://shop.test/orders/1?a=1&b="2"',
    });
    const intent = created.json;
    const declined = await simulator.app.request(`/pay/${intent.id}/decline`, { method: 'POST' });
    const html = await declined.text();
    expect(html).toContain('Payment declined');
    expect(html).toContain('href="http://shop.test/orders/1?a=1&amp;b=&quot;2&quot;"');
    await simulator.settled();
    expect(events().map((event) => event.type)).toEqual(['payment_intent.payment_failed']);
  });
});
