// Staff routes over orders: the list and one order, refunds at the provider (idempotent, never
// beyond what is refundable, counted only when the provider's webhook arrives), payment reviews
// and cancels at the version staff saw, each with its audited event, and each permission held.
import { type Identity, newId } from '@shop/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addProduct,
  address,
  createTestbed,
  deliverPaymentEvent,
  intentIdOf,
  send,
  shopper,
  type Testbed,
} from '../testing/fixtures.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed.cleanup());

const PAYMENT_ID = '0193a000-0000-7000-8000-0000000000f1';
const support: Identity = {
  userId: newId(),
  roles: ['staff'],
  staffRoles: ['order-support'],
};
const analyst: Identity = { userId: newId(), roles: ['staff'], staffRoles: ['analyst'] };
const marketing: Identity = { userId: newId(), roles: ['staff'], staffRoles: ['marketing'] };

interface StaffOrder {
  id: string;
  userId: string;
  status: string;
  version: number;
  total: { amount: number; currency: string };
  refundedAmount: number;
}
interface Detail extends StaffOrder {
  refundable: { amount: number; currency: string };
  refundRequests: {
    id: string;
    status: string;
    amount: { amount: number };
    error: string | null;
    providerRefundId: string | null;
  }[];
  transitions: { from: string | null; to: string; reason: string | null }[];
}
interface RefundRequestBody {
  id: string;
  status: string;
  amount: { amount: number; currency: string };
  providerRefundId: string | null;
  requestedBy: string;
  error: string | null;
}

/** A pending order of 2 × 10.00 EUR for a new shopper. */
async function pendingOrder(who: Identity = shopper()): Promise<{ id: string; who: Identity }> {
  const product = await addProduct(bed.offerUrl, { priceAmount: 1000, stock: 50 });
  const add = await send(bed.app, 'POST', '/api/cart/items', {
    as: who,
    body: { productId: product.id, quantity: 2 },
  });
  expect(add.status).toBe(200);
  const res = await send(bed.app, 'POST', '/api/cart/checkout', {
    as: who,
    body: { shippingAddress: address },
    headers: { 'idempotency-key': crypto.randomUUID() },
  });
  expect(res.status).toBe(201);
  return { id: ((await res.json()) as { order: { id: string } }).order.id, who };
}

function pay(orderId: string, amount = 2000) {
  return deliverPaymentEvent(bed.app, 'shop.payment.succeeded', {
    paymentId: PAYMENT_ID,
    orderId,
    provider: 'stripe',
    providerPaymentId: intentIdOf(orderId),
    amount: { amount, currency: 'EUR' },
    succeededAt: new Date().toISOString(),
  });
}

async function paidOrder(): Promise<string> {
  const { id } = await pendingOrder();
  expect((await pay(id)).status).toBe(204);
  return id;
}

async function detail(id: string, as: Identity = support): Promise<{ body: Detail; etag: string }> {
  const res = await send(bed.app, 'GET', `/api/admin/orders/${id}`, { as });
  expect(res.status).toBe(200);
  return { body: (await res.json()) as Detail, etag: res.headers.get('etag') ?? '' };
}

function refund(id: string, body: unknown, key = crypto.randomUUID(), as: Identity = support) {
  return send(bed.app, 'POST', `/api/admin/orders/${id}/refunds`, {
    as,
    body,
    headers: { 'idempotency-key': key },
  });
}

async function outboxOf(orderId: string) {
  const { rows } = await bed.db.query<{ type: string; data: Record<string, unknown> }>(
    'SELECT type, data FROM cart.outbox WHERE subject = $1 ORDER BY id',
    [orderId],
  );
  return rows;
}

