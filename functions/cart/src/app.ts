import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  createServiceApp,
  type Database,
  type EventSenderVerifier,
  type KeyValue,
  type Lifecycle,
  type Logger,
  Problem,
  type ServiceEnv,
  type ServiceMetrics,
  type TokenVerifier,
} from '@shop/shared';
import type { CartDeps } from './deps.js';
import { events } from './events.js';
import type { CartsDeps } from './flows/carts.js';
import { handlePaymentEvent, type PaymentEventDeps } from './flows/payment-events.js';
import { type CartMetrics, createCartMetrics, noCartMetrics } from './metrics.js';
import type { OfferClient } from './offer-client.js';
import type { PaymentClient } from './payment-client.js';
import { registerAdminOrderRoutes } from './routes/admin-orders.js';
import { registerCartRoutes } from './routes/cart.js';
import { registerOrderRoutes } from './routes/orders.js';

/** What the cart app is built from; main.ts makes the real ones, tests pass their own. */
export interface CartAppDeps {
  db: Database;
  kv: KeyValue;
  log: Logger;
  /** Reads products (prices, names, stock) from the offer function. */
  offer: OfferClient;
  /** Creates payment intents at the provider. */
  payments: PaymentClient;
  metrics?: ServiceMetrics;
  lifecycle?: Lifecycle;
  clock?: () => Date;
  /** Currency of an empty cart's total (default: the first of `currencies`, else EUR). */
  currency?: string;
  /** Currencies the shop sells in: their business counters start at 0 (default `[currency]`). */
  currencies?: readonly string[];
  /** Idle seconds before a cart expires (default 30 days). */
  cartTtlSeconds?: number;
  /** Called once a transaction that wrote to cart.outbox committed (main.ts wakes the relay). */
  onEventsRecorded?: () => void;
  /** Id of a new order (default UUIDv7). */
  newOrderId?: () => string;
  /** Called after a payment event was handled: a reservation may be due (wakes the sweep). */
  onStockDue?: () => void;
  /** Verifies callers' access tokens (the kit's, from auth's JWKS; tests: `testVerifyToken`). */
  verifyToken: TokenVerifier;
  /**
   * Verifies the broker's OIDC token on /events (the kit's, from EVENTS_OIDC_*; tests:
   * `testVerifyEventSender`); without it every event is refused (401).
   */
  verifyEventSender?: EventSenderVerifier;
}

/**
 * The cart function: carts (anonymous and signed-in) in the key-value store, checkout into
 * orders and payments, the orders, and `/events` where payment events move orders on.
 * @example const app = createApp({ db, kv, log, offer, payments }); await app.request('/api/cart');
 */
export function createApp(deps: CartAppDeps): OpenAPIHono<ServiceEnv> {
  const { db, kv, log } = deps;
  const clock = deps.clock ?? (() => new Date());
  const onEventsRecorded = deps.onEventsRecorded ?? (() => {});
  const currency = deps.currency ?? deps.currencies?.[0] ?? 'EUR';
  const metrics: CartMetrics = deps.metrics
    ? createCartMetrics(deps.metrics, deps.currencies ?? [currency])
    : noCartMetrics;
  const app = createServiceApp({
    service: 'cart',
    log,
    verifyToken: deps.verifyToken,
    ...(deps.metrics && { metrics: deps.metrics }),
    ...(deps.lifecycle && { lifecycle: deps.lifecycle }),
    readiness: { database: () => db.ping(), keyValue: () => kv.ping() },
  });
  const carts: CartsDeps = {
    kv,
    offer: deps.offer,
    ttlSeconds: deps.cartTtlSeconds ?? 30 * 24 * 3600,
    currency,
    clock,
  };
  const routeDeps: CartDeps = {
    db,
    carts,
    checkout: {
      db,
      kv,
      offer: deps.offer,
      payments: deps.payments,
      log,
      clock,
      onEventsRecorded,
      metrics,
      ...(deps.newOrderId && { newOrderId: deps.newOrderId }),
    },
  };

  // Cookies authenticate anonymous carts, so cross-site writes are refused (Hono's csrf()
  // checks form content types only).
  app.use('/api/cart/*', async (c, next) => {
    if (c.req.method !== 'GET' && c.req.header('sec-fetch-site') === 'cross-site') {
      throw new Problem(403, 'Cross-site requests cannot change a cart.');
    }
    await next();
  });
  app.use('/api/cart', async (c, next) => {
    if (c.req.method !== 'GET' && c.req.header('sec-fetch-site') === 'cross-site') {
      throw new Problem(403, 'Cross-site requests cannot change a cart.');
    }
    await next();
  });
  registerCartRoutes(app, routeDeps);
  registerOrderRoutes(app, routeDeps);
  registerAdminOrderRoutes(app, {
    db,
    payments: deps.payments,
    log,
    clock,
    onEventsRecorded,
    onStockDue: deps.onStockDue,
  });

  const eventDeps: PaymentEventDeps = { kv, log, clock, metrics };
  const receiver = events.receiver({
    db,
    log,
    ...(deps.verifyEventSender && { verifySender: deps.verifyEventSender }),
    ...(deps.metrics && { registry: deps.metrics.registry }),
    handlers: {
      'shop.payment.succeeded': async (event, { tx, afterCommit }) => {
        await handlePaymentEvent(
          tx,
          eventDeps,
          { ...event, type: 'shop.payment.succeeded' },
          afterCommit,
        );
      },
      'shop.payment.failed': async (event, { tx, afterCommit }) => {
        await handlePaymentEvent(
          tx,
          eventDeps,
          { ...event, type: 'shop.payment.failed' },
          afterCommit,
        );
      },
      'shop.payment.refunded': async (event, { tx, afterCommit }) => {
        await handlePaymentEvent(
          tx,
          eventDeps,
          { ...event, type: 'shop.payment.refunded' },
          afterCommit,
        );
      },
    },
  });
  app.use('/events', async (c, next) => {
    await next();
    if (c.res.status < 300) {
      onEventsRecorded();
      deps.onStockDue?.();
    }
  });
  app.route('/events', receiver);
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'cart',
      version: '1.0.0',
      description:
        'Carts for anonymous and signed-in shoppers (prices and stock re-read from offer), ' +
        'checkout with Idempotency-Key into orders and payments, the shopper’s orders, and ' +
        'staff routes to refund, review and cancel them. ' +
        'Reached through the api-gateway, which passes the verified identity in x-shop-* headers.',
    },
    tags: [
      { name: 'cart', description: 'The shopper’s cart' },
      { name: 'orders', description: 'Checkout and the signed-in shopper’s orders' },
      { name: 'staff', description: 'Every order for staff: refunds, payment reviews, cancels' },
    ],
  });
  return app;
}
