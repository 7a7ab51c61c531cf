// Which payment event may move an order from which status. Orders change only by events.

export type OrderStatus = 'pending_payment' | 'paid' | 'payment_failed' | 'cancelled' | 'refunded';

export type PaymentEventType =
  | 'shop.payment.succeeded'
  | 'shop.payment.failed'
  | 'shop.payment.refunded';

/**
 * What a payment event does to an order in `status`:
 * - `move`: the transition is allowed, to `to`;
 * - `wait`: it cannot apply yet but may later (a refund before its payment succeeded): keep it;
 * - `ignore`: it can never apply (a failure after the payment succeeded): log and drop it.
 */
export type PaymentEventEffect =
  | { kind: 'move'; to: OrderStatus }
  | { kind: 'wait' }
  | { kind: 'ignore'; reason: string };

/**
 * The allowed transitions:
 * - succeeded: pending_payment | payment_failed | cancelled → paid (money taken is never lost:
 *   a success after a decline, a retry with another card, or a late one after a cancel counts);
 * - failed: pending_payment → payment_failed; otherwise ignored (a late decline after success);
 * - refunded: paid → refunded; before the payment succeeded it waits; refunded again → ignored.
 * @example decidePaymentEffect('paid', 'shop.payment.refunded'); // { kind: 'move', to: 'refunded' }
 */
export function decidePaymentEffect(
  status: OrderStatus,
  type: PaymentEventType,
): PaymentEventEffect {
  switch (type) {
    case 'shop.payment.succeeded':
      return status === 'paid' || status === 'refunded'
        ? { kind: 'ignore', reason: `the order is already ${status}` }
        : { kind: 'move', to: 'paid' };
    case 'shop.payment.failed':
      return status === 'pending_payment'
        ? { kind: 'move', to: 'payment_failed' }
        : { kind: 'ignore', reason: `a failure cannot change a ${status} order` };
    case 'shop.payment.refunded':
      if (status === 'paid') return { kind: 'move', to: 'refunded' };
      if (status === 'refunded') return { kind: 'ignore', reason: 'the order is already refunded' };
      return { kind: 'wait' };
  }
}
