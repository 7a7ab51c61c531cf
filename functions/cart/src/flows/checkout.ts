// Checkout: the user's cart becomes an order (prices re-read from offer) with its
// shop.order.created event, then a payment intent at the provider. Idempotent per
// (user, Idempotency-Key): same body → the same response, other body → 422, while running → 409.
import { createHash } from 'node:crypto';
import {
  type Database,
  type KeyValue,
  type Logger,
  money,
  newId,
  Problem,
  sumMoney,
} from '@shop/shared';
import { cartKey } from '../domain/cart-id.js';
import { computeLineTotal } from '../domain/compute-line-total.js';
import type { Order, OrderItem, ShippingAddress } from '../domain/order.js';
import { eventUserId, recordOrderEvent } from '../events.js';
import type { CartMetrics } from '../metrics.js';
import type { OfferClient, OfferProduct } from '../offer-client.js';
import { type PaymentClient, PaymentProviderError } from '../payment-client.js';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  findOrder,
  insertOrder,
  recordTransition,
  releaseIdempotencyKey,
  setIdempotencyOrder,
  setProviderPayment,
  setStockStatus,
} from '../store.js';
import { readLines } from './carts.js';
import { applyPendingEvents } from './payment-events.js';

/** A `running` claim older than this belongs to a crashed instance and may be taken over. */
export const STALE_CLAIM_MS = 60_000;

export interface CheckoutDeps {
  db: Database;
  kv: KeyValue;
  offer: OfferClient;
  payments: PaymentClient;
  log: Logger;
  clock: () => Date;
  onEventsRecorded: () => void;
  /** Business counters: an order created, and what a payment kept for it did (after commit). */
  metrics: CartMetrics;
  /** Id of a new order (default UUIDv7; tests pin it). */
  newOrderId?: () => string;
}

export interface CheckoutRequest {
  shippingAddress: ShippingAddress;
  clickId: string | null;
}

export interface CheckoutResponse {
  status: number;
  body: unknown;
}

