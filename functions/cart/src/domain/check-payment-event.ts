// A payment event checked against the order it names: money is checked against its record, so a
// payment pays only its own order (the intent checkout created for it), for its exact total and
// currency, and refunds never exceed what was captured.
import { type Money, money } from '@shop/shared';
import type { Order } from './order.js';
import type { PaymentFact } from './order-status.js';

export type MismatchReason =
  | 'amount_mismatch'
  | 'currency_mismatch'
  | 'payment_intent_mismatch'
  | 'refund_of_another_payment'
  | 'refund_exceeds_captured';

/** The part of a payment event the check reads. */
export type CheckedEvent =
  | {
      type: 'shop.payment.succeeded' | 'shop.payment.failed';
      data: { providerPaymentId: string; amount: Money };
    }
  | { type: 'shop.payment.refunded'; data: { paymentId: string; amount: Money } };

export interface PaymentCheck {
  fact: PaymentFact;
  /** Why it does not match (empty when it does). */
  reasons: MismatchReason[];
  /** What the order expects: its total for a payment, what is left to refund for a refund. */
  expected: Money;
  received: Money;
}

/**
 * Checks a payment event against its order. A success must name the payment intent the order
 * recorded at checkout and carry exactly its total in its currency. A refund must be of the
 * payment that paid the order (its `paymentId`), in its currency, and fit in what is left of the
 * capture (the total: an order is paid only by exactly its total). The webhook scheme
 * (`provider`: stripe or standard) is not compared: it is how the event came, not who holds the
 * money; the intent id is the provider's own.
 * @example checkPaymentEvent(order, succeeded).fact // 'succeeded' | 'mismatched' | 'unbound'
 */
export function checkPaymentEvent(order: Order, event: CheckedEvent): PaymentCheck {
  const received = event.data.amount;
  if (event.type === 'shop.payment.refunded') {
    const left = Math.max(order.total.amount - order.refundedAmount, 0);
    const expected = money(left, order.total.currency);
    const reasons: MismatchReason[] = [];
    if (order.paymentId === null || event.data.paymentId !== order.paymentId) {
      reasons.push('refund_of_another_payment');
    }
    if (received.currency !== order.total.currency) reasons.push('currency_mismatch');
    else if (received.amount > left) reasons.push('refund_exceeds_captured');
    if (reasons.length > 0) return { fact: 'refund_mismatched', reasons, expected, received };
    const fact = received.amount === left ? 'refunded_fully' : 'refunded_partly';
    return { fact, reasons, expected, received };
  }
  const expected = order.total;
  if (order.providerPaymentId === null) return { fact: 'unbound', reasons: [], expected, received };
  const reasons: MismatchReason[] = [];
  if (event.data.providerPaymentId !== order.providerPaymentId) {
    reasons.push('payment_intent_mismatch');
  }
  if (received.currency !== expected.currency) reasons.push('currency_mismatch');
  if (received.amount !== expected.amount) reasons.push('amount_mismatch');
  if (event.type === 'shop.payment.failed') {
    // A failure moves no money: only the order's own intent may fail it.
    const fact = reasons.includes('payment_intent_mismatch') ? 'foreign_failure' : 'failed';
    return { fact, reasons: [], expected, received };
  }
  return { fact: reasons.length > 0 ? 'mismatched' : 'succeeded', reasons, expected, received };
}

/**
 * The reasons in words, for the order's transition and the logs.
 * @example describeMismatch(check) // 'amount_mismatch: received 1 EUR, expected 4990 EUR'
 */
export function describeMismatch(check: PaymentCheck): string {
  const show = (m: Money) => `${m.amount} ${m.currency}`;
  return `${check.reasons.join(', ')}: received ${show(check.received)}, expected ${show(check.expected)}`;
}
