// The cart function's business counters (metric catalog: ordersCreated, revenue, refunds). Each
// is counted once the transaction that made the fact committed, so a rolled-back handling or a
// duplicate delivery never counts.
import { catalogCounter, type Money, type ServiceMetrics } from '@shop/shared';

export interface CartMetrics {
  /** An order was created at checkout (`shop_orders_created_total`). */
  orderCreated(total: Money): void;
  /** An order became paid: its total is revenue (`shop_revenue_minor_units_total`). */
  orderPaid(total: Money): void;
  /** A refund was applied to an order (`shop_refunds_minor_units_total`). */
  refunded(amount: Money): void;
}

/** Counts nothing (an app built without metrics). */
export const noCartMetrics: CartMetrics = {
  orderCreated() {},
  orderPaid() {},
  refunded() {},
};

/**
 * The counters on the function's registry, each currency the shop sells in at 0 from the start.
 * An amount in another currency is counted under its own (offer sells in one currency only).
 * @example const counters = createCartMetrics(metrics, ['EUR']); counters.orderPaid(order.total);
 */
export function createCartMetrics(
  metrics: ServiceMetrics,
  currencies: readonly string[],
): CartMetrics {
  const values = { currency: currencies };
  const created = catalogCounter(metrics, 'ordersCreated', values);
  const revenue = catalogCounter(metrics, 'revenue', values);
  const refunds = catalogCounter(metrics, 'refunds', values);
  return {
    orderCreated: (total) => created.inc({ currency: total.currency }),
    orderPaid: (total) => revenue.inc({ currency: total.currency }, total.amount),
    refunded: (amount) => refunds.inc({ currency: amount.currency }, amount.amount),
  };
}
