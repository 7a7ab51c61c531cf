// An order as the single-order routes answer it (the shopper's and staff's): with its status
// history and the refunds the provider reported.
import type { Database } from '@shop/shared';
import type { Order } from '../domain/order.js';
import { presentOrder } from '../flows/checkout.js';
import { listRefunds, listTransitions } from '../store.js';

/** An order with its transitions and reported refunds (the shopper's view adds nothing else). */
export async function orderHistory(db: Database, order: Order) {
  const [transitions, refunds] = await Promise.all([
    listTransitions(db, order.id),
    listRefunds(db, order.id),
  ]);
  return {
    ...presentOrder(order),
    transitions: transitions.map((t) => ({ ...t, at: t.at.toISOString() })),
    refunds: refunds.map((r) => ({
      providerRefundId: r.providerRefundId,
      amount: r.amount,
      counted: r.counted,
      reason: r.reason,
      eventId: r.eventId,
      at: r.at.toISOString(),
    })),
  };
}
