// The purchase loop, end to end through the gateway: sign up and log in (auth), add to the cart
// (cart, prices from offer), check out (order + payment intent at the simulator), the simulator
// pays and calls the webhook through the gateway (conversion-webhook), the local broker delivers
// shop.payment.* to cart by the real Trigger manifest → the order is paid and the cart cleared.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gateway as gatewayFunction, type RunningGateway } from '@shop/api-gateway';
import { auth as authFunction, createStaffUser, type RunningAuth } from '@shop/auth';
import { cart as cartFunction, createPaymentClient, type RunningCart } from '@shop/cart';
import {
  conversionWebhook as conversionWebhookFunction,
  DEV_STRIPE_WEBHOOK_SECRET,
  type RunningConversionWebhook,
  signStripePayload,
} from '@shop/conversion-webhook';
import {
  createOidcIssuer,
  loadManifests,
  type RunningBroker,
  startBroker,
  subscriberVerifier,
} from '@shop/eventing/broker';
import { offer as offerFunction, type RunningOffer } from '@shop/offer';
import {
  type RunningPaymentSimulator,
  startPaymentSimulator,
} from '@shop/scripts/payment-simulator';
import {
  createKafkajsClient,
  createMemoryKafka,
  type KafkaClient,
  silentLogger,
} from '@shop/shared';
import { testDatabase, testKeyValue, usesRealInfrastructure } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { address, callGateway, PASSWORD, startForStory } from './testing/shopper.js';

const EVENTING_DIR = fileURLToPath(new URL('../../knative/eventing/', import.meta.url));
const BROKER = `loop${crypto.randomUUID().replaceAll('-', '').slice(0, 8)}`;

const cleanups: (() => Promise<unknown> | unknown)[] = [];
let offer: RunningOffer;
let cart: RunningCart;
let webhook: RunningConversionWebhook;
let auth: RunningAuth;
let broker: RunningBroker;
let gateway: RunningGateway;
let simulator: RunningPaymentSimulator;

/**
 * The repository's manifests (Kafka broker config, default broker, cart's Trigger) in a temp
 * folder, the broker renamed so this suite has a Kafka topic of its own, faster retries.
 */
function copyManifests(): string {
  const dir = mkdtempSync(join(tmpdir(), 'purchase-loop-'));
  const read = (file: string) => readFileSync(join(EVENTING_DIR, file), 'utf8');
  writeFileSync(
    join(dir, 'kafka-broker-config.yaml'),
    read('kafka-broker-config.yaml')
      .replace(/default\.topic\.partitions: "\d+"/, 'default.topic.partitions: "1"')
      .replace(
        /default\.topic\.replication\.factor: "\d+"/,
        'default.topic.replication.factor: "1"',
      ),
  );
  writeFileSync(
    join(dir, 'broker.yaml'),
    read('broker-default.yaml')
      .replace(/name: default\n/, `name: ${BROKER}\n`)
      .replace(/backoffDelay: PT[\d.]+S/, 'backoffDelay: PT0.1S')
      .replace(/\s+deadLetterSink:[\s\S]*$/, '\n'),
  );
  writeFileSync(
    join(dir, 'trigger.yaml'),
    read('trigger-cart-payment-events.yaml').replace(/broker: default/, `broker: ${BROKER}`),
  );
  // authentication-oidc and the EventPolicies, as deployed: only conversion-webhook's
  // SinkBinding may publish, only cart's Trigger may deliver to cart.
  writeFileSync(join(dir, 'config-features.yaml'), read('config-features.yaml'));
  writeFileSync(
    join(dir, 'event-policies.yaml'),
    read('event-policies.yaml').replace(
      /kind: Broker, name: default \}/,
      `kind: Broker, name: ${BROKER} }`,
    ),
  );
  return dir;
}