describe('the staff order list', () => {
  it('lists every user’s orders newest first, filtered by status and user, in cursor pages', async () => {
    const a = await pendingOrder();
    const b = await pendingOrder();
    const c = await paidOrder();
    const all = await send(bed.app, 'GET', '/api/admin/orders?limit=2', { as: support });
    expect(all.status).toBe(200);
    const first = (await all.json()) as { items: StaffOrder[]; nextCursor: string | null };
    expect(first.items.map((o) => o.id)).toEqual([c, b.id]);
    expect(first.nextCursor).not.toBeNull();
    const next = await send(
      bed.app,
      'GET',
      `/api/admin/orders?limit=2&cursor=${first.nextCursor}`,
      { as: support },
    );
    const second = (await next.json()) as { items: StaffOrder[] };
    expect(second.items[0]?.id).toBe(a.id);

    const paid = (await (
      await send(bed.app, 'GET', '/api/admin/orders?status=paid', { as: support })
    ).json()) as { items: StaffOrder[] };
    expect(paid.items.map((o) => o.id)).toContain(c);
    expect(paid.items.every((o) => o.status === 'paid')).toBe(true);

    const mine = (await (
      await send(bed.app, 'GET', `/api/admin/orders?userId=${a.who.userId}`, { as: support })
    ).json()) as { items: StaffOrder[] };
    expect(mine.items.map((o) => [o.id, o.userId])).toEqual([[a.id, a.who.userId]]);
  });

  it('refuses a cursor of another filter, and anyone without orders:read', async () => {
    const page = (await (
      await send(bed.app, 'GET', '/api/admin/orders?limit=1', { as: support })
    ).json()) as { nextCursor: string };
    const other = await send(
      bed.app,
      'GET',
      `/api/admin/orders?limit=1&status=paid&cursor=${page.nextCursor}`,
      { as: support },
    );
    expect(other.status).toBe(400);
    const refused = await send(bed.app, 'GET', '/api/admin/orders', { as: marketing });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ permission: 'orders:read' });
    expect((await send(bed.app, 'GET', '/api/admin/orders', { as: shopper() })).status).toBe(403);
  });

  it('shows one order with its version as ETag and what can be refunded', async () => {
    const id = await paidOrder();
    const { body, etag } = await detail(id, analyst);
    expect(etag).toBe(`W/"${body.version}"`);
    expect(body).toMatchObject({ status: 'paid', refundable: { amount: 2000, currency: 'EUR' } });
    expect(body.transitions.map((t) => t.to)).toEqual(['pending_payment', 'paid']);
    const missing = await send(bed.app, 'GET', `/api/admin/orders/${newId()}`, { as: support });
    expect(missing.status).toBe(404);
  });
});

