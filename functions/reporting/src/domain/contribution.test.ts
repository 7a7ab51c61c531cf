import { describe, expect, it } from 'vitest';
import { contributionOf, type OrderFacts } from './contribution.js';

const at = (iso: string) => new Date(iso);
const order = { currency: 'EUR', totalAmount: 1000 };
const payment = (paymentId: string, amount: number, time: string, mismatched = false) => ({
  paymentId,
  amount,
  currency: 'EUR',
  succeededAt: at(time),
  mismatched,
});
const refund = (providerRefundId: string, amount: number, time: string, paymentId = 'p1') => ({
  paymentId,
  providerRefundId,
  amount,
  currency: 'EUR',
  refundedAt: at(time),
  mismatched: false,
});

describe('contributionOf', () => {
  it('counts nothing before the order is known, however many payments arrived', () => {
    expect(
      contributionOf({
        order: null,
        payments: [payment('p1', 1000, '2026-03-01T10:00:00Z')],
        refunds: [],
      }),
    ).toEqual({ sale: null, refunds: [] });
  });

  it('counts the earliest payment of exactly the total, not one of another amount or refused', () => {
    const facts: OrderFacts = {
      order,
      payments: [
        payment('p0', 999, '2026-03-01T09:00:00Z'),
        payment('p9', 1000, '2026-03-01T09:30:00Z', true),
        payment('p2', 1000, '2026-03-01T11:00:00Z'),
        payment('p1', 1000, '2026-03-01T10:00:00Z'),
      ],
      refunds: [],
    };
    expect(contributionOf(facts).sale).toEqual({
      paymentId: 'p1',
      currency: 'EUR',
      revenue: 1000,
      paidAt: at('2026-03-01T10:00:00Z'),
    });
  });

  it('counts no payment in another currency than the order, even for the same amount', () => {
    const facts: OrderFacts = {
      order,
      payments: [{ ...payment('p1', 1000, '2026-03-01T10:00:00Z'), currency: 'USD' }],
      refunds: [],
    };
    expect(contributionOf(facts)).toEqual({ sale: null, refunds: [] });
  });

  it('never refunds more than the sale, nor refunds of another payment or currency', () => {
    const facts: OrderFacts = {
      order,
      payments: [payment('p1', 1000, '2026-03-01T10:00:00Z')],
      refunds: [
        refund('r2', 600, '2026-03-03T10:00:00Z'),
        refund('r1', 600, '2026-03-02T10:00:00Z'),
        refund('r3', 400, '2026-03-04T10:00:00Z'),
        refund('rx', 100, '2026-03-02T10:00:00Z', 'p-other'),
        { ...refund('ry', 100, '2026-03-02T10:00:00Z'), currency: 'USD' },
      ],
    };
    expect(contributionOf(facts).refunds.map((r) => [r.providerRefundId, r.amount])).toEqual([
      ['r1', 600],
      ['r3', 400],
    ]);
  });
});
