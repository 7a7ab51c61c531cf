// Applies one consumed event to the read models, inside the transaction that records it in the
// inbox (so a duplicate changes nothing). Every fact is kept order-independently; what an order
// adds to the reports is recomputed from its facts after each of its events, and only the
// difference is added to the daily aggregates of every kept zone.
import type { Queryable } from '@shop/shared';
import { type Contribution, contributionOf, type OrderFacts } from '../domain/contribution.js';
import type { ReportedData, ReportedEventType } from '../events.js';
import { erasedAmong, eraseIdentities, eraseUser, lockAgainstErasure } from './erase-identities.js';

/** A consumed event as the projection needs it. */
export interface ProjectedEvent<T extends ReportedEventType = ReportedEventType> {
  source: string;
  id: string;
  type: T;
  data: ReportedData<T>;
}

/** A new session starts after this long without a page view of the visitor (GA's default). */
export const SESSION_GAP_MS = 30 * 60 * 1000;

/** The exposure and funnel track calls kept (Segment spec names). */
export const KEPT_TRACKS = ['Experiment Viewed', 'Product Added'] as const;

const lock = (tx: Queryable, key: string) =>
  tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`reporting:${key}`]);

async function zonesOf(tx: Queryable): Promise<string[]> {
  const { rows } = await tx.query<{ zone: string }>(
    'SELECT zone FROM reporting.aggregate_zones ORDER BY zone FOR SHARE',
  );
  return rows.map((r) => r.zone);
}

async function addDailySales(
  tx: Queryable,
  zones: string[],
  at: Date,
  currency: string,
  delta: { orders: number; revenue: number; refunds: number; refunded: number },
): Promise<void> {
  if (zones.length === 0) return;
  await tx.query(
    `INSERT INTO reporting.daily_sales (zone, day, currency, orders, revenue, refunds, refunded)
     SELECT z, ($2::timestamptz AT TIME ZONE z)::date, $3, $4, $5, $6, $7
       FROM unnest($1::text[]) AS z
     ON CONFLICT (zone, day, currency) DO UPDATE SET
       orders = reporting.daily_sales.orders + excluded.orders,
       revenue = reporting.daily_sales.revenue + excluded.revenue,
       refunds = reporting.daily_sales.refunds + excluded.refunds,
       refunded = reporting.daily_sales.refunded + excluded.refunded`,
    [zones, at, currency, delta.orders, delta.revenue, delta.refunds, delta.refunded],
  );
}

async function addDailySessions(
  tx: Queryable,
  zones: string[],
  at: Date,
  delta: number,
): Promise<void> {
  if (zones.length === 0) return;
  await tx.query(
    `INSERT INTO reporting.daily_sessions (zone, day, sessions)
     SELECT z, ($2::timestamptz AT TIME ZONE z)::date, $3 FROM unnest($1::text[]) AS z
     ON CONFLICT (zone, day) DO UPDATE SET sessions = reporting.daily_sessions.sessions + excluded.sessions`,
    [zones, at, delta],
  );
}

async function factsOf(tx: Queryable, orderId: string): Promise<OrderFacts> {
  const order = await tx.query<{ currency: string; total_amount: number }>(
    'SELECT currency, total_amount FROM reporting.orders WHERE order_id = $1',
    [orderId],
  );
  const payments = await tx.query<{
    payment_id: string;
    amount: number;
    currency: string;
    succeeded_at: Date;
    mismatched: boolean;
  }>(
    `SELECT p.payment_id, p.amount, p.currency, p.succeeded_at,
            EXISTS (SELECT 1 FROM reporting.payment_mismatches m
                     WHERE m.payment_id = p.payment_id
                       AND m.payment_event_type = 'shop.payment.succeeded') AS mismatched
       FROM reporting.payments p WHERE p.order_id = $1`,
    [orderId],
  );
  const refunds = await tx.query<{
    payment_id: string;
    provider_refund_id: string;
    amount: number;
    currency: string;
    refunded_at: Date;
    mismatched: boolean;
  }>(
    `SELECT r.payment_id, r.provider_refund_id, r.amount, r.currency, r.refunded_at,
            EXISTS (SELECT 1 FROM reporting.payment_mismatches m
                     WHERE m.payment_id = r.payment_id
                       AND m.payment_event_type = 'shop.payment.refunded'
                       AND m.provider_refund_id = r.provider_refund_id) AS mismatched
       FROM reporting.refunds r WHERE r.order_id = $1`,
    [orderId],
  );
  const o = order.rows[0];
  return {
    order: o ? { currency: o.currency, totalAmount: o.total_amount } : null,
    payments: payments.rows.map((p) => ({
      paymentId: p.payment_id,
      amount: p.amount,
      currency: p.currency,
      succeededAt: p.succeeded_at,
      mismatched: p.mismatched,
    })),
    refunds: refunds.rows.map((r) => ({
      paymentId: r.payment_id,
      providerRefundId: r.provider_refund_id,
      amount: r.amount,
      currency: r.currency,
      refundedAt: r.refunded_at,
      mismatched: r.mismatched,
    })),
  };
}