describe('refunds by staff', () => {
  it('asks the provider for the refund, records it with its event, and counts it when the webhook comes', async () => {
    const id = await paidOrder();
    const key = crypto.randomUUID();
    const res = await refund(
      id,
      { amount: 500, reason: 'requested_by_customer', note: 'dented lid' },
      key,
    );
    expect(res.status).toBe(201);
    const request = (await res.json()) as RefundRequestBody;
    expect(request).toMatchObject({
      status: 'sent',
      amount: { amount: 500, currency: 'EUR' },
      requestedBy: support.userId,
    });
    const made = bed.payments.refunds.get(`refund-${request.id}`);
    expect(made).toMatchObject({
      paymentIntentId: intentIdOf(id),
      amount: 500,
      reason: 'requested_by_customer',
      metadata: { orderId: id, refundRequestId: request.id },
    });
    expect(request.providerRefundId).toBe(made?.id);
    const event = (await outboxOf(id)).find((e) => e.type === 'shop.order.refund_requested');
    expect(event?.data).toMatchObject({
      orderId: id,
      refundRequestId: request.id,
      amount: { amount: 500, currency: 'EUR' },
      reason: 'requested_by_customer',
      note: 'dented lid',
      requestedBy: support.userId,
    });

    // Money moves by events: asked for is not refunded, but it is no longer refundable.
    let { body } = await detail(id);
    expect(body).toMatchObject({ status: 'paid', refundedAmount: 0, refundable: { amount: 1500 } });
    const webhook = await deliverPaymentEvent(bed.app, 'shop.payment.refunded', {
      paymentId: PAYMENT_ID,
      orderId: id,
      provider: 'stripe',
      providerRefundId: request.providerRefundId,
      amount: { amount: 500, currency: 'EUR' },
      refundedAt: new Date().toISOString(),
    });
    expect(webhook.status).toBe(204);
    ({ body } = await detail(id));
    expect(body).toMatchObject({
      status: 'partially_refunded',
      refundedAmount: 500,
      refundable: { amount: 1500 },
    });
  });

  it('answers the same request again for the same key, and 422 for the same key with another body', async () => {
    const id = await paidOrder();
    const key = crypto.randomUUID();
    const first = (await (
      await refund(id, { amount: 300, reason: 'duplicate' }, key)
    ).json()) as RefundRequestBody;
    const again = await refund(id, { amount: 300, reason: 'duplicate' }, key);
    expect(again.status).toBe(200);
    expect(((await again.json()) as RefundRequestBody).id).toBe(first.id);
    const refundsOfOrder = [...bed.payments.refunds.values()].filter(
      (r) => r.metadata.orderId === id,
    );
    expect(refundsOfOrder).toHaveLength(1);
    const other = await refund(id, { amount: 400, reason: 'duplicate' }, key);
    expect(other.status).toBe(422);
  });

  it('never refunds more than is left, even when two staff members refund at once', async () => {
    const id = await paidOrder();
    const over = await refund(id, { amount: 2001, reason: 'other' });
    expect(over.status).toBe(422);
    expect(await over.json()).toMatchObject({ refundable: { amount: 2000, currency: 'EUR' } });
    // The attack: two full refunds raced with different keys. One is made, the other refused.
    const raced = await Promise.all([
      refund(id, { reason: 'fraudulent' }),
      refund(id, { reason: 'fraudulent' }),
    ]);
    expect(raced.map((r) => r.status).sort()).toEqual([201, 409]);
    const made = [...bed.payments.refunds.values()].filter((r) => r.metadata.orderId === id);
    expect(made.map((r) => r.amount)).toEqual([2000]);
    expect((await detail(id)).body.refundable.amount).toBe(0);
  });

  it('resumes after a provider outage under the same key, and frees the amount of a refused refund', async () => {
    const id = await paidOrder();
    const key = crypto.randomUUID();
    bed.payments.failNext = 1;
    const down = await refund(id, { amount: 700, reason: 'other' }, key);
    expect(down.status).toBe(502);
    expect((await detail(id)).body.refundRequests.map((r) => r.status)).toEqual(['requested']);
    const retried = await refund(id, { amount: 700, reason: 'other' }, key);
    expect(retried.status).toBe(200);
    expect(((await retried.json()) as RefundRequestBody).status).toBe('sent');
    expect(
      [...bed.payments.refunds.values()].filter((r) => r.metadata.orderId === id),
    ).toHaveLength(1);

    bed.payments.refuseNextRefund = true;
    const refused = await refund(id, { amount: 1300, reason: 'other' });
    expect(refused.status).toBe(201);
    expect((await refused.json()) as RefundRequestBody).toMatchObject({
      status: 'failed',
      providerRefundId: null,
    });
    // 700 in flight; the refused 1300 is refundable again.
    expect((await detail(id)).body.refundable.amount).toBe(1300);
  });

  it('refuses to refund an unpaid order, and anyone without orders:refund', async () => {
    const { id } = await pendingOrder();
    expect((await refund(id, { reason: 'other' })).status).toBe(409);
    const paid = await paidOrder();
    const byAnalyst = await refund(paid, { reason: 'other' }, undefined, analyst);
    expect(byAnalyst.status).toBe(403);
    expect(await byAnalyst.json()).toMatchObject({ permission: 'orders:refund' });
    const noKey = await send(bed.app, 'POST', `/api/admin/orders/${paid}/refunds`, {
      as: support,
      body: { reason: 'other' },
    });
    expect(noKey.status).toBe(400);
    expect((await detail(paid)).body.refundRequests).toEqual([]);
  });
});

