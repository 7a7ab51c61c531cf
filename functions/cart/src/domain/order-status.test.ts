import { describe, expect, it } from 'vitest';
import { decidePaymentEffect } from './order-status.js';

describe('decidePaymentEffect', () => {
  it('moves a pending order to paid or payment_failed', () => {
    expect(decidePaymentEffect('pending_payment', 'shop.payment.succeeded')).toEqual({
      kind: 'move',
      to: 'paid',
    });
    expect(decidePaymentEffect('pending_payment', 'shop.payment.failed')).toEqual({
      kind: 'move',
      to: 'payment_failed',
    });
  });

  it('lets a later success move a failed order to paid, never a failure undo a payment', () => {
    expect(decidePaymentEffect('payment_failed', 'shop.payment.succeeded')).toMatchObject({
      to: 'paid',
    });
    expect(decidePaymentEffect('paid', 'shop.payment.failed').kind).toBe('ignore');
  });

  it('keeps a refund that arrives before the payment, and refunds only paid orders', () => {
    expect(decidePaymentEffect('pending_payment', 'shop.payment.refunded')).toEqual({
      kind: 'wait',
    });
    expect(decidePaymentEffect('paid', 'shop.payment.refunded')).toEqual({
      kind: 'move',
      to: 'refunded',
    });
    expect(decidePaymentEffect('refunded', 'shop.payment.refunded').kind).toBe('ignore');
  });
});
