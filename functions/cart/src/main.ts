// The cart function as the kit runs it: `node dist/main.js` serves, `node dist/main.js migrate`
// is the migration job.
import { defineFunction, type FunctionConfig } from '@shop/shared';
import { createApp } from './app.js';
import { configShape } from './config.js';
import { events } from './events.js';
import { createOrderSweep } from './flows/order-sweep.js';
import { createOfferClient, type OfferClient } from './offer-client.js';
import { createPaymentClient, type PaymentClient } from './payment-client.js';
import { retention } from './retention.js';

export { type CartAppDeps, createApp } from './app.js';
export { events } from './events.js';
export { createOfferClient, type OfferClient, type OfferProduct } from './offer-client.js';
export { createPaymentClient, type PaymentClient } from './payment-client.js';

/** The cart function's parsed environment. */
export type CartConfig = FunctionConfig<typeof configShape>;

/** The upstreams cart calls; tests replace them. */
export interface CartServices {
  offer: OfferClient;
  payments: PaymentClient;
}

/** Minutes offer holds a reservation beyond the pending-order time (cart settles first). */
const STOCK_HOLD_MARGIN_MINUTES = 30;

/**
 * Carts and orders: carts in the key-value store, orders in PostgreSQL schema `cart`, order
 * events through its outbox, payment events at /events, port 8084.
 * @example const running = await cart.start({ port: 0, handleSignals: false }); await running.shutdown();
 */
export const cart = defineFunction({
  name: 'cart',
  port: 8084,
  config: configShape,
  database: { migrations: new URL('../migrations/', import.meta.url) },
  keyValue: true,
  events,
  retention,
  services: ({ config }): CartServices => ({
    offer: createOfferClient({
      baseUrl: config.OFFER_URL,
      timeoutMs: config.OFFER_TIMEOUT_MS,
      cacheMs: config.OFFER_CACHE_MS,
      // Offer's own expiry of the hold is the backstop for a checkout that never settled.
      stockHoldMinutes: Math.min(
        24 * 60,
        Math.ceil(config.PENDING_ORDER_TTL_MINUTES + STOCK_HOLD_MARGIN_MINUTES),
      ),
    }),
    payments: createPaymentClient({
      baseUrl: config.PAYMENT_PROVIDER_URL,
      apiKey: config.PAYMENT_PROVIDER_API_KEY,
      timeoutMs: config.PAYMENT_PROVIDER_TIMEOUT_MS,
      returnUrl: config.PAYMENT_RETURN_URL,
    }),
  }),
  createApp: (deps) => {
    // The sweep expires unpaid orders and settles reservations at offer; it runs while the
    // function serves and stops on shutdown before the database closes (hooks run in reverse).
    const sweep = createOrderSweep({
      db: deps.db,
      offer: deps.offer,
      log: deps.log,
      pendingOrderTtlMinutes: deps.config.PENDING_ORDER_TTL_MINUTES,
      onEventsRecorded: deps.onEventsRecorded,
    });
    sweep.start(deps.lifecycle);
    return createApp({
      ...deps,
      cartTtlSeconds: Math.round(deps.config.CART_TTL_DAYS * 24 * 3600),
      currencies: deps.config.SHOP_CURRENCIES,
      onStockDue: sweep.wake,
    });
  },
});

/** A started cart function. */
export type RunningCart = Awaited<ReturnType<typeof cart.start>>;

cart.runIfEntryPoint(import.meta.url);
