// The report queries. Sales and sessions by period read the daily aggregates of a kept zone
// (at most 366 rows per currency and year) or, for any other zone, aggregate the facts with
// AT TIME ZONE; both give the same rows. The other reports read the facts of the range.
import type { Queryable } from '@shop/shared';
import { wilsonInterval } from '../domain/wilson.js';

/** A report's range: local dates of `zone`, both included. */
export interface ReportRange {
  zone: string;
  from: string;
  to: string;
}

export type Interval = 'day' | 'week' | 'month';

export type ReportSource = 'daily_aggregates' | 'facts';

/** A report: its rows, every row with the same keys in the order of `columns`. */
export interface Report<Row extends object> {
  columns: readonly (keyof Row & string)[];
  rows: Row[];
}

// Local midnight of `from` and of the day after `to`, as instants.
const BOUNDS = `bounds AS (
  SELECT ($2::date::timestamp AT TIME ZONE $1) AS lo, (($3::date + 1)::timestamp AT TIME ZONE $1) AS hi)`;

const PERIOD = (column: string) => `to_char(date_trunc($4, ${column}::timestamp), 'YYYY-MM-DD')`;

/** Rounds a ratio to 6 decimals (reports must be byte-identical for the same facts). */
const ratio = (numerator: number, denominator: number): number | null =>
  denominator === 0 ? null : Number((numerator / denominator).toFixed(6));

/** A mean of integer minor units, rounded half up to an integer: still minor units. */
const meanMinorUnits = (total: number, count: number): number | null =>
  count === 0 ? null : Number((2n * BigInt(total) + BigInt(count)) / (2n * BigInt(count)));

/** Whether the zone's daily aggregates are kept. */
export async function keepsAggregates(db: Queryable, zone: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM reporting.aggregate_zones WHERE zone = $1', [
    zone,
  ]);
  return rowCount > 0;
}

interface SalesRow {
  period: string;
  currency: string;
  orders: number;
  revenue: number;
  refunds: number;
  refunded: number;
}

/** Paid orders, revenue and refunds per period and currency. */
export async function salesByPeriod(
  db: Queryable,
  range: ReportRange,
  interval: Interval,
  source: ReportSource,
): Promise<SalesRow[]> {
  const sql =
    source === 'daily_aggregates'
      ? `SELECT ${PERIOD('day')} AS period, currency,
                sum(orders)::bigint AS orders, sum(revenue)::bigint AS revenue,
                sum(refunds)::bigint AS refunds, sum(refunded)::bigint AS refunded
           FROM reporting.daily_sales
          WHERE zone = $1 AND day BETWEEN $2::date AND $3::date
          GROUP BY 1, 2 HAVING sum(orders) <> 0 OR sum(refunds) <> 0
          ORDER BY 1, 2`
      : `WITH ${BOUNDS}, facts AS (
           SELECT (s.paid_at AT TIME ZONE $1)::date AS day, s.currency, 1 AS orders,
                  s.revenue, 0 AS refunds, 0::bigint AS refunded
             FROM reporting.sales s, bounds b WHERE s.paid_at >= b.lo AND s.paid_at < b.hi
           UNION ALL
           SELECT (r.refunded_at AT TIME ZONE $1)::date, r.currency, 0, 0::bigint, 1, r.amount
             FROM reporting.refunds_counted r, bounds b
            WHERE r.refunded_at >= b.lo AND r.refunded_at < b.hi)
         SELECT ${PERIOD('day')} AS period, currency,
                sum(orders)::bigint AS orders, sum(revenue)::bigint AS revenue,
                sum(refunds)::bigint AS refunds, sum(refunded)::bigint AS refunded
           FROM facts GROUP BY 1, 2 ORDER BY 1, 2`;
  const { rows } = await db.query<SalesRow>(sql, [range.zone, range.from, range.to, interval]);
  return rows;
}

export type SalesReportRow = SalesRow & {
  averageOrderValue: number | null;
  netRevenue: number;
};

