// What an order is, independent of HTTP and SQL: what was bought at which price, where it goes,
// and how its payment stands.
import type { Money } from '@shop/shared';
import type { RefundReason } from '@shop/shared/orders';
import type { OrderStatus } from './order-status.js';

/** One product of an order, at the price offer had at checkout. */
export interface OrderItem {
  productId: string;
  slug: string;
  name: string;
  quantity: number;
  unitPrice: Money;
}

export interface ShippingAddress {
  name: string;
  line1: string;
  line2?: string | undefined;
  postalCode: string;
  city: string;
  /** ISO 3166-1 alpha-2, uppercase. */
  country: string;
}

export interface Order {
  id: string;
  userId: string;
  status: OrderStatus;
  items: OrderItem[];
  total: Money;
  shippingAddress: ShippingAddress;
  clickId: string | null;
  paymentProvider: string | null;
  providerPaymentId: string | null;
  paymentId: string | null;
  /** Minor units refunded so far, in the total's currency. */
  refundedAmount: number;
  /** Bumped by every change of the row (a trigger): the ETag staff edits name with If-Match. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** One status change of an order, with the event that caused it (none for the first). */
export interface Transition {
  from: OrderStatus | null;
  to: OrderStatus;
  eventId: string | null;
  eventType: string | null;
  at: Date;
  /** Why the event did not apply as such (a payment that does not match goes to review). */
  reason: string | null;
}

/** One refund the provider reported for an order: counted, or refused (`reason`). */
export interface Refund {
  providerRefundId: string;
  orderId: string;
  paymentId: string;
  amount: Money;
  /** Whether it is part of `refundedAmount`; a refund that does not fit the order is not. */
  counted: boolean;
  reason: string | null;
  eventId: string;
  at: Date;
}

export { REFUND_REASONS, type RefundReason } from '@shop/shared/orders';

/**
 * A refund staff asked the provider for: recorded before it is sent (`requested`), then `sent`
 * (the provider made it; the order counts it once `shop.payment.refunded` reports it) or
 * `failed` (the provider refused it; nothing was refunded).
 */
export interface RefundRequest {
  id: string;
  orderId: string;
  idempotencyKey: string;
  requestHash: string;
  amount: Money;
  reason: RefundReason;
  note: string | null;
  requestedBy: string;
  status: 'requested' | 'sent' | 'failed';
  providerRefundId: string | null;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
}
