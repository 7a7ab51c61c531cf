import { describe, expect, it } from 'vitest';
import { decidePaymentEffect, ORDER_STATUSES } from './order-status.js';

const UNPAID = ['pending_payment', 'payment_failed', 'cancelled', 'payment_review'] as const;
const PAID = ['paid', 'partially_refunded', 'refunded'] as const;

describe('decidePaymentEffect', () => {
  it('moves a pending order to paid or payment_failed', () => {
    expect(decidePaymentEffect('pending_payment', 'succeeded')).toEqual({
      kind: 'move',
      to: 'paid',
    });
    expect(decidePaymentEffect('pending_payment', 'failed')).toEqual({
      kind: 'move',
      to: 'payment_failed',
    });
  });

  it('lets a later matching success pay a failed, cancelled or reviewed order, never a failure undo a payment', () => {
    for (const status of UNPAID) {
      expect(decidePaymentEffect(status, 'succeeded')).toEqual({ kind: 'move', to: 'paid' });
    }
    for (const status of PAID) expect(decidePaymentEffect(status, 'failed').kind).toBe('ignore');
    expect(decidePaymentEffect('pending_payment', 'foreign_failure').kind).toBe('ignore');
  });

  it('never pays with a mismatched success: unpaid orders go to payment_review, paid ones keep their status', () => {
    for (const status of ORDER_STATUSES) {
      const effect = decidePaymentEffect(status, 'mismatched');
      expect(effect, status).not.toEqual({ kind: 'move', to: 'paid' });
    }
    for (const status of ['pending_payment', 'payment_failed', 'cancelled'] as const) {
      expect(decidePaymentEffect(status, 'mismatched')).toEqual({
        kind: 'move',
        to: 'payment_review',
      });
    }
    for (const status of ['payment_review', ...PAID] as const) {
      expect(decidePaymentEffect(status, 'mismatched')).toEqual({ kind: 'flag' });
    }
  });

  it('waits for the intent id before judging a payment', () => {
    for (const status of UNPAID) {
      expect(decidePaymentEffect(status, 'unbound')).toEqual({ kind: 'wait' });
    }
  });

  it('keeps refunds until the order is paid, then accumulates them up to refunded', () => {
    for (const status of UNPAID) {
      for (const fact of ['refunded_partly', 'refunded_fully', 'refund_mismatched'] as const) {
        expect(decidePaymentEffect(status, fact)).toEqual({ kind: 'wait' });
      }
    }
    expect(decidePaymentEffect('paid', 'refunded_partly')).toEqual({
      kind: 'move',
      to: 'partially_refunded',
    });
    expect(decidePaymentEffect('partially_refunded', 'refunded_partly')).toEqual({
      kind: 'move',
      to: 'partially_refunded',
    });
    expect(decidePaymentEffect('paid', 'refunded_fully')).toEqual({ kind: 'move', to: 'refunded' });
    expect(decidePaymentEffect('partially_refunded', 'refunded_fully')).toEqual({
      kind: 'move',
      to: 'refunded',
    });
  });

  it('records, never applies, a refund that does not fit a paid order', () => {
    for (const status of PAID) {
      expect(decidePaymentEffect(status, 'refund_mismatched')).toEqual({ kind: 'flag' });
    }
  });
});