/** Revenue, orders, average order value and refunds by period, per currency (never summed across). */
export async function salesReport(
  db: Queryable,
  range: ReportRange,
  interval: Interval,
  source: ReportSource,
): Promise<Report<SalesReportRow>> {
  const rows = await salesByPeriod(db, range, interval, source);
  return {
    columns: [
      'period',
      'currency',
      'orders',
      'revenue',
      'averageOrderValue',
      'refunds',
      'refunded',
      'netRevenue',
    ],
    rows: rows.map((r) => ({
      period: r.period,
      currency: r.currency,
      orders: r.orders,
      revenue: r.revenue,
      averageOrderValue: meanMinorUnits(r.revenue, r.orders),
      refunds: r.refunds,
      refunded: r.refunded,
      netRevenue: r.revenue - r.refunded,
    })),
  };
}

interface ConversionRow {
  period: string;
  sessions: number;
  orders: number;
  conversionRate: number | null;
}

/** Sessions (from page views), paid orders of every currency and their ratio, by period. */
export async function conversionReport(
  db: Queryable,
  range: ReportRange,
  interval: Interval,
  source: ReportSource,
): Promise<Report<ConversionRow>> {
  const sessionsSql =
    source === 'daily_aggregates'
      ? `SELECT ${PERIOD('day')} AS period, sum(sessions)::bigint AS sessions
           FROM reporting.daily_sessions
          WHERE zone = $1 AND day BETWEEN $2::date AND $3::date
          GROUP BY 1 HAVING sum(sessions) <> 0`
      : `WITH ${BOUNDS}
         SELECT ${PERIOD('(v.viewed_at AT TIME ZONE $1)::date')} AS period, count(*)::bigint AS sessions
           FROM reporting.page_views v, bounds b
          WHERE v.session_start AND v.viewed_at >= b.lo AND v.viewed_at < b.hi
          GROUP BY 1`;
  const sessions = await db.query<{ period: string; sessions: number }>(sessionsSql, [
    range.zone,
    range.from,
    range.to,
    interval,
  ]);
  const sales = await salesByPeriod(db, range, interval, source);
  const byPeriod = new Map<string, { sessions: number; orders: number }>();
  for (const row of sessions.rows) byPeriod.set(row.period, { sessions: row.sessions, orders: 0 });
  for (const row of sales) {
    if (row.orders === 0) continue;
    const entry = byPeriod.get(row.period) ?? { sessions: 0, orders: 0 };
    entry.orders += row.orders;
    byPeriod.set(row.period, entry);
  }
  const periods = [...byPeriod.keys()].sort();
  return {
    columns: ['period', 'sessions', 'orders', 'conversionRate'],
    rows: periods.map((period) => {
      const { sessions: s, orders } = byPeriod.get(period) as { sessions: number; orders: number };
      return { period, sessions: s, orders, conversionRate: ratio(orders, s) };
    }),
  };
}

interface ProductRow {
  currency: string;
  rank: number;
  productId: string;
  slug: string;
  name: string;
  quantity: number;
  orders: number;
  revenue: number;
}

/** The best-selling products of the range by revenue, ranked per currency. */
export async function topProductsReport(
  db: Queryable,
  range: ReportRange,
  limit: number,
): Promise<Report<ProductRow>> {
  const { rows } = await db.query<ProductRow>(
    `WITH ${BOUNDS}, totals AS (
       SELECT i.currency, i.product_id,
              (array_agg(i.slug ORDER BY s.paid_at DESC, i.order_id DESC))[1] AS slug,
              (array_agg(i.name ORDER BY s.paid_at DESC, i.order_id DESC))[1] AS name,
              sum(i.quantity)::bigint AS quantity,
              count(DISTINCT i.order_id)::bigint AS orders,
              sum(i.quantity::bigint * i.unit_amount)::bigint AS revenue
         FROM reporting.sales s
         JOIN reporting.order_items i ON i.order_id = s.order_id AND i.currency = s.currency,
              bounds b
        WHERE s.paid_at >= b.lo AND s.paid_at < b.hi
        GROUP BY i.currency, i.product_id),
     ranked AS (
       SELECT *, row_number() OVER (PARTITION BY currency
                                    ORDER BY revenue DESC, quantity DESC, product_id) AS rank
         FROM totals)
     SELECT currency, rank::int AS rank, product_id::text AS "productId", slug, name,
            quantity, orders, revenue
       FROM ranked WHERE rank <= $4 ORDER BY currency, rank`,
    [range.zone, range.from, range.to, limit],
  );
  return {
    columns: ['currency', 'rank', 'productId', 'slug', 'name', 'quantity', 'orders', 'revenue'],
    rows,
  };
}

