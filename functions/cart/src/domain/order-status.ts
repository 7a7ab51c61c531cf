// Which payment fact may move an order from which status. Orders change only by events, and an
// event is first checked against its order (check-payment-event.ts): what it turns out to be
// — a payment of the order's own intent for its exact total, or one that does not match, a
// refund within what was captured or beyond it — is the fact this table is read with.

import type { OrderStatus } from '@shop/shared/orders';

export { ORDER_STATUSES, type OrderStatus } from '@shop/shared/orders';

/**
 * What a payment event is once checked against its order:
 * - `unbound`: the order has not recorded its payment intent yet (checkout is storing it);
 * - `succeeded` / `failed`: the order's own intent, for its exact total and currency;
 * - `mismatched`: a success for another amount, currency or intent;
 * - `foreign_failure`: a failure of another intent;
 * - `refunded_partly` / `refunded_fully`: a refund of the order's payment that leaves some of
 *   the capture / brings the refunds to all of it;
 * - `refund_mismatched`: a refund of another payment, in another currency or beyond the capture.
 */
export type PaymentFact =
  | 'unbound'
  | 'succeeded'
  | 'mismatched'
  | 'failed'
  | 'foreign_failure'
  | 'refunded_partly'
  | 'refunded_fully'
  | 'refund_mismatched';

/**
 * What a fact does to an order:
 * - `move`: the transition is allowed, to `to`;
 * - `flag`: not applied, the order keeps its status, and the mismatch is recorded (event);
 * - `wait`: it cannot apply yet but may later (a refund before its payment): keep it;
 * - `ignore`: it can never apply (a failure after the payment succeeded): log and drop it.
 */
export type PaymentEventEffect =
  | { kind: 'move'; to: OrderStatus }
  | { kind: 'flag' }
  | { kind: 'wait' }
  | { kind: 'ignore'; reason: string };

type Cell = OrderStatus | 'flag' | 'wait';
const UNPAID = ['pending_payment', 'payment_failed', 'cancelled', 'payment_review'] as const;
const WAIT_UNPAID = Object.fromEntries(UNPAID.map((s) => [s, 'wait'])) as Record<
  (typeof UNPAID)[number],
  'wait'
>;

/**
 * The allowed transitions (a missing cell: ignored):
 * - a matching success pays an unpaid order — also a failed, cancelled or reviewed one (money
 *   taken for the order is never lost);
 * - a mismatched success never pays: an unpaid order goes to payment_review, a paid one keeps
 *   its status (its own payment stands), and either way the mismatch is recorded;
 * - a failure of the order's intent fails a pending order only (a late decline never undoes a
 *   payment); one of another intent changes nothing;
 * - refunds wait until the order is paid, then accumulate: partially_refunded while some of the
 *   capture is left, refunded when none is; one that does not fit is recorded, not counted.
 */
const TRANSITIONS: Record<PaymentFact, Partial<Record<OrderStatus, Cell>>> = {
  unbound: { ...WAIT_UNPAID },
  succeeded: {
    pending_payment: 'paid',
    payment_failed: 'paid',
    cancelled: 'paid',
    payment_review: 'paid',
  },
  mismatched: {
    pending_payment: 'payment_review',
    payment_failed: 'payment_review',
    cancelled: 'payment_review',
    payment_review: 'flag',
    paid: 'flag',
    partially_refunded: 'flag',
    refunded: 'flag',
  },
  failed: { pending_payment: 'payment_failed' },
  foreign_failure: {},
  refunded_partly: {
    ...WAIT_UNPAID,
    paid: 'partially_refunded',
    partially_refunded: 'partially_refunded',
  },
  refunded_fully: { ...WAIT_UNPAID, paid: 'refunded', partially_refunded: 'refunded' },
  refund_mismatched: { ...WAIT_UNPAID, paid: 'flag', partially_refunded: 'flag', refunded: 'flag' },
};

/**
 * What a checked payment event does to an order in `status`, read from the transitions table.
 * @example decidePaymentEffect('paid', 'refunded_partly'); // { kind: 'move', to: 'partially_refunded' }
 */
export function decidePaymentEffect(status: OrderStatus, fact: PaymentFact): PaymentEventEffect {
  const cell = TRANSITIONS[fact][status];
  if (cell === 'wait') return { kind: 'wait' };
  if (cell === 'flag') return { kind: 'flag' };
  if (cell) return { kind: 'move', to: cell };
  return { kind: 'ignore', reason: `${fact} cannot change a ${status} order` };
}

/**
 * Whether an order left unpaid past the pending-order time is cancelled (payment_timeout): only
 * one still waiting for its payment; a failed or reviewed one keeps its status (and a success
 * still pays a cancelled order, as the table above says).
 * @example canExpire('pending_payment'); // true
 */
export function canExpire(status: OrderStatus): boolean {
  return status === 'pending_payment';
}
