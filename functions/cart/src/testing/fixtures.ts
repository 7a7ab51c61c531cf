// Test helpers of the cart function: a database, offer's HTTP contract in memory on a free port
// (startFakeOffer), a key-value store, a fake payment provider.
import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  type Database,
  functionAudience,
  type Identity,
  type KeyValue,
  newId,
  type ServiceEnv,
  type ServiceMetrics,
  silentLogger,
} from '@shop/shared';
import {
  identityHeaders,
  testDatabase,
  testEventHeaders,
  testKeyValue,
  testVerifyEventSender,
  testVerifyToken,
} from '@shop/shared/testing';
import { createApp } from '../app.js';
import { createOrderSweep, type OrderSweep } from '../flows/order-sweep.js';
import { cart } from '../main.js';
import { createOfferClient } from '../offer-client.js';
import type { PaymentClient, PaymentIntent } from '../payment-client.js';
import { type FakeOffer, startFakeOffer } from './fake-offer.js';

/** The id of the intent the fake provider makes for an order (known before checkout ends). */
export function intentIdOf(orderId: string): string {
  return `pi_${orderId.replaceAll('-', '')}`;
}

/** A refund the fake provider made, with what it was asked. */
export interface FakeRefund {
  id: string;
  paymentIntentId: string;
  amount: number;
  reason: string | undefined;
  metadata: Record<string, string>;
}

/**
 * A payment provider in memory: one intent per order id (its idempotency key), one refund per
 * idempotency key. `failNext` fails the next calls as an outage; `refuseNextRefund` makes the
 * next refund a 400 refusal, as Stripe's `amount_too_large`.
 */
export function fakePayments(): PaymentClient & {
  intents: Map<string, PaymentIntent & { amount: number; currency: string }>;
  refunds: Map<string, FakeRefund>;
  failNext: number;
  refuseNextRefund: boolean;
  delayMs: number;
} {
  const intents = new Map<string, PaymentIntent & { amount: number; currency: string }>();
  const refunds = new Map<string, FakeRefund>();
  const fake = {
    intents,
    refunds,
    failNext: 0,
    refuseNextRefund: false,
    delayMs: 0,
    async createRefund(input: {
      paymentIntentId: string;
      amount: number;
      idempotencyKey: string;
      reason?: string;
      metadata: Record<string, string>;
    }) {
      const { PaymentProviderError } = await import('../payment-client.js');
      if (fake.failNext > 0) {
        fake.failNext -= 1;
        throw new PaymentProviderError('simulated outage');
      }
      if (fake.refuseNextRefund) {
        fake.refuseNextRefund = false;
        throw new PaymentProviderError('the payment provider answered 400: amount_too_large', {
          status: 400,
        });
      }
      let refund = refunds.get(input.idempotencyKey);
      if (!refund) {
        refund = {
          id: `re_${refunds.size + 1}_${input.paymentIntentId.slice(3, 11)}`,
          paymentIntentId: input.paymentIntentId,
          amount: input.amount,
          reason: input.reason,
          metadata: input.metadata,
        };
        refunds.set(input.idempotencyKey, refund);
      }
      return { id: refund.id, amount: refund.amount, status: 'succeeded' };
    },
    async createIntent(input: { orderId: string; amount: number; currency: string }) {
      if (fake.delayMs) await new Promise((r) => setTimeout(r, fake.delayMs));
      if (fake.failNext > 0) {
        fake.failNext -= 1;
        const { PaymentProviderError } = await import('../payment-client.js');
        throw new PaymentProviderError('simulated outage');
      }
      let intent = intents.get(input.orderId);
      if (!intent) {
        const id = intentIdOf(input.orderId);
        intent = {
          id,
          clientSecret: `${id}_secret_x`,
          redirectUrl: `http://provider.test/pay/${id}`,
          amount: input.amount,
          currency: input.currency,
        };
        intents.set(input.orderId, intent);
      }
      return intent;
    },
  };
  return fake;
}

export interface Testbed {
  db: Database;
  kv: KeyValue;
  app: OpenAPIHono<ServiceEnv>;
  payments: ReturnType<typeof fakePayments>;
  offerUrl: string;
  /** The fake offer: its products and stock reservations. */
  offer: FakeOffer;
  /** The order sweep (30-minute pending orders), run by the tests; `sweepNow` is its clock. */
  sweep: OrderSweep;
  sweepNow: { value: Date | undefined };
  /** Pins the id of the next order checkout creates. */
  nextOrderId: { value: string | undefined };
  cleanup: () => Promise<void>;
}

