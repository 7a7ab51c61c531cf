// Payment events move orders: checked against the order (its intent, total and currency; refunds
// against its payment and what is left of the capture), applied in the transaction of the event's
// inbox record, kept for later when the order does not exist yet or the event cannot apply yet (a
// refund before its payment), recorded as shop.order.payment_mismatched when it does not match,
// ignored with a log line when it can never apply.
import type { eventCatalog } from '@shop/eventing';
import type { EventData, KeyValue, Logger, Queryable } from '@shop/shared';
import { cartKey } from '../domain/cart-id.js';
import {
  checkPaymentEvent,
  describeMismatch,
  type MismatchReason,
} from '../domain/check-payment-event.js';
import type { Order } from '../domain/order.js';
import { decidePaymentEffect } from '../domain/order-status.js';
import { eventUserId, recordOrderEvent } from '../events.js';
import type { CartMetrics } from '../metrics.js';
import {
  deletePendingEvent,
  findOrder,
  findRefund,
  keepPendingEvent,
  listPendingEvents,
  moveOrder,
  recordRefund,
  setStockStatus,
} from '../store.js';

type Catalog = typeof eventCatalog;

export type PaymentEvent =
  | { type: 'shop.payment.succeeded'; data: EventData<Catalog, 'shop.payment.succeeded'> }
  | { type: 'shop.payment.failed'; data: EventData<Catalog, 'shop.payment.failed'> }
  | { type: 'shop.payment.refunded'; data: EventData<Catalog, 'shop.payment.refunded'> };

export interface PaymentEventDeps {
  kv: KeyValue;
  log: Logger;
  clock: () => Date;
  /** Business counters, counted after the transaction commits. */
  metrics: CartMetrics;
}

/**
 * Runs an effect once the caller's transaction committed, never when it rolled back (the
 * receiver's `afterCommit`, or checkout's own after its transaction).
 */
export type AfterCommit = (effect: () => void) => void;

export type ApplyOutcome = 'applied' | 'kept' | 'ignored';

/**
 * Handles one payment event (already deduplicated by the inbox) inside `tx`: applies it to its
 * order, or keeps it in cart.pending_payment_event, or ignores it. After a change, events kept
 * for the order are tried again (a refund kept until its payment succeeded). What it counts
 * (revenue, refunds) goes through `afterCommit`.
 */
export async function handlePaymentEvent(
  tx: Queryable,
  deps: PaymentEventDeps,
  event: PaymentEvent & { source: string; id: string },
  afterCommit: AfterCommit,
): Promise<ApplyOutcome> {
  const order = await findOrder(tx, event.data.orderId, { forUpdate: true });
  if (!order) {
    deps.log.info({ orderId: event.data.orderId }, 'payment event before its order: kept');
    await keepPendingEvent(tx, { ...event, orderId: event.data.orderId });
    return 'kept';
  }
  const outcome = await applyToOrder(tx, deps, order, event, afterCommit);
  if (outcome === 'kept') {
    await keepPendingEvent(tx, { ...event, orderId: order.id });
  } else if (outcome === 'applied') {
    await applyPendingEvents(tx, deps, order.id, afterCommit);
  }
  return outcome;
}

/**
 * Applies the events kept for an order while any of them applies (called when the order is
 * created, and after each change). Applied and impossible ones leave the table.
 */
export async function applyPendingEvents(
  tx: Queryable,
  deps: PaymentEventDeps,
  orderId: string,
  afterCommit: AfterCommit,
): Promise<number> {
  let applied = 0;
  for (let progress = true; progress; ) {
    progress = false;
    for (const pending of await listPendingEvents(tx, orderId)) {
      const order = await findOrder(tx, orderId, { forUpdate: true });
      if (!order) return applied;
      const outcome = await applyToOrder(
        tx,
        deps,
        order,
        {
          ...(pending as unknown as PaymentEvent),
          source: pending.source,
          id: pending.id,
        },
        afterCommit,
      );
      if (outcome === 'kept') continue;
      await deletePendingEvent(tx, pending.source, pending.id);
      if (outcome === 'applied') {
        applied++;
        progress = true;
        break;
      }
    }
  }
  return applied;
}