async function storedContribution(tx: Queryable, orderId: string): Promise<Contribution> {
  const sale = await tx.query<{
    payment_id: string;
    currency: string;
    revenue: number;
    paid_at: Date;
  }>('SELECT payment_id, currency, revenue, paid_at FROM reporting.sales WHERE order_id = $1', [
    orderId,
  ]);
  const refunds = await tx.query<{
    payment_id: string;
    provider_refund_id: string;
    currency: string;
    amount: number;
    refunded_at: Date;
  }>(
    `SELECT payment_id, provider_refund_id, currency, amount, refunded_at
       FROM reporting.refunds_counted WHERE order_id = $1`,
    [orderId],
  );
  const s = sale.rows[0];
  return {
    sale: s
      ? { paymentId: s.payment_id, currency: s.currency, revenue: s.revenue, paidAt: s.paid_at }
      : null,
    refunds: refunds.rows.map((r) => ({
      paymentId: r.payment_id,
      providerRefundId: r.provider_refund_id,
      currency: r.currency,
      amount: r.amount,
      refundedAt: r.refunded_at,
    })),
  };
}

const refundKey = (r: { paymentId: string; providerRefundId: string }) =>
  `${r.paymentId} ${r.providerRefundId}`;

/** Recomputes an order's contribution from its facts and moves the aggregates by the change. */
async function settleOrder(tx: Queryable, orderId: string): Promise<void> {
  const before = await storedContribution(tx, orderId);
  const after = contributionOf(await factsOf(tx, orderId));
  const zones = await zonesOf(tx);
  const sameSale =
    before.sale?.paymentId === after.sale?.paymentId &&
    before.sale?.revenue === after.sale?.revenue &&
    before.sale?.currency === after.sale?.currency &&
    before.sale?.paidAt.getTime() === after.sale?.paidAt.getTime();
  if (!sameSale) {
    if (before.sale) {
      const { paidAt, currency, revenue } = before.sale;
      await addDailySales(tx, zones, paidAt, currency, {
        orders: -1,
        revenue: -revenue,
        refunds: 0,
        refunded: 0,
      });
      await tx.query('DELETE FROM reporting.sales WHERE order_id = $1', [orderId]);
    }
    if (after.sale) {
      const { paidAt, currency, revenue, paymentId } = after.sale;
      await addDailySales(tx, zones, paidAt, currency, {
        orders: 1,
        revenue,
        refunds: 0,
        refunded: 0,
      });
      await tx.query(
        `INSERT INTO reporting.sales (order_id, payment_id, currency, revenue, paid_at)
         VALUES ($1, $2, $3, $4, $5)`,
        [orderId, paymentId, currency, revenue, paidAt],
      );
    }
  }
  const kept = new Map(after.refunds.map((r) => [refundKey(r), r]));
  const had = new Map(before.refunds.map((r) => [refundKey(r), r]));
  for (const [key, refund] of had) {
    if (kept.has(key)) continue;
    await addDailySales(tx, zones, refund.refundedAt, refund.currency, {
      orders: 0,
      revenue: 0,
      refunds: -1,
      refunded: -refund.amount,
    });
    await tx.query(
      'DELETE FROM reporting.refunds_counted WHERE payment_id = $1 AND provider_refund_id = $2',
      [refund.paymentId, refund.providerRefundId],
    );
  }
  for (const [key, refund] of kept) {
    if (had.has(key)) continue;
    await addDailySales(tx, zones, refund.refundedAt, refund.currency, {
      orders: 0,
      revenue: 0,
      refunds: 1,
      refunded: refund.amount,
    });
    await tx.query(
      `INSERT INTO reporting.refunds_counted
         (payment_id, provider_refund_id, order_id, currency, amount, refunded_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        refund.paymentId,
        refund.providerRefundId,
        orderId,
        refund.currency,
        refund.amount,
        refund.refundedAt,
      ],
    );
  }
}

async function recordPageView(
  tx: Queryable,
  visitorKey: string,
  viewedAt: Date,
  eventKey: string,
): Promise<void> {
  await lock(tx, `visitor:${visitorKey}`);
  const zones = await zonesOf(tx);
  const prev = await tx.query<{ viewed_at: Date }>(
    `SELECT viewed_at FROM reporting.page_views
      WHERE visitor_key = $1 AND (viewed_at, event_key) < ($2::timestamptz, $3)
      ORDER BY viewed_at DESC, event_key DESC LIMIT 1`,
    [visitorKey, viewedAt, eventKey],
  );
  const next = await tx.query<{ viewed_at: Date; event_key: string; session_start: boolean }>(
    `SELECT viewed_at, event_key, session_start FROM reporting.page_views
      WHERE visitor_key = $1 AND (viewed_at, event_key) > ($2::timestamptz, $3)
      ORDER BY viewed_at, event_key LIMIT 1`,
    [visitorKey, viewedAt, eventKey],
  );
  const previous = prev.rows[0];
  const starts = !previous || viewedAt.getTime() - previous.viewed_at.getTime() > SESSION_GAP_MS;
  const inserted = await tx.query(
    `INSERT INTO reporting.page_views (visitor_key, viewed_at, event_key, session_start)
     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
    [visitorKey, viewedAt, eventKey, starts],
  );
  if (inserted.rowCount === 0) return;
  if (starts) await addDailySessions(tx, zones, viewedAt, 1);
  const following = next.rows[0];
  if (
    following?.session_start &&
    following.viewed_at.getTime() - viewedAt.getTime() <= SESSION_GAP_MS
  ) {
    await tx.query(
      `UPDATE reporting.page_views SET session_start = false
        WHERE visitor_key = $1 AND viewed_at = $2 AND event_key = $3`,
      [visitorKey, following.viewed_at, following.event_key],
    );
    await addDailySessions(tx, zones, following.viewed_at, -1);
  }
}

async function recordIdentity(
  tx: Queryable,
  anonymousId: string | null,
  userId: string | null,
): Promise<void> {
  if (!anonymousId || !userId) return;
  await tx.query(
    'INSERT INTO reporting.identities (anonymous_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
    [anonymousId, userId],
  );
}

/**
 * Whether an analytics call is taken in: not when it names an erased person. The other ids
 * it names are theirs too (an identify after the erasure), so those are erased as well.
 */
async function admitCall(
  tx: Queryable,
  ids: readonly (string | null)[],
  receivedAt: string,
): Promise<boolean> {
  await lockAgainstErasure(tx);
  const erased = await erasedAmong(tx, ids);
  if (erased.size === 0) return true;
  const others = ids.filter((id): id is string => !!id && !erased.has(id));
  await eraseIdentities(tx, others, new Date(receivedAt));
  return false;
}

const eventKeyOf = (event: { source: string; id: string }) => `${event.source} ${event.id}`;
const text = (value: unknown): string | null =>
  typeof value === 'string' && value.length > 0 && value.length <= 200 ? value : null;

type Handlers = {
  [T in ReportedEventType]: (tx: Queryable, event: ProjectedEvent<T>) => Promise<void>;
};

const handlers: Handlers = {
  async 'shop.order.created'(tx, { data }) {
    await lockAgainstErasure(tx);
    await lock(tx, `order:${data.orderId}`);
    // The order of an erased shopper still counts, without them.
    const userId = (await erasedAmong(tx, [data.userId])).size > 0 ? null : data.userId;
    const cancellation = await tx.query<{ reason: string; cancelled_at: Date }>(
      'SELECT reason, cancelled_at FROM reporting.order_cancellations WHERE order_id = $1',
      [data.orderId],
    );
    const cancelled = cancellation.rows[0];
    const created = await tx.query(
      `INSERT INTO reporting.orders
         (order_id, user_id, total_amount, currency, click_id, created_at, cancelled_at, cancel_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (order_id) DO NOTHING`,
      [
        data.orderId,
        userId,
        data.total.amount,
        data.total.currency,
        data.clickId,
        data.createdAt,
        cancelled?.cancelled_at ?? null,
        cancelled?.reason ?? null,
      ],
    );
    if (created.rowCount === 0) return;
    for (const [line, item] of data.items.entries()) {
      await tx.query(
        `INSERT INTO reporting.order_items
           (order_id, line, product_id, slug, name, quantity, unit_amount, currency)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          data.orderId,
          line,
          item.productId,
          item.slug,
          item.name,
          item.quantity,
          item.unitPrice.amount,
          item.unitPrice.currency,
        ],
      );
    }
    await settleOrder(tx, data.orderId);
  },

  async 'shop.order.cancelled'(tx, { data }) {
    await lock(tx, `order:${data.orderId}`);
    await tx.query(
      `INSERT INTO reporting.order_cancellations (order_id, reason, cancelled_at)
       VALUES ($1, $2, $3) ON CONFLICT (order_id) DO NOTHING`,
      [data.orderId, data.reason, data.cancelledAt],
    );
    await tx.query(
      `UPDATE reporting.orders o SET cancelled_at = c.cancelled_at, cancel_reason = c.reason
         FROM reporting.order_cancellations c
        WHERE o.order_id = $1 AND c.order_id = o.order_id`,
      [data.orderId],
    );
  },

  async 'shop.order.payment_mismatched'(tx, event) {
    const { data } = event;
    await lock(tx, `order:${data.orderId}`);
    await tx.query(
      `INSERT INTO reporting.payment_mismatches
         (payment_event_id, payment_event_type, payment_id, provider_refund_id, order_id)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [
        data.paymentEventId,
        data.paymentEventType,
        data.paymentId,
        data.providerRefundId,
        data.orderId,
      ],
    );
    await settleOrder(tx, data.orderId);
  },

  async 'shop.payment.succeeded'(tx, { data }) {
    await lock(tx, `order:${data.orderId}`);
    await tx.query(
      `INSERT INTO reporting.payments (payment_id, order_id, amount, currency, succeeded_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (payment_id) DO NOTHING`,
      [data.paymentId, data.orderId, data.amount.amount, data.amount.currency, data.succeededAt],
    );
    await settleOrder(tx, data.orderId);
  },

  async 'shop.payment.refunded'(tx, { data }) {
    await lock(tx, `order:${data.orderId}`);
    await tx.query(
      `INSERT INTO reporting.refunds
         (payment_id, provider_refund_id, order_id, amount, currency, refunded_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [
        data.paymentId,
        data.providerRefundId,
        data.orderId,
        data.amount.amount,
        data.amount.currency,
        data.refundedAt,
      ],
    );
    await settleOrder(tx, data.orderId);
  },

  async 'shop.conversion.attributed'(tx, { data }) {
    await lock(tx, `conversion:${data.conversionId}`);
    const kept = await tx.query(
      `INSERT INTO reporting.conversions
         (conversion_id, order_id, version, model, currency, revenue, commission, purchased_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (conversion_id) DO UPDATE SET
         order_id = excluded.order_id, version = excluded.version, model = excluded.model,
         currency = excluded.currency, revenue = excluded.revenue,
         commission = excluded.commission, purchased_at = excluded.purchased_at
       WHERE reporting.conversions.version < excluded.version`,
      [
        data.conversionId,
        data.orderId,
        data.version,
        data.model,
        data.revenue.currency,
        data.revenue.amount,
        data.commission.amount,
        data.purchasedAt,
      ],
    );
    if (kept.rowCount === 0) return;
    await tx.query('DELETE FROM reporting.conversion_touchpoints WHERE conversion_id = $1', [
      data.conversionId,
    ]);
    for (const touch of data.touchpoints) {
      await tx.query(
        `INSERT INTO reporting.conversion_touchpoints
           (conversion_id, touchpoint_id, affiliate_id, campaign, credit, commission)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (conversion_id, touchpoint_id) DO UPDATE SET
           credit = reporting.conversion_touchpoints.credit + excluded.credit,
           commission = reporting.conversion_touchpoints.commission + excluded.commission`,
        [
          data.conversionId,
          touch.touchpointId,
          touch.affiliateId,
          touch.campaign,
          touch.credit,
          touch.commission,
        ],
      );
    }
  },

  async 'shop.conversion.reversed'(tx, { data }) {
    await lock(tx, `conversion:${data.conversionId}`);
    const kept = await tx.query(
      `INSERT INTO reporting.conversion_reversals (conversion_id, version) VALUES ($1, $2)
       ON CONFLICT (conversion_id) DO UPDATE SET version = excluded.version
       WHERE reporting.conversion_reversals.version < excluded.version`,
      [data.conversionId, data.version],
    );
    if (kept.rowCount === 0) return;
    await tx.query('DELETE FROM reporting.reversal_touchpoints WHERE conversion_id = $1', [
      data.conversionId,
    ]);
    for (const touch of data.touchpoints) {
      await tx.query(
        `INSERT INTO reporting.reversal_touchpoints
           (conversion_id, touchpoint_id, credit_reversed, commission_reversed)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (conversion_id, touchpoint_id) DO UPDATE SET
           credit_reversed = reporting.reversal_touchpoints.credit_reversed + excluded.credit_reversed,
           commission_reversed = reporting.reversal_touchpoints.commission_reversed + excluded.commission_reversed`,
        [data.conversionId, touch.touchpointId, touch.creditReversed, touch.commissionReversed],
      );
    }
  },

  async 'shop.link.clicked'(tx, { data }) {
    await tx.query(
      `INSERT INTO reporting.clicks
         (click_id, link_id, affiliate_id, campaign, visitor_hash, bot, clicked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (click_id) DO NOTHING`,
      [
        data.clickId,
        data.linkId,
        data.affiliateId,
        data.campaign,
        data.visitorHash ?? null,
        data.bot ?? data.device === 'bot',
        data.clickedAt,
      ],
    );
  },

  async 'shop.analytics.page'(tx, event) {
    const { data } = event;
    if (!(await admitCall(tx, [data.anonymousId, data.userId], data.receivedAt))) return;
    await recordIdentity(tx, data.anonymousId, data.userId);
    await recordPageView(tx, data.visitorKey, new Date(data.timestamp), eventKeyOf(event));
  },

  async 'shop.analytics.track'(tx, event) {
    const { data } = event;
    if (!(await admitCall(tx, [data.anonymousId, data.userId], data.receivedAt))) return;
    await recordIdentity(tx, data.anonymousId, data.userId);
    if (!(KEPT_TRACKS as readonly string[]).includes(data.event)) return;
    // feature-flag sends variant_id; Segment's A/B testing spec names it variation_id.
    const experimentId = text(data.properties.experiment_id);
    const variantId = text(data.properties.variant_id) ?? text(data.properties.variation_id);
    // An exposure without its flag and variant says nothing about an experiment.
    if (data.event === 'Experiment Viewed' && (!experimentId || !variantId)) return;
    await tx.query(
      `INSERT INTO reporting.tracks
         (event_key, event, visitor_key, anonymous_id, user_id, occurred_at, experiment_id, variant_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (event_key) DO NOTHING`,
      [
        eventKeyOf(event),
        data.event,
        data.visitorKey,
        data.anonymousId,
        data.userId,
        data.timestamp,
        data.event === 'Experiment Viewed' ? experimentId : null,
        data.event === 'Experiment Viewed' ? variantId : null,
      ],
    );
  },

  async 'shop.analytics.identify'(tx, { data }) {
    if (!(await admitCall(tx, [data.anonymousId, data.userId], data.receivedAt))) return;
    await recordIdentity(tx, data.anonymousId, data.userId);
  },

  async 'shop.analytics.screen'(tx, { data }) {
    if (!(await admitCall(tx, [data.anonymousId, data.userId], data.receivedAt))) return;
    await recordIdentity(tx, data.anonymousId, data.userId);
  },

  async 'shop.analytics.group'(tx, { data }) {
    if (!(await admitCall(tx, [data.anonymousId, data.userId], data.receivedAt))) return;
    await recordIdentity(tx, data.anonymousId, data.userId);
  },

  // Segment's alias: previousId (an anonymous id, or an older user id) is userId from now on.
  async 'shop.analytics.alias'(tx, { data }) {
    const ids = [data.anonymousId, data.userId, data.previousId];
    if (!(await admitCall(tx, ids, data.receivedAt))) return;
    await recordIdentity(tx, data.anonymousId, data.userId);
    await recordIdentity(tx, data.previousId, data.userId);
  },

  // The person's ids become pseudonyms everywhere; what they bought still counts.
  async 'shop.user.erased'(tx, { data }) {
    await eraseUser(tx, data);
  },
};

/**
 * Applies one event to the read models in `tx` (the caller records it in the inbox first).
 * @example await db.transaction((tx) => projectEvent(tx, { source, id, type: 'shop.order.created', data }));
 */
export function projectEvent(tx: Queryable, event: ProjectedEvent): Promise<void> {
  const handler = handlers[event.type] as (tx: Queryable, event: ProjectedEvent) => Promise<void>;
  return handler(tx, event);
}