/** The cart app against the fake offer, one database per file. */
export async function createTestbed(
  options: { kv?: KeyValue; metrics?: ServiceMetrics; currencies?: readonly string[] } = {},
): Promise<Testbed> {
  const { db, cleanup: dropDb } = await testDatabase();
  const store = options.kv ? { kv: options.kv, cleanup: async () => {} } : testKeyValue();
  const offer = await startFakeOffer();
  await cart.applyMigrations(db);
  const payments = fakePayments();
  const offerUrl = offer.url;
  const nextOrderId: { value: string | undefined } = { value: undefined };
  const offerClient = createOfferClient({ baseUrl: offerUrl, cacheMs: 0 });
  const sweepNow: { value: Date | undefined } = { value: undefined };
  const sweep = createOrderSweep({
    db,
    offer: offerClient,
    log: silentLogger(),
    clock: () => sweepNow.value ?? new Date(),
    pendingOrderTtlMinutes: 30,
  });
  const app = createApp({
    db,
    kv: store.kv,
    log: silentLogger(),
    offer: offerClient,
    payments,
    verifyToken: testVerifyToken,
    verifyEventSender: testVerifyEventSender(functionAudience('cart')),
    ...(options.metrics && { metrics: options.metrics }),
    ...(options.currencies && { currencies: options.currencies }),
    newOrderId: () => {
      const id = nextOrderId.value ?? newId();
      nextOrderId.value = undefined;
      return id;
    },
  });
  return {
    db,
    kv: store.kv,
    app,
    payments,
    offerUrl,
    offer,
    sweep,
    sweepNow,
    nextOrderId,
    async cleanup() {
      await offer.shutdown();
      await store.cleanup();
      await dropDb();
    },
  };
}

let counter = 0;

/** Creates a product at the (fake) offer and returns it. */
export async function addProduct(
  offerUrl: string,
  fields: { priceAmount?: number; stock?: number; name?: string } = {},
): Promise<{ id: string; slug: string; name: string; priceAmount: number; version: number }> {
  counter += 1;
  const name = fields.name ?? `Test kettle ${counter} ${crypto.randomUUID().slice(0, 8)}`;
  const res = await fetch(`${offerUrl}/api/admin/offers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name,
      category: 'kitchen',
      priceAmount: fields.priceAmount ?? 1999,
      stock: fields.stock ?? 10,
    }),
  });
  if (res.status !== 201) throw new Error(`offer said ${res.status}: ${await res.text()}`);
  return (await res.json()) as never;
}

async function currentVersion(offerUrl: string, id: string): Promise<number> {
  const res = await fetch(`${offerUrl}/api/admin/offers/${id}`);
  return ((await res.json()) as { version: number }).version;
}

export async function changePrice(offerUrl: string, id: string, amount: number): Promise<void> {
  const version = await currentVersion(offerUrl, id);
  const res = await fetch(`${offerUrl}/api/admin/offers/${id}/price`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'if-match': `W/"${version}"` },
    body: JSON.stringify({ amount, currency: 'EUR' }),
  });
  if (res.status !== 200) throw new Error(`offer said ${res.status}: ${await res.text()}`);
}

export async function changeStock(offerUrl: string, id: string, stock: number): Promise<void> {
  const version = await currentVersion(offerUrl, id);
  const res = await fetch(`${offerUrl}/api/admin/offers/${id}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', 'if-match': `W/"${version}"` },
    body: JSON.stringify({ stock }),
  });
  if (res.status !== 200) throw new Error(`offer said ${res.status}: ${await res.text()}`);
}

export async function archive(offerUrl: string, id: string): Promise<void> {
  const version = await currentVersion(offerUrl, id);
  const res = await fetch(`${offerUrl}/api/admin/offers/${id}/archive`, {
    method: 'POST',
    headers: { 'if-match': `W/"${version}"` },
  });
  if (res.status !== 200) throw new Error(`offer said ${res.status}: ${await res.text()}`);
}

/** A shopper as the gateway passes them on. */
export function shopper(): Identity {
  return { userId: newId(), roles: ['shopper'] };
}

/** A JSON request to the app, optionally as a signed-in user or with an anonymous cart. */
export function send(
  app: OpenAPIHono<ServiceEnv>,
  method: string,
  path: string,
  options: {
    body?: unknown;
    as?: Identity;
    cartId?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Response> {
  const headers: Record<string, string> = {
    ...(options.body !== undefined && { 'content-type': 'application/json' }),
    ...(options.as && identityHeaders(options.as)),
    ...(options.cartId && { 'x-cart-id': options.cartId }),
    ...options.headers,
  };
  return Promise.resolve(
    app.request(path, {
      method,
      headers,
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    }),
  );
}

export const address = {
  name: 'Ada Lovelace',
  line1: '12 Analytical Way',
  postalCode: '10115',
  city: 'Berlin',
  country: 'DE',
};

/** Delivers a payment event to the app's /events as the broker would (binary CloudEvent, OIDC). */
export function deliverPaymentEvent(
  app: OpenAPIHono<ServiceEnv>,
  type: 'shop.payment.succeeded' | 'shop.payment.failed' | 'shop.payment.refunded',
  data: Record<string, unknown>,
  id: string = crypto.randomUUID(),
): Promise<Response> {
  return Promise.resolve(
    app.request('/events', {
      method: 'POST',
      headers: {
        ...testEventHeaders(functionAudience('cart')),
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-id': id,
        'ce-source': '/shop/conversion-webhook',
        'ce-type': type,
      },
      body: JSON.stringify(data),
    }),
  );
}