describe('payment review and cancel by staff', () => {
  /** An order a 1-cent payment put in payment_review. */
  async function reviewedOrder(): Promise<{ id: string; who: Identity }> {
    const order = await pendingOrder();
    expect((await pay(order.id, 1)).status).toBe(204);
    expect((await detail(order.id)).body.status).toBe('payment_review');
    return order;
  }

  function review(id: string, body: unknown, ifMatch?: string, as: Identity = support) {
    return send(bed.app, 'POST', `/api/admin/orders/${id}/review`, {
      as,
      body,
      headers: ifMatch ? { 'if-match': ifMatch } : {},
    });
  }

  it('needs the version staff saw: 428 without If-Match, 412 with an old one', async () => {
    const { id } = await reviewedOrder();
    const { etag, body } = await detail(id);
    expect((await review(id, { resolution: 'dismiss' })).status).toBe(428);
    const stale = await review(id, { resolution: 'dismiss' }, `W/"${body.version - 1}"`);
    expect(stale.status).toBe(412);
    expect(await stale.json()).toMatchObject({ currentVersion: body.version });
    expect(stale.headers.get('etag')).toBe(etag);
    expect((await detail(id)).body.status).toBe('payment_review');
  });

  it('dismisses a mismatch: the order waits for its own payment again, which pays it', async () => {
    const { id } = await reviewedOrder();
    const { etag } = await detail(id);
    const res = await review(id, { resolution: 'dismiss', note: 'test payment' }, etag);
    expect(res.status).toBe(200);
    const after = (await res.json()) as StaffOrder;
    expect(after.status).toBe('pending_payment');
    expect(res.headers.get('etag')).toBe(`W/"${after.version}"`);
    expect((await outboxOf(id)).at(-1)).toMatchObject({
      type: 'shop.order.review_resolved',
      data: {
        resolution: 'dismiss',
        status: 'pending_payment',
        note: 'test payment',
        resolvedBy: support.userId,
      },
    });
    // The same version again is stale now.
    expect((await review(id, { resolution: 'cancel' }, etag)).status).toBe(412);
    expect((await pay(id)).status).toBe(204);
    expect((await detail(id)).body.status).toBe('paid');
  });

  it('cancels a reviewed order: its stock goes back, and both events name the staff member', async () => {
    const { id } = await reviewedOrder();
    const { etag } = await detail(id);
    const res = await review(id, { resolution: 'cancel' }, etag);
    expect(res.status).toBe(200);
    expect(((await res.json()) as StaffOrder).status).toBe('cancelled');
    const types = (await outboxOf(id)).map((e) => e.type);
    expect(types.slice(-2)).toEqual(['shop.order.cancelled', 'shop.order.review_resolved']);
    expect((await outboxOf(id)).find((e) => e.type === 'shop.order.cancelled')?.data).toMatchObject(
      {
        reason: 'staff',
        cancelledBy: support.userId,
      },
    );
    const { rows } = await bed.db.query<{ stock_status: string }>(
      'SELECT stock_status FROM cart."order" WHERE id = $1',
      [id],
    );
    expect(rows[0]?.stock_status).toBe('release_due');
    expect((await review(id, { resolution: 'cancel' }, (await detail(id)).etag)).status).toBe(409);
  });

  it('cancels an unpaid order and refuses a paid one (refund it instead)', async () => {
    const { id } = await pendingOrder();
    const cancel = (orderId: string, ifMatch: string, as: Identity = support) =>
      send(bed.app, 'POST', `/api/admin/orders/${orderId}/cancel`, {
        as,
        body: { note: 'customer called' },
        headers: { 'if-match': ifMatch },
      });
    const byMarketing = await cancel(id, (await detail(id)).etag, marketing);
    expect(byMarketing.status).toBe(403);
    expect(await byMarketing.json()).toMatchObject({ permission: 'orders:cancel' });
    const res = await cancel(id, (await detail(id)).etag);
    expect(res.status).toBe(200);
    const { body } = await detail(id);
    expect(body.status).toBe('cancelled');
    expect(body.transitions.at(-1)).toMatchObject({
      from: 'pending_payment',
      to: 'cancelled',
      reason: 'staff_cancelled: customer called',
    });
    const paid = await paidOrder();
    const refused = await cancel(paid, (await detail(paid)).etag);
    expect(refused.status).toBe(409);
    expect((await refused.json()) as { detail: string }).toMatchObject({
      detail: expect.stringContaining('refund it instead'),
    });
  });

  it('lets only payments:review resolve a review', async () => {
    const { id } = await reviewedOrder();
    const res = await review(id, { resolution: 'cancel' }, (await detail(id)).etag, analyst);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ permission: 'payments:review' });
  });
});