async function applyToOrder(
  tx: Queryable,
  deps: PaymentEventDeps,
  order: Order,
  event: PaymentEvent & { source: string; id: string },
  afterCommit: AfterCommit,
): Promise<ApplyOutcome> {
  const log = deps.log.child({ orderId: order.id, eventId: event.id, eventType: event.type });
  if (event.type === 'shop.payment.refunded') {
    // Each provider refund counts once, whatever event (or webhook scheme) reports it again.
    const known = await findRefund(tx, event.data.providerRefundId);
    if (known) {
      log.warn({ providerRefundId: known.providerRefundId }, 'refund already recorded: ignored');
      return 'ignored';
    }
  }
  const check = checkPaymentEvent(order, event);
  const effect = decidePaymentEffect(order.status, check.fact);
  if (effect.kind === 'wait') {
    log.info({ status: order.status, fact: check.fact }, 'payment event cannot apply yet: kept');
    return 'kept';
  }
  if (effect.kind === 'ignore') {
    log.warn({ status: order.status, reason: effect.reason }, 'payment event ignored');
    return 'ignored';
  }
  const at = deps.clock();
  const userId = eventUserId(order.userId);
  const mismatch = check.reasons.length > 0 ? describeMismatch(check) : null;
  const cause = { eventId: event.id, eventType: event.type, at, reason: mismatch };
  if (event.type === 'shop.payment.refunded') {
    await recordRefund(tx, {
      providerRefundId: event.data.providerRefundId,
      orderId: order.id,
      paymentId: event.data.paymentId,
      amount: event.data.amount,
      counted: effect.kind === 'move',
      reason: mismatch,
      eventSource: event.source,
      eventId: event.id,
      at,
    });
  }
  if (effect.kind === 'flag' || effect.to === 'payment_review') {
    // Not applied: the order does not move to paid or count the refund; staff review it.
    const to = effect.kind === 'move' ? effect.to : order.status;
    if (effect.kind === 'move') await moveOrder(tx, order, to, cause);
    await recordOrderEvent(tx, 'shop.order.payment_mismatched', order.id, {
      orderId: order.id,
      userId,
      paymentEventType:
        event.type === 'shop.payment.refunded' ? event.type : 'shop.payment.succeeded',
      paymentEventId: event.id,
      paymentId: event.data.paymentId,
      providerPaymentId:
        event.type === 'shop.payment.refunded' ? null : event.data.providerPaymentId,
      providerRefundId: event.type === 'shop.payment.refunded' ? event.data.providerRefundId : null,
      reasons: check.reasons as [MismatchReason, ...MismatchReason[]],
      expected: check.expected,
      received: check.received,
      status: to,
      detectedAt: at.toISOString(),
    });
    log.warn({ status: order.status, to, mismatch }, 'payment event does not match its order');
    return 'applied';
  }
  switch (event.type) {
    case 'shop.payment.succeeded': {
      await moveOrder(tx, order, effect.to, cause, { paymentId: event.data.paymentId });
      // Paid: the reservation becomes final (the sweep commits it at offer, woken after this).
      await setStockStatus(tx, order.id, ['reserved', 'release_due', 'released'], 'commit_due');
      await recordOrderEvent(tx, 'shop.order.paid', order.id, {
        orderId: order.id,
        userId,
        paymentId: event.data.paymentId,
        items: order.items,
        total: order.total,
        paidAt: at.toISOString(),
      });
      afterCommit(() => deps.metrics.orderPaid(order.total));
      // The cart was kept through checkout so a failed payment loses nothing; paid, it goes.
      // Not transactional with the database: a rollback and redelivery clears it again.
      await deps.kv.del(cartKey({ userId: order.userId }));
      break;
    }
    case 'shop.payment.failed': {
      await moveOrder(tx, order, effect.to, cause, { paymentId: event.data.paymentId });
      // Declined: the units go back to offer (released by the sweep, woken after this).
      await setStockStatus(tx, order.id, ['reserved'], 'release_due');
      await recordOrderEvent(tx, 'shop.order.payment_failed', order.id, {
        orderId: order.id,
        userId,
        paymentId: event.data.paymentId,
        reason: event.data.reason,
        failedAt: at.toISOString(),
      });
      break;
    }
    case 'shop.payment.refunded': {
      await moveOrder(tx, order, effect.to, cause, {
        refundedAmount: order.refundedAmount + event.data.amount.amount,
      });
      await recordOrderEvent(tx, 'shop.order.refunded', order.id, {
        orderId: order.id,
        userId,
        paymentId: event.data.paymentId,
        amount: event.data.amount,
        refundedAt: at.toISOString(),
      });
      afterCommit(() => deps.metrics.refunded(event.data.amount));
      break;
    }
  }
  log.info({ from: order.status, to: effect.to }, 'order moved by a payment event');
  return 'applied';
}