beforeAll(async () => {
  const log = silentLogger();
  const [shopDb, webhookDb, authDb] = await Promise.all([
    testDatabase(),
    testDatabase(),
    testDatabase(),
  ]);
  const kv = testKeyValue();
  cleanups.push(shopDb.cleanup, webhookDb.cleanup, authDb.cleanup, kv.cleanup);
  auth = await startForStory(cleanups, authFunction, {
    env: {},
    db: authDb.db,
    kv: kv.kv,
    log,
  });
  // Every function verifies access tokens itself, against this auth's keys and revocations.
  const authUrl = `http://127.0.0.1:${auth.port}`;
  offer = await startForStory(cleanups, offerFunction, {
    env: { SEED_DEMO_DATA: 'true', AUTH_URL: authUrl },
    db: shopDb.db,
    log,
  });

  const manifests = copyManifests();
  cleanups.push(() => rmSync(manifests, { recursive: true, force: true }));
  // The broker's OIDC issuer exists before cart starts, so cart's /events can trust its keys.
  const oidc = createOidcIssuer({ issuer: 'http://purchase-loop.broker.test' });

  // The simulator's URL is known only after the gateway it calls is up: a late-bound client.
  let paymentProviderUrl = '';
  cart = await startForStory(cleanups, cartFunction, {
    verifyEventSender: subscriberVerifier(oidc, loadManifests(manifests), 'cart'),
    env: { OFFER_URL: `http://127.0.0.1:${offer.port}`, OFFER_CACHE_MS: '0', AUTH_URL: authUrl },
    db: shopDb.db,
    kv: kv.kv,
    services: {
      payments: {
        createIntent: (input) =>
          createPaymentClient({
            baseUrl: paymentProviderUrl,
            apiKey: 'sk_test_simulator',
          }).createIntent(input),
      },
    },
    log,
  });

  const kafka: KafkaClient = usesRealInfrastructure()
    ? createKafkajsClient({ brokers: process.env.KAFKA_BROKERS ?? '', clientId: 'cart-loop' })
    : createMemoryKafka();
  broker = await startBroker({
    manifestsDir: manifests,
    kafka,
    oidc,
    port: 0,
    log,
    resolveService: (name) => {
      if (name !== 'cart') throw new Error(`no local service ${name} in this test`);
      return `http://127.0.0.1:${cart.port}`;
    },
  });
  cleanups.unshift(async () => {
    await broker.stop();
    await kafka
      .admin()
      .deleteTopic(`knative-broker-shop-${BROKER}`)
      .catch(() => {});
    await kafka.close();
  });

  webhook = await startForStory(cleanups, conversionWebhookFunction, {
    // What its SinkBinding mounts in the cluster: a token of its own identity for the broker.
    sinkToken: () =>
      broker.publisherToken('conversion-webhook', { namespace: 'shop', name: BROKER }),
    env: {
      K_SINK: broker.ingressUrl('shop', BROKER),
      STRIPE_WEBHOOK_SECRET: DEV_STRIPE_WEBHOOK_SECRET,
    },
    db: webhookDb.db,
    log,
  });

  gateway = await startForStory(cleanups, gatewayFunction, {
    env: {
      AUTH_URL: authUrl,
      OFFER_URL: `http://127.0.0.1:${offer.port}`,
      CART_URL: `http://127.0.0.1:${cart.port}`,
      CONVERSION_WEBHOOK_URL: `http://127.0.0.1:${webhook.port}`,
    },
    kv: kv.kv,
    log,
  });

  simulator = await startPaymentSimulator({
    env: {
      SIMULATOR_WEBHOOK_URL: `${gateway.url}/webhooks/payments/stripe`,
      STRIPE_WEBHOOK_SECRET: DEV_STRIPE_WEBHOOK_SECRET,
      SIMULATOR_RETRY_BASE_MS: '50',
      // Chaos: every event delivered twice, an intent's events held and sent newest first.
      SIMULATOR_DUPLICATE_RATE: '1',
      SIMULATOR_REORDER: 'true',
      SIMULATOR_REORDER_DELAY_MS: '300',
      SIMULATOR_SEED: 'cart-loop',
    },
    port: 0,
    log,
    handleSignals: false,
  });
  paymentProviderUrl = simulator.url;
  cleanups.unshift(() => simulator.shutdown());
});

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

const call = (method: string, path: string, options?: Parameters<typeof callGateway>[3]) =>
  callGateway(gateway.url, method, path, options);

async function signUpAndLogIn(name: string): Promise<string> {
  const email = `${name}-${crypto.randomUUID()}@example.com`;
  const signup = await call('POST', '/api/auth/signup', {
    body: { email, password: PASSWORD, name, locale: 'en-GB' },
  });
  expect(signup.status).toBe(201);
  const login = await call('POST', '/api/auth/login', { body: { email, password: PASSWORD } });
  expect(login.status).toBe(200);
  return String(login.body.accessToken);
}

let staffToken: string | undefined;

/** A staff member's access token: the staff user is made as `create-staff` makes one. */
async function asStaff(): Promise<string> {
  if (staffToken) return staffToken;
  const email = `loop-staff-${crypto.randomUUID()}@example.com`;
  await createStaffUser(auth.db, { email, name: 'Loop staff', password: PASSWORD });
  const login = await call('POST', '/api/auth/login', { body: { email, password: PASSWORD } });
  expect(login.status).toBe(200);
  staffToken = String(login.body.accessToken);
  return staffToken;
}

/** A product created by staff, straight at offer (it verifies the staff token itself). */
async function newProduct(priceAmount: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${offer.port}/api/admin/offers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await asStaff()}` },
    body: JSON.stringify({
      name: `Loop kettle ${crypto.randomUUID().slice(0, 8)}`,
      category: 'kitchen',
      priceAmount,
      stock: 10,
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** The order once `done` holds for it, polling through the gateway. */
async function orderWhen(
  token: string,
  id: string,
  done: (order: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await call('GET', `/api/cart/orders/${id}`, { token });
    expect(res.status).toBe(200);
    if (done(res.body) || Date.now() > deadline) return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
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

async function simulator_(path: string, body?: unknown) {
  const res = await fetch(`${simulator.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: 'Bearer sk_test_simulator',
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
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
    expect(payment.redirectUrl).toBe(`${simulator.url}/pay/${payment.providerPaymentId}`);
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
    await simulator.settled();
    const sent = (await simulator_(`/v1/events?payment_intent=${payment.providerPaymentId}`))
      .data as { event: unknown }[];
    expect(sent.length).toBeGreaterThanOrEqual(1);
    const raw = JSON.stringify(sent[0]?.event);
    const replays = await Promise.all(
      Array.from({ length: 5 }, () =>
        fetch(`${gateway.url}/webhooks/payments/stripe`, {
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
    const { rows } = await cart.db.query(
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
    await simulator.settled();
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
    const { rows } = await cart.db.query(
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