/** The order as clients see it. */
export function presentOrder(order: Order) {
  return {
    id: order.id,
    status: order.status,
    items: order.items.map((item) => ({
      ...item,
      lineTotal: computeLineTotal(item.unitPrice, item.quantity),
    })),
    total: order.total,
    shippingAddress: order.shippingAddress,
    clickId: order.clickId,
    payment: {
      provider: order.paymentProvider,
      providerPaymentId: order.providerPaymentId,
      paymentId: order.paymentId,
    },
    refundedAmount: order.refundedAmount,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}

/** A stable hash of what the request asks for (key order of the address does not matter). */
export function hashCheckoutRequest(request: CheckoutRequest): string {
  const a = request.shippingAddress;
  const canonical = JSON.stringify([
    a.name,
    a.line1,
    a.line2 ?? null,
    a.postalCode,
    a.city,
    a.country,
    request.clickId,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Runs a checkout under its idempotency key and returns the response to send (and to replay).
 * @example await checkout(deps, userId, 'key-1', { shippingAddress, clickId: null }); // { status: 201, body: { order, payment } }
 */
export async function checkout(
  deps: CheckoutDeps,
  userId: string,
  key: string,
  request: CheckoutRequest,
): Promise<CheckoutResponse> {
  const requestHash = hashCheckoutRequest(request);
  const claim = await claimIdempotencyKey(
    deps.db,
    userId,
    key,
    requestHash,
    deps.clock(),
    STALE_CLAIM_MS,
  );
  if (!claim.claimed) {
    const { record } = claim;
    if (record.requestHash !== requestHash) {
      throw new Problem(
        422,
        'This Idempotency-Key was used with another request body; use a new key for a new checkout.',
        { type: 'https://shop.example/problems/idempotency-key-reused' },
      );
    }
    if (record.status === 'done' && record.responseStatus !== null) {
      return { status: record.responseStatus, body: record.responseBody };
    }
    throw new Problem(
      409,
      'A checkout with this Idempotency-Key is still running; retry shortly.',
      { type: 'https://shop.example/problems/idempotency-key-in-use' },
      { 'retry-after': '1' },
    );
  }
  try {
    let order = claim.orderId ? await findOrder(deps.db, claim.orderId) : null;
    if (!order) {
      order = await createOrder(deps, userId, request);
      await setIdempotencyOrder(deps.db, userId, key, order.id);
      deps.onEventsRecorded();
    }
    let providerPaymentId = order.providerPaymentId;
    let clientSecret: string;
    let redirectUrl: string | null;
    try {
      const intent = await deps.payments.createIntent({
        orderId: order.id,
        amount: order.total.amount,
        currency: order.total.currency,
        description: `Order ${order.id}`,
      });
      ({ clientSecret, redirectUrl } = intent);
      if (providerPaymentId !== intent.id) {
        providerPaymentId = intent.id;
        order = await bindPaymentIntent(deps, order, intent.id);
      }
    } catch (error) {
      if (!(error instanceof PaymentProviderError)) throw error;
      deps.log.error({ err: error, orderId: order.id }, 'creating the payment intent failed');
      throw new Problem(
        502,
        'The payment provider is not available; retry with the same Idempotency-Key.',
        { orderId: order.id },
        { 'retry-after': '2' },
      );
    }
    const response: CheckoutResponse = {
      status: 201,
      body: {
        order: presentOrder(order),
        payment: { provider: 'stripe', providerPaymentId, clientSecret, redirectUrl },
      },
    };
    await completeIdempotencyKey(deps.db, userId, key, response, deps.clock());
    return response;
  } catch (error) {
    await releaseIdempotencyKey(deps.db, userId, key, deps.clock()).catch((releaseError) =>
      deps.log.warn({ err: releaseError }, 'releasing the idempotency key failed'),
    );
    throw error;
  }
}

/**
 * Stores the intent's id on the order, the id a payment must name to pay it, and applies the
 * payment events kept while the order had none (a webhook faster than this step).
 */
async function bindPaymentIntent(
  deps: CheckoutDeps,
  order: Order,
  providerPaymentId: string,
): Promise<Order> {
  const effects = afterCommitEffects();
  const { bound, applied } = await deps.db.transaction(async (tx) => {
    effects.clear();
    const bound = await setProviderPayment(tx, order.id, 'stripe', providerPaymentId, deps.clock());
    const applied = await applyPendingEvents(tx, deps, order.id, effects.add);
    return { bound: applied > 0 ? await findOrder(tx, order.id) : bound, applied };
  });
  effects.run();
  if (applied > 0) deps.onEventsRecorded();
  return bound ?? order;
}

async function createOrder(
  deps: CheckoutDeps,
  userId: string,
  request: CheckoutRequest,
): Promise<Order> {
  const lines = await readLines(deps, cartKey({ userId }));
  if (lines.size === 0) {
    throw new Problem(422, 'The cart is empty.', {
      type: 'https://shop.example/problems/cart-empty',
    });
  }
  const products = new Map<string, OfferProduct | null>();
  await Promise.all(
    [...lines.keys()].map(async (id) =>
      products.set(id, await deps.offer.getProduct(id, { fresh: true })),
    ),
  );
  const errors: { name: string; reason: string }[] = [];
  const items: OrderItem[] = [];
  for (const [productId, line] of lines) {
    const product = products.get(productId);
    if (!product) {
      errors.push({ name: productId, reason: 'is no longer for sale' });
    } else {
      // Stock is not judged from this read: offer's reservation below is the one answer to
      // "are there enough", so of concurrent checkouts none buys units another already has.
      items.push({
        productId,
        slug: product.slug,
        name: product.name,
        quantity: line.quantity,
        unitPrice: money(product.priceAmount, product.currency),
      });
    }
  }
  if (errors.length > 0) {
    throw new Problem(422, 'Some cart lines cannot be bought; update the cart first.', {
      type: 'https://shop.example/problems/cart-not-purchasable',
      errors,
    });
  }
  const currencies = new Set(items.map((item) => item.unitPrice.currency));
  const currency = items[0]?.unitPrice.currency ?? 'EUR';
  if (currencies.size > 1) throw new Problem(422, 'The cart mixes currencies.');
  const total = sumMoney(
    items.map((item) => computeLineTotal(item.unitPrice, item.quantity)),
    currency,
  );
  const now = deps.clock();
  const orderId = (deps.newOrderId ?? newId)();
  // Reserved at offer before anything is stored: of shoppers racing for the last units only
  // those offer reserves for get an order; the others get offer's 409 naming the products.
  await deps.offer.reserveStock(
    orderId,
    items.map((item) => ({ productId: item.productId, quantity: item.quantity })),
  );
  const effects = afterCommitEffects();
  const created = await deps.db
    .transaction(async (tx) => {
      effects.clear();
      const order = await insertOrder(tx, {
        id: orderId,
        userId,
        status: 'pending_payment',
        items,
        total,
        shippingAddress: request.shippingAddress,
        clickId: request.clickId,
        createdAt: now,
      });
      await setStockStatus(tx, order.id, ['none'], 'reserved');
      await recordTransition(tx, order.id, null, 'pending_payment', {
        eventId: null,
        eventType: null,
        at: now,
      });
      await recordOrderEvent(tx, 'shop.order.created', order.id, {
        orderId: order.id,
        userId: eventUserId(userId),
        items,
        total,
        clickId: request.clickId,
        createdAt: now.toISOString(),
      });
      // Payment events that arrived before this order (ids chosen here, so only in theory, or a
      // replayed database) apply now.
      await applyPendingEvents(tx, deps, order.id, effects.add);
      return (await findOrder(tx, order.id)) ?? order;
    })
    .catch(async (error: unknown) => {
      // No order holds the units: put them back (a failed release is logged; the units stay
      // reserved at offer under an order id cart does not know).
      await deps.offer
        .settleStock(orderId, 'release')
        .catch((releaseError) =>
          deps.log.error({ err: releaseError, orderId }, 'releasing the stock failed'),
        );
      throw error;
    });
  deps.metrics.orderCreated(created.total);
  effects.run();
  return created;
}

/** Effects a transaction asks for, run once it committed (a retried one starts afresh). */
function afterCommitEffects() {
  let effects: (() => void)[] = [];
  return {
    add: (effect: () => void) => {
      effects.push(effect);
    },
    clear: () => {
      effects = [];
    },
    run: () => {
      for (const effect of effects) effect();
      effects = [];
    },
  };
}