interface AffiliateRow {
  affiliateId: string | null;
  campaign: string | null;
  currency: string;
  conversions: number;
  revenue: number;
  commission: number;
  revenueReversed: number;
  commissionReversed: number;
  netRevenue: number;
  netCommission: number;
}

/** Attributed revenue and commission (and what refunds took back) per affiliate, campaign and currency. */
export async function affiliatesReport(
  db: Queryable,
  range: ReportRange,
): Promise<Report<AffiliateRow>> {
  const { rows } = await db.query<Omit<AffiliateRow, 'netRevenue' | 'netCommission'>>(
    `WITH ${BOUNDS}
     SELECT t.affiliate_id AS "affiliateId", t.campaign, c.currency,
            count(DISTINCT c.conversion_id)::bigint AS conversions,
            sum(t.credit)::bigint AS revenue, sum(t.commission)::bigint AS commission,
            coalesce(sum(r.credit_reversed), 0)::bigint AS "revenueReversed",
            coalesce(sum(r.commission_reversed), 0)::bigint AS "commissionReversed"
       FROM reporting.conversions c
       JOIN reporting.conversion_touchpoints t ON t.conversion_id = c.conversion_id
       LEFT JOIN reporting.reversal_touchpoints r
              ON r.conversion_id = t.conversion_id AND r.touchpoint_id = t.touchpoint_id,
            bounds b
      WHERE c.purchased_at >= b.lo AND c.purchased_at < b.hi
      GROUP BY 1, 2, 3
      ORDER BY 3, 5 DESC, 1 NULLS LAST, 2 NULLS LAST`,
    [range.zone, range.from, range.to],
  );
  return {
    columns: [
      'affiliateId',
      'campaign',
      'currency',
      'conversions',
      'revenue',
      'commission',
      'revenueReversed',
      'commissionReversed',
      'netRevenue',
      'netCommission',
    ],
    rows: rows.map((r) => ({
      ...r,
      netRevenue: r.revenue - r.revenueReversed,
      netCommission: r.commission - r.commissionReversed,
    })),
  };
}

interface ClickRow {
  affiliateId: string | null;
  campaign: string | null;
  clicks: number;
  botClicks: number;
}

/** Tracked-link clicks per affiliate and campaign; bots (crawlers, link previews) apart. */
export async function clicksReport(db: Queryable, range: ReportRange): Promise<Report<ClickRow>> {
  const { rows } = await db.query<ClickRow>(
    `WITH ${BOUNDS}
     SELECT k.affiliate_id AS "affiliateId", k.campaign,
            count(*) FILTER (WHERE NOT k.bot)::bigint AS clicks,
            count(*) FILTER (WHERE k.bot)::bigint AS "botClicks"
       FROM reporting.clicks k, bounds b
      WHERE k.clicked_at >= b.lo AND k.clicked_at < b.hi
      GROUP BY 1, 2 ORDER BY 3 DESC, 1 NULLS LAST, 2 NULLS LAST`,
    [range.zone, range.from, range.to],
  );
  return { columns: ['affiliateId', 'campaign', 'clicks', 'botClicks'], rows };
}

interface FunnelRow {
  step: string;
  count: number;
  rateFromPrevious: number | null;
  rateFromFirst: number | null;
}

/**
 * Visit → cart → checkout → paid over the range: visitors with a page view, visitors with a
 * "Product Added" track call, orders created, and those of them paid.
 */
