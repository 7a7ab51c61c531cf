// SQL of the attribution schema: inputs as they arrive, and the identity they prove.
import type { Queryable } from '@shop/shared';
import type { ClickRecord, PageViewRecord } from './domain/collect-touchpoints.js';
import type { CommissionRates } from './domain/compute-commission.js';

/** Serialises everything that can change a score: the whole result then depends only on the
 * set of committed inputs (see README, "Reordering"). */
export async function lockScoring(tx: Queryable): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext('attribution.scoring'))");
}

export async function isErased(tx: Queryable, userId: string | null): Promise<boolean> {
  if (!userId) return false;
  const { rowCount } = await tx.query('SELECT 1 FROM attribution.erased_user WHERE user_id = $1', [
    userId,
  ]);
  return rowCount > 0;
}

export async function insertClick(tx: Queryable, click: ClickRecord): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO attribution.click (click_id, link_id, affiliate_id, campaign, clicked_at, bot)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (click_id) DO NOTHING`,
    [click.clickId, click.linkId, click.affiliateId, click.campaign, click.clickedAt, click.bot],
  );
  return rowCount > 0;
}

export interface PageViewRow extends PageViewRecord {
  sourceId: string;
  anonymousId: string | null;
  userId: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  receivedAt: Date;
}

export async function insertPageView(tx: Queryable, view: PageViewRow): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO attribution.page_view (source_id, message_id, anonymous_id, user_id, click_id,
       utm_campaign, utm_source, utm_medium, occurred_at, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
    [
      view.sourceId,
      view.messageId,
      view.anonymousId,
      view.userId,
      view.clickId,
      view.utmCampaign,
      view.utmSource,
      view.utmMedium,
      view.occurredAt,
      view.receivedAt,
    ],
  );
  return rowCount > 0;
}

/** The visitor key a claim names: the anonymous id, else the user. */
export const visitorKey = (anonymousId: string | null, userId: string | null): string | null =>
  anonymousId ? `anon:${anonymousId}` : userId ? `user:${userId}` : null;

/** The earliest claim (received_at, message_id) of a click wins, whatever order they came in. */
export async function claimClick(
  tx: Queryable,
  claim: { clickId: string; visitor: string; receivedAt: Date; messageId: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO attribution.click_claim AS c (click_id, visitor, received_at, message_id)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (click_id) DO UPDATE SET visitor = excluded.visitor,
       received_at = excluded.received_at, message_id = excluded.message_id
     WHERE (excluded.received_at, excluded.message_id) < (c.received_at, c.message_id)`,
    [claim.clickId, claim.visitor, claim.receivedAt, claim.messageId],
  );
}

