import { money } from '@shop/shared';
import { describe, expect, it } from 'vitest';
import { checkPaymentEvent, describeMismatch } from './check-payment-event.js';
import type { Order } from './order.js';

const PAYMENT_ID = '0193a000-0000-7000-8000-000000000001';

function order(fields: Partial<Order> = {}): Order {
  return {
    id: '0193a000-0000-7000-8000-0000000000aa',
    userId: 'u1',
    status: 'pending_payment',
    items: [],
    total: money(4990, 'EUR'),
    shippingAddress: { name: 'A', line1: 'B', postalCode: '1', city: 'C', country: 'DE' },
    clickId: null,
    paymentProvider: 'stripe',
    providerPaymentId: 'pi_a',
    paymentId: null,
    refundedAmount: 0,
    version: 1,
    createdAt: new Date(),
    updatedAt: new Date(),
    ...fields,
  };
}

const succeeded = (amount: number, currency = 'EUR', providerPaymentId = 'pi_a') => ({
  type: 'shop.payment.succeeded' as const,
  data: { providerPaymentId, amount: money(amount, currency) },
});
const refunded = (amount: number, currency = 'EUR', paymentId = PAYMENT_ID) => ({
  type: 'shop.payment.refunded' as const,
  data: { paymentId, amount: money(amount, currency) },
});

describe('checkPaymentEvent', () => {
  it('accepts a success of the order’s own intent for exactly its total', () => {
    expect(checkPaymentEvent(order(), succeeded(4990))).toMatchObject({
      fact: 'succeeded',
      reasons: [],
    });
  });

  it('refuses 1 cent for a 4,990 order, the right amount in another currency, another intent', () => {
    const cent = checkPaymentEvent(order(), succeeded(1));
    expect(cent).toMatchObject({ fact: 'mismatched', reasons: ['amount_mismatch'] });
    expect(describeMismatch(cent)).toBe('amount_mismatch: received 1 EUR, expected 4990 EUR');
    expect(checkPaymentEvent(order(), succeeded(4990, 'USD'))).toMatchObject({
      fact: 'mismatched',
      reasons: ['currency_mismatch'],
    });
    expect(checkPaymentEvent(order(), succeeded(4990, 'EUR', 'pi_b'))).toMatchObject({
      fact: 'mismatched',
      reasons: ['payment_intent_mismatch'],
    });
  });

  it('waits while the order has no intent id, and lets only its own intent fail it', () => {
    expect(checkPaymentEvent(order({ providerPaymentId: null }), succeeded(4990)).fact).toBe(
      'unbound',
    );
    const failed = (id: string) => ({
      type: 'shop.payment.failed' as const,
      data: { providerPaymentId: id, amount: money(4990, 'EUR') },
    });
    expect(checkPaymentEvent(order(), failed('pi_a')).fact).toBe('failed');
    expect(checkPaymentEvent(order(), failed('pi_b')).fact).toBe('foreign_failure');
  });

  it('counts refunds of the order’s payment up to what was captured, and no further', () => {
    const paid = order({ status: 'paid', paymentId: PAYMENT_ID });
    expect(checkPaymentEvent(paid, refunded(1000)).fact).toBe('refunded_partly');
    expect(checkPaymentEvent(paid, refunded(4990)).fact).toBe('refunded_fully');
    const partly = order({
      status: 'partially_refunded',
      paymentId: PAYMENT_ID,
      refundedAmount: 4000,
    });
    expect(checkPaymentEvent(partly, refunded(990)).fact).toBe('refunded_fully');
    expect(checkPaymentEvent(partly, refunded(991))).toMatchObject({
      fact: 'refund_mismatched',
      reasons: ['refund_exceeds_captured'],
      expected: { amount: 990, currency: 'EUR' },
    });
    expect(checkPaymentEvent(paid, refunded(100, 'USD')).reasons).toEqual(['currency_mismatch']);
    expect(
      checkPaymentEvent(paid, refunded(100, 'EUR', '0193a000-0000-7000-8000-000000000002')).reasons,
    ).toEqual(['refund_of_another_payment']);
  });
});
