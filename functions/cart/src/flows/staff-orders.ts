// What staff do to an order: refund (part of) a paid one at the provider, resolve a payment
// review, cancel an unpaid one. Each is recorded with the staff member's id and an event
// (audited) in the transaction of the change. Money still moves only by events: a refund is
// asked for here and counted when the provider's shop.payment.refunded arrives.
import { createHash } from 'node:crypto';
import {
  type Database,
  formatEtag,
  type IfMatch,
  type Logger,
  money,
  newId,
  Problem,
  type Queryable,
} from '@shop/shared';
import { CANCELLABLE_STATUSES, REFUNDABLE_STATUSES } from '@shop/shared/orders';
import type { Order, RefundReason, RefundRequest } from '../domain/order.js';
import { eventUserId, recordOrderEvent } from '../events.js';
import { type PaymentClient, PaymentProviderError } from '../payment-client.js';
import {
  findOrder,
  findRefundRequest,
  insertRefundRequest,
  moveOrder,
  refundsInFlight,
  setStockStatus,
  settleRefundRequest,
  statusBeforeReview,
} from '../store.js';

export interface StaffOrderDeps {
  db: Database;
  payments: PaymentClient;
  log: Logger;
  clock: () => Date;
  /** Called once a transaction that wrote to cart.outbox committed (wakes the relay). */
  onEventsRecorded: () => void;
  /** Called when an order's reservation became due for release (wakes the sweep). */
  onStockDue?: (() => void) | undefined;
}

const noSuchOrder = () => new Problem(404, 'No order has this id.');

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/** The order, locked, at the version If-Match names: 428 without one, 412 at another. */
async function lockAtVersion(tx: Transaction, orderId: string, ifMatch: IfMatch): Promise<Order> {
  if (ifMatch.kind !== 'versions') {
    throw new Problem(
      428,
      'Send If-Match with the ETag of the order as you last read it, e.g. If-Match: W/"3".',
    );
  }
  const order = await findOrder(tx, orderId, { forUpdate: true });
  if (!order) throw noSuchOrder();
  if (!ifMatch.versions.includes(order.version)) {
    throw new Problem(
      412,
      `The order changed since you read it: it is at version ${order.version}.`,
      { type: 'https://shop.example/problems/stale-version', currentVersion: order.version },
      { ETag: formatEtag(order.version) },
    );
  }
  return order;
}

/**
 * Moves an order to cancelled by a staff member with its shop.order.cancelled event; its
 * reservation becomes due for release. Whether one did (the sweep should run).
 */
async function cancelByStaff(
  tx: Transaction,
  order: Order,
  staffId: string,
  now: Date,
  reason: string,
): Promise<boolean> {
  await moveOrder(tx, order, 'cancelled', { eventId: null, eventType: null, at: now, reason });
  await recordOrderEvent(tx, 'shop.order.cancelled', order.id, {
    orderId: order.id,
    userId: eventUserId(order.userId),
    reason: 'staff',
    cancelledBy: staffId,
    cancelledAt: now.toISOString(),
  });
  return setStockStatus(tx, order.id, ['reserved'], 'release_due');
}

/**
 * One staff edit of an order at the version If-Match names, in a transaction: `edit` gets the
 * locked order and answers whether its stock became due for release. Afterwards the relay is
 * woken (the edit wrote events) and, when due, the sweep; the order is returned as it is now.
 */
async function editAtVersion(
  deps: StaffOrderDeps,
  orderId: string,
  ifMatch: IfMatch,
  edit: (tx: Transaction, current: Order) => Promise<boolean>,
): Promise<Order> {
  let released = false;
  const order = await deps.db.transaction(async (tx) => {
    released = await edit(tx, await lockAtVersion(tx, orderId, ifMatch));
    return findOrder(tx, orderId);
  });
  deps.onEventsRecorded();
  if (released) deps.onStockDue?.();
  if (!order) throw noSuchOrder();
  return order;
}

/**
 * What can still be refunded of an order: for a paid one, its total less what was refunded and
 * what is asked for but not yet reported; nothing for any other.
 */
