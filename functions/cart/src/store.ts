// SQL of the cart schema: orders, their transitions and refunds, payment events waiting for their
// order, checkout idempotency keys.
import { type Money, money, newId, type Queryable } from '@shop/shared';
import type {
  Order,
  OrderItem,
  Refund,
  RefundReason,
  RefundRequest,
  ShippingAddress,
  Transition,
} from './domain/order.js';
import type { OrderStatus } from './domain/order-status.js';

interface OrderRow {
  id: string;
  user_id: string;
  status: OrderStatus;
  items: OrderItem[];
  total_amount: number | string;
  currency: string;
  shipping_address: ShippingAddress;
  click_id: string | null;
  payment_provider: string | null;
  provider_payment_id: string | null;
  payment_id: string | null;
  refunded_amount: number | string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

function toOrder(row: OrderRow): Order {
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status,
    items: row.items,
    total: money(Number(row.total_amount), row.currency),
    shippingAddress: row.shipping_address,
    clickId: row.click_id,
    paymentProvider: row.payment_provider,
    providerPaymentId: row.provider_payment_id,
    paymentId: row.payment_id,
    refundedAmount: Number(row.refunded_amount),
    version: Number(row.version),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export async function insertOrder(
  tx: Queryable,
  order: Omit<
    Order,
    | 'paymentProvider'
    | 'providerPaymentId'
    | 'paymentId'
    | 'refundedAmount'
    | 'version'
    | 'updatedAt'
  >,
): Promise<Order> {
  const { rows } = await tx.query<OrderRow>(
    `INSERT INTO cart."order" (id, user_id, status, items, total_amount, currency,
       shipping_address, click_id, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING *`,
    [
      order.id,
      order.userId,
      order.status,
      JSON.stringify(order.items),
      order.total.amount,
      order.total.currency,
      JSON.stringify(order.shippingAddress),
      order.clickId,
      order.createdAt,
    ],
  );
  return toOrder(rows[0] as OrderRow);
}

/** One order; `forUpdate` locks it for the rest of the transaction. */
export async function findOrder(
  db: Queryable,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<Order | null> {
  const { rows } = await db.query<OrderRow>(
    `SELECT * FROM cart."order" WHERE id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] ? toOrder(rows[0]) : null;
}

/** A user's orders, newest first. */
export async function listOrders(db: Queryable, userId: string, limit = 50): Promise<Order[]> {
  const { rows } = await db.query<OrderRow>(
    `SELECT * FROM cart."order" WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
    [userId, limit],
  );
  return rows.map(toOrder);
}

export async function setProviderPayment(
  db: Queryable,
  orderId: string,
  provider: string,
  providerPaymentId: string,
  at: Date,
): Promise<Order | null> {
  const { rows } = await db.query<OrderRow>(
    `UPDATE cart."order" SET payment_provider = $2, provider_payment_id = $3, updated_at = $4
     WHERE id = $1 RETURNING *`,
    [orderId, provider, providerPaymentId, at],
  );
  return rows[0] ? toOrder(rows[0]) : null;
}

/** What caused a transition: the event (none for the first), and why when it is a review. */
export interface TransitionCause {
  eventId: string | null;
  eventType: string | null;
  at: Date;
  reason?: string | null;
}

/** Moves an order to `to` and records the transition with the event that caused it. */
export async function moveOrder(
  tx: Queryable,
  order: Order,
  to: OrderStatus,
  cause: TransitionCause,
  changes: { paymentId?: string; refundedAmount?: number } = {},
): Promise<void> {
  await tx.query(
    `UPDATE cart."order" SET status = $2, updated_at = $3,
       payment_id = COALESCE($4, payment_id), refunded_amount = COALESCE($5, refunded_amount)
     WHERE id = $1`,
    [order.id, to, cause.at, changes.paymentId ?? null, changes.refundedAmount ?? null],
  );
  await recordTransition(tx, order.id, order.status, to, cause);
}

export async function recordTransition(
  tx: Queryable,
  orderId: string,
  from: OrderStatus | null,
  to: OrderStatus,
  cause: TransitionCause,
): Promise<void> {
  await tx.query(
    `INSERT INTO cart.order_transition
       (id, order_id, from_status, to_status, event_id, event_type, at, reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [newId(), orderId, from, to, cause.eventId, cause.eventType, cause.at, cause.reason ?? null],
  );
}

export async function listTransitions(db: Queryable, orderId: string): Promise<Transition[]> {
  const { rows } = await db.query<{
    from_status: OrderStatus | null;
    to_status: OrderStatus;
    event_id: string | null;
    event_type: string | null;
    at: Date;
    reason: string | null;
  }>(
    `SELECT from_status, to_status, event_id, event_type, at, reason FROM cart.order_transition
     WHERE order_id = $1 ORDER BY at, id`,
    [orderId],
  );
  return rows.map((row) => ({
    from: row.from_status,
    to: row.to_status,
    eventId: row.event_id,
    eventType: row.event_type,
    at: new Date(row.at),
    reason: row.reason,
  }));
}

interface RefundRow {
  provider_refund_id: string;
  order_id: string;
  payment_id: string;
  amount: number | string;
  currency: string;
  counted: boolean;
  reason: string | null;
  event_id: string;
  at: Date;
}

function toRefund(row: RefundRow): Refund {
  return {
    providerRefundId: row.provider_refund_id,
    orderId: row.order_id,
    paymentId: row.payment_id,
    amount: money(Number(row.amount), row.currency),
    counted: row.counted,
    reason: row.reason,
    eventId: row.event_id,
    at: new Date(row.at),
  };
}

/** A provider refund already recorded (for any order), or null. */
export async function findRefund(tx: Queryable, providerRefundId: string): Promise<Refund | null> {
  const { rows } = await tx.query<RefundRow>(
    'SELECT * FROM cart.order_refund WHERE provider_refund_id = $1',
    [providerRefundId],
  );
  return rows[0] ? toRefund(rows[0]) : null;
}

/** Records a provider refund once: counted in the order's refunds, or refused with why. */
export async function recordRefund(
  tx: Queryable,
  refund: {
    providerRefundId: string;
    orderId: string;
    paymentId: string;
    amount: Money;
    counted: boolean;
    reason: string | null;
    eventSource: string;
    eventId: string;
    at: Date;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO cart.order_refund (provider_refund_id, order_id, payment_id, amount, currency,
       counted, reason, event_source, event_id, at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      refund.providerRefundId,
      refund.orderId,
      refund.paymentId,
      refund.amount.amount,
      refund.amount.currency,
      refund.counted,
      refund.reason,
      refund.eventSource,
      refund.eventId,
      refund.at,
    ],
  );
}

/** The refunds reported for an order, oldest first. */
export async function listRefunds(db: Queryable, orderId: string): Promise<Refund[]> {
  const { rows } = await db.query<RefundRow>(
    'SELECT * FROM cart.order_refund WHERE order_id = $1 ORDER BY at, provider_refund_id',
    [orderId],
  );
  return rows.map(toRefund);
}

export interface PendingPaymentEvent {
  source: string;
  id: string;
  orderId: string;
  type: string;
  data: unknown;
}

/** Keeps a payment event that cannot apply yet; a second copy of it is ignored. */
export async function keepPendingEvent(tx: Queryable, event: PendingPaymentEvent): Promise<void> {
  await tx.query(
    `INSERT INTO cart.pending_payment_event (event_source, event_id, order_id, type, data)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
    [event.source, event.id, event.orderId, event.type, JSON.stringify(event.data)],
  );
}

export async function listPendingEvents(
  tx: Queryable,
  orderId: string,
): Promise<PendingPaymentEvent[]> {
  const { rows } = await tx.query<{
    event_source: string;
    event_id: string;
    order_id: string;
    type: string;
    data: unknown;
  }>(
    `SELECT event_source, event_id, order_id, type, data FROM cart.pending_payment_event
     WHERE order_id = $1 ORDER BY received_at, event_id`,
    [orderId],
  );
  return rows.map((row) => ({
    source: row.event_source,
    id: row.event_id,
    orderId: row.order_id,
    type: row.type,
    data: row.data,
  }));
}

export async function deletePendingEvent(tx: Queryable, source: string, id: string) {
  await tx.query(
    'DELETE FROM cart.pending_payment_event WHERE event_source = $1 AND event_id = $2',
    [source, id],
  );
}

export interface IdempotencyRecord {
  requestHash: string;
  status: 'running' | 'retry' | 'done';
  responseStatus: number | null;
  responseBody: unknown;
  orderId: string | null;
  updatedAt: Date;
}

/**
 * Claims (user, key) for a new checkout; returns null when claimed, else the existing record.
 * A `retry` record (its payment step failed) or a `running` one older than `staleAfterMs`
 * (its instance died) with the same request hash is taken over and returned with `takenOver`.
 */
export async function claimIdempotencyKey(
  db: Queryable,
  userId: string,
  key: string,
  requestHash: string,
  now: Date,
  staleAfterMs: number,
): Promise<
  { claimed: true; orderId: string | null } | { claimed: false; record: IdempotencyRecord }
> {
  const inserted = await db.query(
    `INSERT INTO cart.idempotency_key (user_id, key, request_hash, status, created_at, updated_at)
     VALUES ($1, $2, $3, 'running', $4, $4) ON CONFLICT DO NOTHING`,
    [userId, key, requestHash, now],
  );
  if (inserted.rowCount === 1) return { claimed: true, orderId: null };
  const taken = await db.query<{ order_id: string | null }>(
    `UPDATE cart.idempotency_key SET status = 'running', updated_at = $4
     WHERE user_id = $1 AND key = $2 AND request_hash = $3
       AND (status = 'retry' OR (status = 'running' AND updated_at < $5))
     RETURNING order_id`,
    [userId, key, requestHash, now, new Date(now.getTime() - staleAfterMs)],
  );
  if (taken.rows[0]) return { claimed: true, orderId: taken.rows[0].order_id };
  const { rows } = await db.query<{
    request_hash: string;
    status: 'running' | 'retry' | 'done';
    response_status: number | null;
    response_body: unknown;
    order_id: string | null;
    updated_at: Date;
  }>('SELECT * FROM cart.idempotency_key WHERE user_id = $1 AND key = $2', [userId, key]);
  const row = rows[0];
  if (!row) return claimIdempotencyKey(db, userId, key, requestHash, now, staleAfterMs);
  return {
    claimed: false,
    record: {
      requestHash: row.request_hash,
      status: row.status,
      responseStatus: row.response_status,
      responseBody: row.response_body,
      orderId: row.order_id,
      updatedAt: new Date(row.updated_at),
    },
  };
}

export async function setIdempotencyOrder(
  db: Queryable,
  userId: string,
  key: string,
  orderId: string,
) {
  await db.query('UPDATE cart.idempotency_key SET order_id = $3 WHERE user_id = $1 AND key = $2', [
    userId,
    key,
    orderId,
  ]);
}

export async function completeIdempotencyKey(
  db: Queryable,
  userId: string,
  key: string,
  response: { status: number; body: unknown },
  now: Date,
) {
  await db.query(
    `UPDATE cart.idempotency_key SET status = 'done', response_status = $3, response_body = $4,
       updated_at = $5 WHERE user_id = $1 AND key = $2`,
    [userId, key, response.status, JSON.stringify(response.body), now],
  );
}

/** After a failure: without an order the key is forgotten, with one it may be retried. */
export async function releaseIdempotencyKey(db: Queryable, userId: string, key: string, now: Date) {
  await db.query(
    `DELETE FROM cart.idempotency_key WHERE user_id = $1 AND key = $2 AND order_id IS NULL`,
    [userId, key],
  );
  await db.query(
    `UPDATE cart.idempotency_key SET status = 'retry', updated_at = $3
     WHERE user_id = $1 AND key = $2 AND status = 'running'`,
    [userId, key, now],
  );
}

/** Where an order's stock at offer stands (see migrations/003_order_stock.sql). */
export type StockStatus =
  | 'none'
  | 'reserved'
  | 'release_due'
  | 'released'
  | 'commit_due'
  | 'committed'
  | 'commit_refused';

/**
 * Moves an order's stock status to `to` only from one of `from` (so a settled reservation is not
 * settled again, and a release already due becomes a commit when the order is paid after all).
 */
export async function setStockStatus(
  db: Queryable,
  orderId: string,
  from: StockStatus[],
  to: StockStatus,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE cart."order" SET stock_status = $3 WHERE id = $1 AND stock_status = ANY($2::text[])`,
    [orderId, from, to],
  );
  return rowCount === 1;
}

/** Orders still waiting for their payment that were created before `before`, oldest first. */
export async function listExpiredOrders(
  db: Queryable,
  before: Date,
  limit = 100,
): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM cart."order" WHERE status = 'pending_payment' AND created_at < $1
     ORDER BY created_at LIMIT $2`,
    [before, limit],
  );
  return rows.map((row) => row.id);
}

/** Orders whose reservation offer has still to release or commit. */
export async function listStockDue(
  db: Queryable,
  limit = 100,
): Promise<{ orderId: string; stockStatus: 'release_due' | 'commit_due' }[]> {
  const { rows } = await db.query<{ id: string; stock_status: 'release_due' | 'commit_due' }>(
    `SELECT id, stock_status FROM cart."order" WHERE stock_status IN ('release_due', 'commit_due')
     ORDER BY updated_at LIMIT $1`,
    [limit],
  );
  return rows.map((row) => ({ orderId: row.id, stockStatus: row.stock_status }));
}

/** What staff filter all orders by; `after` is the last order of the previous page. */
export interface OrderFilter {
  status?: OrderStatus | undefined;
  userId?: string | undefined;
  createdFrom?: Date | undefined;
  createdBefore?: Date | undefined;
  after?: { createdAt: Date; id: string } | undefined;
  limit: number;
}

/** Every user's orders, newest first, filtered (the staff list). */
export async function listAllOrders(db: Queryable, filter: OrderFilter): Promise<Order[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.status) where.push(`status = ${param(filter.status)}`);
  if (filter.userId) where.push(`user_id = ${param(filter.userId)}`);
  if (filter.createdFrom) where.push(`created_at >= ${param(filter.createdFrom)}`);
  if (filter.createdBefore) where.push(`created_at < ${param(filter.createdBefore)}`);
  if (filter.after) {
    where.push(`(created_at, id) < (${param(filter.after.createdAt)}, ${param(filter.after.id)})`);
  }
  const { rows } = await db.query<OrderRow>(
    `SELECT * FROM cart."order" ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY created_at DESC, id DESC LIMIT ${param(filter.limit)}`,
    params,
  );
  return rows.map(toOrder);
}

/** The status an order had before its latest move into payment_review (what a dismissal restores). */
export async function statusBeforeReview(
  tx: Queryable,
  orderId: string,
): Promise<OrderStatus | null> {
  const { rows } = await tx.query<{ from_status: OrderStatus | null }>(
    `SELECT from_status FROM cart.order_transition
     WHERE order_id = $1 AND to_status = 'payment_review' ORDER BY at DESC, id DESC LIMIT 1`,
    [orderId],
  );
  return rows[0]?.from_status ?? null;
}

interface RefundRequestRow {
  id: string;
  order_id: string;
  idempotency_key: string;
  request_hash: string;
  amount: number | string;
  currency: string;
  reason: RefundReason;
  note: string | null;
  requested_by: string;
  status: RefundRequest['status'];
  provider_refund_id: string | null;
  error: string | null;
  created_at: Date;
  updated_at: Date;
}

function toRefundRequest(row: RefundRequestRow): RefundRequest {
  return {
    id: row.id,
    orderId: row.order_id,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    amount: money(Number(row.amount), row.currency),
    reason: row.reason,
    note: row.note,
    requestedBy: row.requested_by,
    status: row.status,
    providerRefundId: row.provider_refund_id,
    error: row.error,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** The refund request staff made for an order under an Idempotency-Key, or null. */
export async function findRefundRequest(
  tx: Queryable,
  orderId: string,
  idempotencyKey: string,
): Promise<RefundRequest | null> {
  const { rows } = await tx.query<RefundRequestRow>(
    'SELECT * FROM cart.refund_request WHERE order_id = $1 AND idempotency_key = $2',
    [orderId, idempotencyKey],
  );
  return rows[0] ? toRefundRequest(rows[0]) : null;
}

export async function insertRefundRequest(
  tx: Queryable,
  request: Omit<RefundRequest, 'status' | 'providerRefundId' | 'error' | 'updatedAt'>,
): Promise<RefundRequest> {
  const { rows } = await tx.query<RefundRequestRow>(
    `INSERT INTO cart.refund_request (id, order_id, idempotency_key, request_hash, amount,
       currency, reason, note, requested_by, status, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'requested', $10, $10) RETURNING *`,
    [
      request.id,
      request.orderId,
      request.idempotencyKey,
      request.requestHash,
      request.amount.amount,
      request.amount.currency,
      request.reason,
      request.note,
      request.requestedBy,
      request.createdAt,
    ],
  );
  return toRefundRequest(rows[0] as RefundRequestRow);
}

/** Records what the provider answered a refund request: made (its refund id) or refused. */
export async function settleRefundRequest(
  db: Queryable,
  id: string,
  outcome: { status: 'sent'; providerRefundId: string } | { status: 'failed'; error: string },
  at: Date,
): Promise<RefundRequest | null> {
  const { rows } = await db.query<RefundRequestRow>(
    `UPDATE cart.refund_request SET status = $2, provider_refund_id = $3, error = $4, updated_at = $5
     WHERE id = $1 AND status = 'requested' RETURNING *`,
    [
      id,
      outcome.status,
      outcome.status === 'sent' ? outcome.providerRefundId : null,
      outcome.status === 'failed' ? outcome.error : null,
      at,
    ],
  );
  return rows[0] ? toRefundRequest(rows[0]) : null;
}

/** An order's refund requests, oldest first. */
export async function listRefundRequests(db: Queryable, orderId: string): Promise<RefundRequest[]> {
  const { rows } = await db.query<RefundRequestRow>(
    'SELECT * FROM cart.refund_request WHERE order_id = $1 ORDER BY created_at, id',
    [orderId],
  );
  return rows.map(toRefundRequest);
}

/**
 * Minor units of an order's refunds asked for but not yet reported by the provider (requested,
 * or sent without its shop.payment.refunded counted yet): they are not refundable again.
 */
export async function refundsInFlight(tx: Queryable, orderId: string): Promise<number> {
  const { rows } = await tx.query<{ amount: string | number | null }>(
    `SELECT COALESCE(SUM(r.amount), 0) AS amount FROM cart.refund_request r
     WHERE r.order_id = $1 AND r.status IN ('requested', 'sent')
       AND NOT EXISTS (SELECT 1 FROM cart.order_refund f
                       WHERE f.provider_refund_id = r.provider_refund_id)`,
    [orderId],
  );
  return Number(rows[0]?.amount ?? 0);
}
