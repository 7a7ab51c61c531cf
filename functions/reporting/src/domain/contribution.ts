// What an order adds to the reports, as a pure function of the facts known about it: the
// same facts give the same answer whatever order they arrived in.

export interface OrderFacts {
  order: { currency: string; totalAmount: number } | null;
  payments: readonly {
    paymentId: string;
    amount: number;
    currency: string;
    succeededAt: Date;
    mismatched: boolean;
  }[];
  refunds: readonly {
    paymentId: string;
    providerRefundId: string;
    amount: number;
    currency: string;
    refundedAt: Date;
    mismatched: boolean;
  }[];
}

export interface Sale {
  paymentId: string;
  currency: string;
  revenue: number;
  paidAt: Date;
}

export interface CountedRefund {
  paymentId: string;
  providerRefundId: string;
  currency: string;
  amount: number;
  refundedAt: Date;
}

export interface Contribution {
  sale: Sale | null;
  refunds: CountedRefund[];
}

const byTimeThenId =
  <T>(time: (t: T) => Date, id: (t: T) => string) =>
  (a: T, b: T) =>
    time(a).getTime() - time(b).getTime() || (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0);

/**
 * The order's sale (its first payment for exactly its total and currency that cart did not
 * refuse) and the refunds of that payment that count (same currency, not refused, never more
 * in total than the sale, earliest first).
 * @example contributionOf({ order: { currency: 'EUR', totalAmount: 500 }, payments, refunds })
 */
export function contributionOf(facts: OrderFacts): Contribution {
  const { order } = facts;
  if (!order) return { sale: null, refunds: [] };
  const paid = facts.payments
    .filter((p) => !p.mismatched && p.amount === order.totalAmount && p.currency === order.currency)
    .sort(
      byTimeThenId(
        (p) => p.succeededAt,
        (p) => p.paymentId,
      ),
    )[0];
  if (!paid) return { sale: null, refunds: [] };
  const sale: Sale = {
    paymentId: paid.paymentId,
    currency: order.currency,
    revenue: order.totalAmount,
    paidAt: paid.succeededAt,
  };
  const refunds: CountedRefund[] = [];
  let left = sale.revenue;
  const candidates = facts.refunds
    .filter((r) => !r.mismatched && r.paymentId === paid.paymentId && r.currency === sale.currency)
    .sort(
      byTimeThenId(
        (r) => r.refundedAt,
        (r) => r.providerRefundId,
      ),
    );
  for (const refund of candidates) {
    if (refund.amount > left) continue;
    left -= refund.amount;
    refunds.push({
      paymentId: refund.paymentId,
      providerRefundId: refund.providerRefundId,
      currency: refund.currency,
      amount: refund.amount,
      refundedAt: refund.refundedAt,
    });
  }
  return { sale, refunds };
}