export async function refundableAmount(tx: Queryable, order: Order): Promise<number> {
  if (!REFUNDABLE_STATUSES.includes(order.status) || !order.providerPaymentId) return 0;
  const inFlight = await refundsInFlight(tx, order.id);
  return Math.max(0, order.total.amount - order.refundedAmount - inFlight);
}

/** What a refund request asks: its amount (default all that is refundable) and why. */
export interface RefundInput {
  amount?: number | undefined;
  reason: RefundReason;
  note?: string | undefined;
}

/** How a refund request ended: stored and made at the provider, or found again under its key. */
export interface RefundOutcome {
  request: RefundRequest;
  /** Whether this call created it (false: the same key asked before). */
  created: boolean;
}

/**
 * Refunds (part of) a paid order at the provider under the staff member's Idempotency-Key. The
 * request is stored with its shop.order.refund_requested event before the provider is called,
 * with the request's id as the provider's idempotency key: a retry (same key, same body) after
 * an outage resumes it and never refunds twice; the same key with another body is a 422. What
 * can be refunded is the total less what was refunded and what is asked for but not yet
 * confirmed, judged under the order's row lock, so two staff members cannot refund it twice.
 */
export async function requestRefund(
  deps: StaffOrderDeps,
  orderId: string,
  staffId: string,
  idempotencyKey: string,
  input: RefundInput,
): Promise<RefundOutcome> {
  const requestHash = createHash('sha256')
    .update(JSON.stringify([input.amount ?? null, input.reason, input.note ?? null]))
    .digest('hex');
  const now = deps.clock();
  const stored = await deps.db.transaction(async (tx) => {
    const order = await findOrder(tx, orderId, { forUpdate: true });
    if (!order) throw noSuchOrder();
    const existing = await findRefundRequest(tx, orderId, idempotencyKey);
    if (existing) {
      if (existing.requestHash !== requestHash) {
        throw new Problem(
          422,
          'This Idempotency-Key was used for another refund of this order; use a new key.',
          { type: 'https://shop.example/problems/idempotency-key-reused' },
        );
      }
      return { request: existing, created: false, order };
    }
    if (!REFUNDABLE_STATUSES.includes(order.status) || !order.providerPaymentId) {
      throw new Problem(409, `A ${order.status} order has no payment to refund.`, {
        type: 'https://shop.example/problems/order-not-refundable',
        orderStatus: order.status,
      });
    }
    const refundable = await refundableAmount(tx, order);
    if (refundable <= 0) {
      throw new Problem(409, 'Everything paid for this order is refunded or being refunded.', {
        type: 'https://shop.example/problems/nothing-to-refund',
        refundable: money(0, order.total.currency),
      });
    }
    const amount = input.amount ?? refundable;
    if (amount > refundable) {
      throw new Problem(
        422,
        `At most ${refundable} minor units of this order can be refunded (counting refunds in flight).`,
        {
          type: 'https://shop.example/problems/refund-exceeds-refundable',
          refundable: money(refundable, order.total.currency),
        },
      );
    }
    const request = await insertRefundRequest(tx, {
      id: newId(),
      orderId,
      idempotencyKey,
      requestHash,
      amount: money(amount, order.total.currency),
      reason: input.reason,
      note: input.note ?? null,
      requestedBy: staffId,
      createdAt: now,
    });
    await recordOrderEvent(tx, 'shop.order.refund_requested', orderId, {
      orderId,
      userId: eventUserId(order.userId),
      refundRequestId: request.id,
      amount: request.amount,
      reason: request.reason,
      note: request.note,
      requestedBy: staffId,
      requestedAt: now.toISOString(),
    });
    return { request, created: true, order };
  });
  if (stored.created) deps.onEventsRecorded();
  if (stored.request.status !== 'requested') {
    return { request: stored.request, created: stored.created };
  }
  const paymentIntentId = stored.order.providerPaymentId;
  if (!paymentIntentId) throw new Problem(409, 'The order has no payment to refund.');
  let refund: Awaited<ReturnType<PaymentClient['createRefund']>>;
  try {
    refund = await deps.payments.createRefund({
      paymentIntentId,
      amount: stored.request.amount.amount,
      idempotencyKey: `refund-${stored.request.id}`,
      ...(stored.request.reason !== 'other' && { reason: stored.request.reason }),
      metadata: { orderId, refundRequestId: stored.request.id },
    });
  } catch (error) {
    if (error instanceof PaymentProviderError && error.refused) {
      // The provider will not make this refund as asked: nothing was refunded; the key is spent.
      const failed = await settleRefundRequest(
        deps.db,
        stored.request.id,
        { status: 'failed', error: error.message.slice(0, 500) },
        deps.clock(),
      );
      deps.log.warn({ err: error, orderId, refundRequestId: stored.request.id }, 'refund refused');
      return { request: failed ?? stored.request, created: stored.created };
    }
    deps.log.error({ err: error, orderId, refundRequestId: stored.request.id }, 'refund not sent');
    throw new Problem(
      502,
      'The payment provider did not answer; send the same request with the same Idempotency-Key again.',
      { refundRequestId: stored.request.id },
      { 'Retry-After': '5' },
    );
  }
  const sent = await settleRefundRequest(
    deps.db,
    stored.request.id,
    { status: 'sent', providerRefundId: refund.id },
    deps.clock(),
  );
  // null: a concurrent retry settled it first; read what it stored.
  const request = sent ?? (await findRefundRequest(deps.db, orderId, idempotencyKey));
  return { request: request ?? stored.request, created: stored.created };
}

