// Log hygiene, end to end: a purchase story (sign up, log in, refresh, add to the cart, check
// out, the simulator pays and sends its signed webhook through the gateway, the broker delivers
// to cart, log out) with every function logging at debug into memory, then every line is read:
// valid JSON with `service` and `level`, and none holds the story's password, tokens, webhook
// secret, shopper's email or Authorization/Cookie values.
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
import { createLogger, createMemoryKafka, type Logger } from '@shop/shared';
import { testDatabase, testKeyValue } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { address, callGateway, PASSWORD, startForStory } from './testing/shopper.js';

const EVENTING_DIR = fileURLToPath(new URL('../../knative/eventing/', import.meta.url));
const BROKER = `logs${crypto.randomUUID().replaceAll('-', '').slice(0, 8)}`;
const SIMULATOR_API_KEY = 'sk_test_simulator';
/** The values of Loki's `level` stream label (knative/observability/METRICS.md). */
const PINO_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** Every line every logger of the story wrote, as written. */
const lines: { service: string; line: string }[] = [];

/** A logger as the kit makes one, at debug, writing into {@link lines}. */
function capturingLogger(service: string): Logger {
  return createLogger({
    service,
    level: 'debug',
    destination: { write: (line: string) => lines.push({ service, line }) },
  });
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
let offer: RunningOffer;
let cart: RunningCart;
let auth: RunningAuth;
let webhook: RunningConversionWebhook;
let broker: RunningBroker;
let gateway: RunningGateway;
let simulator: RunningPaymentSimulator;

/** The repository's eventing manifests, the broker renamed for this suite, fast retries. */
function copyManifests(): string {
  const dir = mkdtempSync(join(tmpdir(), 'log-hygiene-'));
  const read = (file: string) => readFileSync(join(EVENTING_DIR, file), 'utf8');
  writeFileSync(join(dir, 'kafka-broker-config.yaml'), read('kafka-broker-config.yaml'));
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
    log: capturingLogger('auth'),
  });
  const authUrl = `http://127.0.0.1:${auth.port}`;
  offer = await startForStory(cleanups, offerFunction, {
    // The demo categories on real PostgreSQL too (seeded by default only on PGlite).
    env: { AUTH_URL: authUrl, SEED_DEMO_DATA: 'true' },
    db: shopDb.db,
    log: capturingLogger('offer'),
  });

  const manifests = copyManifests();
  cleanups.push(() => rmSync(manifests, { recursive: true, force: true }));
  const oidc = createOidcIssuer({ issuer: 'http://log-hygiene.broker.test' });
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
            apiKey: SIMULATOR_API_KEY,
          }).createIntent(input),
        createRefund: (input) =>
          createPaymentClient({
            baseUrl: paymentProviderUrl,
            apiKey: SIMULATOR_API_KEY,
          }).createRefund(input),
      },
    },
    log: capturingLogger('cart'),
  });

  const kafka = createMemoryKafka();
  broker = await startBroker({
    manifestsDir: manifests,
    kafka,
    oidc,
    port: 0,
    log: capturingLogger('broker'),
    resolveService: (name) => {
      if (name !== 'cart') throw new Error(`no local service ${name} in this test`);
      return `http://127.0.0.1:${cart.port}`;
    },
  });
  cleanups.unshift(async () => {
    await broker.stop();
    await kafka.close();
  });

  webhook = await startForStory(cleanups, conversionWebhookFunction, {
    sinkToken: () =>
      broker.publisherToken('conversion-webhook', { namespace: 'shop', name: BROKER }),
    env: {
      K_SINK: broker.ingressUrl('shop', BROKER),
      STRIPE_WEBHOOK_SECRET: DEV_STRIPE_WEBHOOK_SECRET,
    },
    db: webhookDb.db,
    log: capturingLogger('conversion-webhook'),
  });

  gateway = await startForStory(cleanups, gatewayFunction, {
    env: {
      AUTH_URL: authUrl,
      OFFER_URL: `http://127.0.0.1:${offer.port}`,
      CART_URL: `http://127.0.0.1:${cart.port}`,
      CONVERSION_WEBHOOK_URL: `http://127.0.0.1:${webhook.port}`,
    },
    kv: kv.kv,
    log: capturingLogger('api-gateway'),
  });

  simulator = await startPaymentSimulator({
    env: {
      SIMULATOR_WEBHOOK_URL: `${gateway.url}/webhooks/payments/stripe`,
      STRIPE_WEBHOOK_SECRET: DEV_STRIPE_WEBHOOK_SECRET,
      SIMULATOR_RETRY_BASE_MS: '50',
      SIMULATOR_SEED: 'log-hygiene',
    },
    port: 0,
    log: capturingLogger('payment-simulator'),
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

describe('log hygiene over a purchase story', () => {
  it('logs every step at debug as JSON with service and level, and no password, token, webhook secret, email or auth header', async () => {
    /** Everything the story must never find in a log line. */
    const secrets = new Set<string>([PASSWORD, DEV_STRIPE_WEBHOOK_SECRET, SIMULATOR_API_KEY]);
    const cookie = `session=${crypto.randomUUID()}`;
    secrets.add(cookie);

    const staffEmail = `hygiene-staff-${crypto.randomUUID()}@example.com`;
    await createStaffUser(auth.db, {
      email: staffEmail,
      name: 'Hygiene staff',
      password: PASSWORD,
    });
    const staff = await call('POST', '/api/auth/login', {
      body: { email: staffEmail, password: PASSWORD },
    });
    expect(staff.status).toBe(200);
    const staffToken = String(staff.body.accessToken);
    const product = await fetch(`http://127.0.0.1:${offer.port}/api/admin/offers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${staffToken}` },
      body: JSON.stringify({
        name: 'Hygiene kettle',
        category: 'kitchen',
        priceAmount: 2499,
        stock: 5,
      }),
    });
    expect(product.status).toBe(201);
    const productId = ((await product.json()) as { id: string }).id;

    const email = `ada.hygiene-${crypto.randomUUID()}@example.com`;
    const signup = await call('POST', '/api/auth/signup', {
      body: { email, password: PASSWORD, name: 'Ada', locale: 'en-GB' },
    });
    expect(signup.status).toBe(201);
    // A wrong password too: refusals are where credentials tend to leak into logs.
    const wrong = await call('POST', '/api/auth/login', {
      body: { email, password: `${PASSWORD}-wrong` },
    });
    expect(wrong.status).toBe(401);
    secrets.add(`${PASSWORD}-wrong`);
    const login = await call('POST', '/api/auth/login', {
      body: { email, password: PASSWORD },
      headers: { cookie },
    });
    expect(login.status).toBe(200);
    const refreshed = await call('POST', '/api/auth/refresh', {
      body: { refreshToken: login.body.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    const token = String(refreshed.body.accessToken);
    for (const answer of [staff, login, refreshed]) {
      secrets.add(String(answer.body.accessToken));
      secrets.add(String(answer.body.refreshToken));
    }

    const added = await call('POST', '/api/cart/items', {
      token,
      headers: { cookie },
      body: { productId, quantity: 1 },
    });
    expect(added.status).toBe(200);
    const checkout = await call('POST', '/api/cart/checkout', {
      token,
      headers: { 'idempotency-key': crypto.randomUUID() },
      body: { shippingAddress: address },
    });
    expect(checkout.status).toBe(201);
    const { order, payment } = checkout.body as {
      order: { id: string };
      payment: { providerPaymentId: string; clientSecret: string };
    };
    secrets.add(payment.clientSecret);

    const confirm = await fetch(
      `${simulator.url}/v1/payment_intents/${payment.providerPaymentId}/confirm`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${SIMULATOR_API_KEY}`,
          'content-type': 'application/json',
        },
        body: '{}',
      },
    );
    expect(confirm.status).toBe(200);
    const deadline = Date.now() + 20_000;
    let status = '';
    while (status !== 'paid' && Date.now() < deadline) {
      const res = await call('GET', `/api/cart/orders/${order.id}`, { token });
      status = String(res.body.status);
      if (status !== 'paid') await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe('paid');

    // A signed webhook sent again by hand, and one with a forged signature.
    await simulator.settled();
    const events = await fetch(
      `${simulator.url}/v1/events?payment_intent=${payment.providerPaymentId}`,
      {
        headers: { authorization: `Bearer ${SIMULATOR_API_KEY}` },
      },
    );
    const raw = JSON.stringify(
      ((await events.json()) as { data: { event: unknown }[] }).data[0]?.event,
    );
    const signature = signStripePayload(raw, [DEV_STRIPE_WEBHOOK_SECRET]);
    secrets.add(signature);
    for (const sig of [signature, signature.replace(/v1=\w+/, `v1=${'0'.repeat(64)}`)]) {
      await fetch(`${gateway.url}/webhooks/payments/stripe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': sig },
        body: raw,
      });
    }

    // A client that puts the email and the refresh token in a URL: the request line logs the path.
    const misplaced = await call(
      'GET',
      `/api/cart/lookup/${email}/${String(refreshed.body.refreshToken)}`,
      { token },
    );
    expect(misplaced.status).toBe(404);

    const logout = await call('POST', '/api/auth/logout', {
      token,
      headers: { cookie },
      body: { refreshToken: refreshed.body.refreshToken },
    });
    expect(logout.status).toBeLessThan(300);
    await new Promise((r) => setTimeout(r, 300));

    expect(new Set(lines.map((l) => l.service))).toEqual(
      new Set([
        'auth',
        'offer',
        'cart',
        'broker',
        'conversion-webhook',
        'api-gateway',
        'payment-simulator',
      ]),
    );
    expect(lines.some((l) => l.line.includes('"level":"debug"'))).toBe(true);
    const emails = [email, staffEmail];
    const leaks: string[] = [];
    for (const { service, line } of lines) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      expect(parsed.service, line).toBe(service);
      expect(PINO_LEVELS, line).toContain(parsed.level);
      for (const secret of [...secrets, ...emails]) {
        if (line.includes(secret)) leaks.push(`${service}: ${secret.slice(0, 12)}… in ${line}`);
      }
      // Any JWT at all, any Bearer credential, any cookie header value.
      if (/eyJ[\w-]+\.[\w-]+\./.test(line)) leaks.push(`${service}: a JWT in ${line}`);
      if (/Bearer (?!\[redacted\])/i.test(line)) leaks.push(`${service}: a bearer in ${line}`);
      if (/"(authorization|cookie)":"(?!\[redacted\])/i.test(line)) {
        leaks.push(`${service}: a header value in ${line}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