export async function funnelReport(db: Queryable, range: ReportRange): Promise<Report<FunnelRow>> {
  const { rows } = await db.query<{ visit: number; cart: number; checkout: number; paid: number }>(
    `WITH ${BOUNDS}
     SELECT
       (SELECT count(DISTINCT v.visitor_key) FROM reporting.page_views v
         WHERE v.viewed_at >= b.lo AND v.viewed_at < b.hi)::bigint AS visit,
       (SELECT count(DISTINCT t.visitor_key) FROM reporting.tracks t
         WHERE t.event = 'Product Added' AND t.occurred_at >= b.lo AND t.occurred_at < b.hi)::bigint AS cart,
       (SELECT count(*) FROM reporting.orders o
         WHERE o.created_at >= b.lo AND o.created_at < b.hi)::bigint AS checkout,
       (SELECT count(*) FROM reporting.orders o JOIN reporting.sales s ON s.order_id = o.order_id
         WHERE o.created_at >= b.lo AND o.created_at < b.hi)::bigint AS paid
     FROM bounds b`,
    [range.zone, range.from, range.to],
  );
  const counts = rows[0] ?? { visit: 0, cart: 0, checkout: 0, paid: 0 };
  const steps = ['visit', 'cart', 'checkout', 'paid'] as const;
  return {
    columns: ['step', 'count', 'rateFromPrevious', 'rateFromFirst'],
    rows: steps.map((step, index) => {
      const previous = index === 0 ? null : counts[steps[index - 1] as (typeof steps)[number]];
      return {
        step,
        count: counts[step],
        rateFromPrevious: previous === null ? null : ratio(counts[step], previous),
        rateFromFirst: index === 0 ? null : ratio(counts[step], counts.visit),
      };
    }),
  };
}

interface ExperimentRow {
  flagKey: string;
  variant: string;
  visitors: number;
  conversions: number;
  conversionRate: number | null;
  confidenceLow: number;
  confidenceHigh: number;
}

/**
 * Per flag and variant: visitors first exposed in the range (each counted once, in the variant
 * of their first exposure), those of them with a paid order after it (by the end of the range),
 * the rate and its 95% Wilson score interval.
 */
export async function experimentsReport(
  db: Queryable,
  range: ReportRange,
  flagKey: string | undefined,
): Promise<Report<ExperimentRow>> {
  const { rows } = await db.query<{
    flag_key: string;
    variant: string;
    visitors: number;
    conversions: number;
  }>(
    `WITH ${BOUNDS}, exposures AS (
       SELECT DISTINCT ON (t.experiment_id, coalesce(t.anonymous_id, t.user_id))
              t.experiment_id, t.variant_id, t.anonymous_id, t.user_id, t.occurred_at
         FROM reporting.tracks t, bounds b
        WHERE t.event = 'Experiment Viewed' AND t.occurred_at >= b.lo AND t.occurred_at < b.hi
          AND coalesce(t.anonymous_id, t.user_id) IS NOT NULL
          AND ($4::text IS NULL OR t.experiment_id = $4)
        ORDER BY t.experiment_id, coalesce(t.anonymous_id, t.user_id), t.occurred_at, t.event_key),
     outcomes AS (
       SELECT e.experiment_id, e.variant_id,
              EXISTS (
                SELECT 1 FROM reporting.sales s JOIN reporting.orders o ON o.order_id = s.order_id
                 WHERE s.paid_at >= e.occurred_at AND s.paid_at < b.hi
                   AND (o.user_id::text = e.user_id OR o.user_id::text = e.anonymous_id
                        OR o.user_id::text IN (SELECT i.user_id FROM reporting.identities i
                                                WHERE i.anonymous_id = e.anonymous_id))
              ) AS converted
         FROM exposures e, bounds b)
     SELECT experiment_id AS flag_key, variant_id AS variant, count(*)::bigint AS visitors,
            count(*) FILTER (WHERE converted)::bigint AS conversions
       FROM outcomes GROUP BY 1, 2 ORDER BY 1, 2`,
    [range.zone, range.from, range.to, flagKey ?? null],
  );
  return {
    columns: [
      'flagKey',
      'variant',
      'visitors',
      'conversions',
      'conversionRate',
      'confidenceLow',
      'confidenceHigh',
    ],
    rows: rows.map((r) => {
      const { low, high } = wilsonInterval(r.conversions, r.visitors);
      return {
        flagKey: r.flag_key,
        variant: r.variant,
        visitors: r.visitors,
        conversions: r.conversions,
        conversionRate: ratio(r.conversions, r.visitors),
        confidenceLow: Number(low.toFixed(6)),
        confidenceHigh: Number(high.toFixed(6)),
      };
    }),
  };
}