/** How staff resolve an order a payment did not match. */
export type ReviewResolution = 'cancel' | 'dismiss';

/**
 * Resolves an order in payment_review at the version staff saw: `cancel` cancels it (its stock
 * goes back; shop.order.cancelled), `dismiss` returns it to the status it had before the
 * mismatched payment (it waits for its own payment again). Either way shop.order.review_resolved
 * names who did it. The mismatched money itself is for the provider's dashboard: it paid no
 * order here.
 */
export async function resolveReview(
  deps: StaffOrderDeps,
  orderId: string,
  staffId: string,
  ifMatch: IfMatch,
  resolution: ReviewResolution,
  note: string | null,
): Promise<Order> {
  const now = deps.clock();
  return editAtVersion(deps, orderId, ifMatch, async (tx, current) => {
    if (current.status !== 'payment_review') {
      throw new Problem(409, `The order is ${current.status}, not in payment review.`, {
        type: 'https://shop.example/problems/order-not-in-review',
        orderStatus: current.status,
      });
    }
    const to: 'cancelled' | 'pending_payment' | 'payment_failed' =
      resolution === 'cancel'
        ? 'cancelled'
        : await statusBeforeReview(tx, orderId).then((from) =>
            from === 'payment_failed' || from === 'cancelled' ? from : 'pending_payment',
          );
    let released = false;
    if (resolution === 'cancel') {
      released = await cancelByStaff(tx, current, staffId, now, 'review_cancelled');
    } else {
      await moveOrder(tx, current, to, {
        eventId: null,
        eventType: null,
        at: now,
        reason: 'review_dismissed',
      });
    }
    await recordOrderEvent(tx, 'shop.order.review_resolved', orderId, {
      orderId,
      userId: eventUserId(current.userId),
      resolution,
      status: to,
      note,
      resolvedBy: staffId,
      resolvedAt: now.toISOString(),
    });
    return released;
  });
}

/**
 * Cancels an unpaid order (pending, failed or in review) at the version staff saw; its stock
 * goes back. A paid order is refunded instead (409). A payment that still arrives for it pays it,
 * as for any cancelled order: money taken is never lost.
 */
export async function cancelOrder(
  deps: StaffOrderDeps,
  orderId: string,
  staffId: string,
  ifMatch: IfMatch,
  note: string | null,
): Promise<Order> {
  const now = deps.clock();
  return editAtVersion(deps, orderId, ifMatch, async (tx, current) => {
    if (!CANCELLABLE_STATUSES.includes(current.status)) {
      throw new Problem(
        409,
        REFUNDABLE_STATUSES.includes(current.status)
          ? 'The order is paid: refund it instead of cancelling it.'
          : `A ${current.status} order cannot be cancelled.`,
        {
          type: 'https://shop.example/problems/order-not-cancellable',
          orderStatus: current.status,
        },
      );
    }
    return cancelByStaff(
      tx,
      current,
      staffId,
      now,
      note ? `staff_cancelled: ${note}`.slice(0, 500) : 'staff_cancelled',
    );
  });
}