/** An anonymous id joins the user of its earliest identify/alias; later claims do not move it. */
export async function linkIdentity(
  tx: Queryable,
  link: { anonymousId: string; userId: string; receivedAt: Date; messageId: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO attribution.identity_link AS l (anonymous_id, user_id, received_at, message_id)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (anonymous_id) DO UPDATE SET user_id = excluded.user_id,
       received_at = excluded.received_at, message_id = excluded.message_id
     WHERE (excluded.received_at, excluded.message_id) < (l.received_at, l.message_id)`,
    [link.anonymousId, link.userId, link.receivedAt, link.messageId],
  );
}

export interface OrderRow {
  orderId: string;
  userId: string | null;
  clickId: string | null;
  totalAmount: number;
  currency: string;
  createdAt: Date;
}

export async function insertOrder(tx: Queryable, order: OrderRow): Promise<void> {
  await tx.query(
    `INSERT INTO attribution.orders (order_id, user_id, click_id, total_amount, currency, created_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (order_id) DO NOTHING`,
    [
      order.orderId,
      order.userId,
      order.clickId,
      order.totalAmount,
      order.currency,
      order.createdAt,
    ],
  );
}

export async function findOrder(tx: Queryable, orderId: string): Promise<OrderRow | undefined> {
  const { rows } = await tx.query<{
    order_id: string;
    user_id: string | null;
    click_id: string | null;
    total_amount: number;
    currency: string;
    created_at: Date;
  }>('SELECT * FROM attribution.orders WHERE order_id = $1', [orderId]);
  const row = rows[0];
  return (
    row && {
      orderId: row.order_id,
      userId: row.user_id,
      clickId: row.click_id,
      totalAmount: Number(row.total_amount),
      currency: row.currency.trim(),
      createdAt: row.created_at,
    }
  );
}

export interface PaymentRow {
  paymentId: string;
  orderId: string;
  amount: number;
  currency: string;
  succeededAt: Date;
}

export async function insertPayment(tx: Queryable, payment: PaymentRow): Promise<void> {
  await tx.query(
    `INSERT INTO attribution.payment (payment_id, order_id, amount, currency, succeeded_at)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (payment_id) DO NOTHING`,
    [payment.paymentId, payment.orderId, payment.amount, payment.currency, payment.succeededAt],
  );
}

/** The order's payments, oldest first (ties by id). */
export async function paymentsOf(tx: Queryable, orderId: string): Promise<PaymentRow[]> {
  const { rows } = await tx.query<{
    payment_id: string;
    order_id: string;
    amount: number;
    currency: string;
    succeeded_at: Date;
  }>('SELECT * FROM attribution.payment WHERE order_id = $1 ORDER BY succeeded_at, payment_id', [
    orderId,
  ]);
  return rows.map((row) => ({
    paymentId: row.payment_id,
    orderId: row.order_id,
    amount: Number(row.amount),
    currency: row.currency.trim(),
    succeededAt: row.succeeded_at,
  }));
}

export async function insertRefund(
  tx: Queryable,
  refund: {
    paymentId: string;
    providerRefundId: string;
    orderId: string;
    amount: number;
    currency: string;
    refundedAt: Date;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO attribution.refund (payment_id, provider_refund_id, order_id, amount, currency, refunded_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [
      refund.paymentId,
      refund.providerRefundId,
      refund.orderId,
      refund.amount,
      refund.currency,
      refund.refundedAt,
    ],
  );
}

/** Refunds of a payment in its currency (a refund in another currency is not this payment's). */
export async function refundedTotal(
  tx: Queryable,
  paymentId: string,
  currency: string,
): Promise<number> {
  const { rows } = await tx.query<{ total: string | number | null }>(
    'SELECT sum(amount) AS total FROM attribution.refund WHERE payment_id = $1 AND currency = $2',
    [paymentId, currency],
  );
  return Number(rows[0]?.total ?? 0);
}

/** What the touch collection needs of one order's visitor. */
export async function visitorEvidence(
  tx: Queryable,
  order: OrderRow,
  from: Date,
  to: Date,
): Promise<{
  pageViews: PageViewRecord[];
  claimed: Set<string>;
  clicks: Map<string, ClickRecord>;
}> {
  // The visitor: the anonymous id that claimed the order's own click (the shopper's browser),
  // every anonymous id joined to the order's user, and the user itself.
  const visitors: string[] = [];
  if (order.userId) visitors.push(`user:${order.userId}`);
  if (order.clickId) {
    const { rows } = await tx.query<{ visitor: string }>(
      'SELECT visitor FROM attribution.click_claim WHERE click_id = $1',
      [order.clickId],
    );
    if (rows[0]) visitors.push(rows[0].visitor);
  }
  if (order.userId) {
    const { rows } = await tx.query<{ anonymous_id: string }>(
      'SELECT anonymous_id FROM attribution.identity_link WHERE user_id = $1',
      [order.userId],
    );
    for (const row of rows) visitors.push(`anon:${row.anonymous_id}`);
  }
  const anonymousIds = visitors.filter((v) => v.startsWith('anon:')).map((v) => v.slice(5));
  const { rows: views } = await tx.query<{
    message_id: string;
    click_id: string | null;
    utm_campaign: string | null;
    occurred_at: Date;
  }>(
    `SELECT message_id, click_id, utm_campaign, occurred_at FROM attribution.page_view
     WHERE (anonymous_id = ANY($1::text[]) OR ($2::text IS NOT NULL AND user_id = $2::text))
       AND ((occurred_at BETWEEN $3 AND $4) OR click_id IS NOT NULL)
     ORDER BY occurred_at, message_id LIMIT 5000`,
    [anonymousIds, order.userId, from, to],
  );
  const pageViews = views.map((row) => ({
    messageId: row.message_id,
    clickId: row.click_id,
    utmCampaign: row.utm_campaign,
    occurredAt: row.occurred_at,
  }));
  const clickIds = [
    ...new Set([
      ...pageViews.flatMap((view) => (view.clickId ? [view.clickId] : [])),
      ...(order.clickId ? [order.clickId] : []),
    ]),
  ];
  const claimed = new Set<string>();
  const clicks = new Map<string, ClickRecord>();
  if (clickIds.length > 0) {
    const { rows: claims } = await tx.query<{ click_id: string }>(
      'SELECT click_id FROM attribution.click_claim WHERE click_id = ANY($1::uuid[]) AND visitor = ANY($2::text[])',
      [clickIds, visitors],
    );
    for (const row of claims) claimed.add(row.click_id);
    const { rows } = await tx.query<{
      click_id: string;
      link_id: string;
      affiliate_id: string | null;
      campaign: string | null;
      clicked_at: Date;
      bot: boolean;
    }>('SELECT * FROM attribution.click WHERE click_id = ANY($1::uuid[])', [clickIds]);
    for (const row of rows) {
      clicks.set(row.click_id, {
        clickId: row.click_id,
        linkId: row.link_id,
        affiliateId: row.affiliate_id,
        campaign: row.campaign,
        clickedAt: row.clicked_at,
        bot: row.bot,
      });
    }
  }
  return { pageViews, claimed, clicks };
}

/**
 * Orders whose visitor `visitor` is part of (its user's orders, and orders whose own click it
 * claimed), for the re-score a late input may cause.
 */
export async function ordersOfVisitor(tx: Queryable, visitor: string): Promise<string[]> {
  const users: string[] = [];
  if (visitor.startsWith('user:')) users.push(visitor.slice(5));
  else {
    const { rows } = await tx.query<{ user_id: string }>(
      'SELECT user_id FROM attribution.identity_link WHERE anonymous_id = $1',
      [visitor.slice(5)],
    );
    for (const row of rows) users.push(row.user_id);
  }
  const { rows } = await tx.query<{ order_id: string }>(
    `SELECT o.order_id FROM attribution.orders o JOIN attribution.conversion c USING (order_id)
     WHERE o.user_id = ANY($1::text[])
        OR o.click_id IN (SELECT click_id FROM attribution.click_claim WHERE visitor = $2)
     ORDER BY o.order_id LIMIT 1000`,
    [users, visitor],
  );
  return rows.map((row) => row.order_id);
}

export async function ordersOfClick(tx: Queryable, clickId: string): Promise<string[]> {
  const { rows } = await tx.query<{ visitor: string }>(
    'SELECT visitor FROM attribution.click_claim WHERE click_id = $1',
    [clickId],
  );
  const { rows: own } = await tx.query<{ order_id: string }>(
    'SELECT order_id FROM attribution.orders WHERE click_id = $1',
    [clickId],
  );
  const orders = new Set(own.map((row) => row.order_id));
  if (rows[0]) for (const id of await ordersOfVisitor(tx, rows[0].visitor)) orders.add(id);
  return [...orders].sort();
}

export async function loadRates(tx: Queryable): Promise<CommissionRates> {
  const { rows } = await tx.query<{ scope: string; key: string; basis_points: number }>(
    'SELECT scope, key, basis_points FROM attribution.commission_rate',
  );
  const rates = { campaign: new Map<string, number>(), affiliate: new Map<string, number>() };
  for (const row of rows)
    rates[row.scope as 'campaign' | 'affiliate'].set(row.key, row.basis_points);
  return rates;
}
