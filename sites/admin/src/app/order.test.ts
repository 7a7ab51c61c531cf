import { describe, expect, it } from 'vitest';
import {
  mayCancel,
  mayRefund,
  ORDER_STATUSES,
  type OrderStatus,
  type StaffOrderDetail,
  shortId,
} from './order.js';

const order = (status: OrderStatus, refundable: number) =>
  ({ status, refundable: { amount: refundable, currency: 'EUR' } }) as StaffOrderDetail;

describe('what staff may do to an order', () => {
  it('offers a refund only of a paid order with money left to refund', () => {
    const refundable = ORDER_STATUSES.filter((status) => mayRefund(order(status, 500)));
    expect(refundable).toEqual(['paid', 'partially_refunded']);
    expect(mayRefund(order('partially_refunded', 0))).toBe(false);
  });

  it('offers to cancel only while no money was taken (as cart allows)', () => {
    const cancellable = ORDER_STATUSES.filter((status) => mayCancel(order(status, 0)));
    expect(cancellable).toEqual(['pending_payment', 'payment_failed', 'payment_review']);
  });

  it('shows ids by their random end, so orders made in the same minute differ', () => {
    // UUIDv7: the first 48 bits are the time.
    const a = '01a23d2d-29e8-7de1-9e96-5692e68da3ad';
    const b = '01a23d2d-2866-712e-bab8-74189829ca6c';
    expect(shortId(a)).toBe('e68da3ad');
    expect(shortId(a)).not.toBe(shortId(b));
  });
});
