// An order as cart's staff routes give it (/api/admin/orders, /api/admin/orders/:id), and what
// staff may do to one in each status — cart's own lists (@shop/shared/orders), so the screen
// offers only what the API would accept.
import {
  CANCELLABLE_STATUSES,
  type OrderStatus,
  REFUNDABLE_STATUSES,
  type RefundReason,
} from '@shop/shared/orders';

export interface Money {
  amount: number;
  currency: string;
}

export {
  ORDER_STATUSES,
  type OrderStatus,
  REFUND_REASONS,
  type RefundReason,
} from '@shop/shared/orders';

export interface StaffOrder {
  id: string;
  userId: string;
  version: number;
  status: OrderStatus;
  items: {
    productId: string;
    slug: string;
    name: string;
    quantity: number;
    unitPrice: Money;
    lineTotal: Money;
  }[];
  total: Money;
  shippingAddress: {
    name: string;
    line1: string;
    line2?: string;
    postalCode: string;
    city: string;
    country: string;
  };
  clickId: string | null;
  payment: { provider: string | null; providerPaymentId: string | null; paymentId: string | null };
  refundedAmount: number;
  createdAt: string;
  updatedAt: string;
}

export interface StaffOrderDetail extends StaffOrder {
  transitions: {
    from: OrderStatus | null;
    to: OrderStatus;
    eventId: string | null;
    eventType: string | null;
    at: string;
    reason: string | null;
  }[];
  refunds: {
    providerRefundId: string;
    amount: Money;
    counted: boolean;
    reason: string | null;
    eventId: string;
    at: string;
  }[];
  refundable: Money;
  refundRequests: {
    id: string;
    amount: Money;
    reason: RefundReason;
    note: string | null;
    requestedBy: string;
    status: 'requested' | 'sent' | 'failed';
    providerRefundId: string | null;
    error: string | null;
    createdAt: string;
  }[];
}

/** Whether staff may refund `order` now: paid (in part or whole) with money left to refund. */
export const mayRefund = (order: StaffOrderDetail) =>
  REFUNDABLE_STATUSES.includes(order.status) && order.refundable.amount > 0;

/** Whether staff may cancel `order`: only while no money was taken. */
export const mayCancel = (order: StaffOrder) => CANCELLABLE_STATUSES.includes(order.status);

/**
 * The short form of an id people read and say: its last eight hex digits. The ids are UUIDv7,
 * whose first digits are the time they were made (alike for everything made in the same minute);
 * the last are random.
 * @example shortId('01a23d2d-29e8-7de1-9e96-5692e68da3ad') // 'e68da3ad'
 */
export const shortId = (id: string) => id.slice(-8);
