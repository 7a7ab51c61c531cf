// /api/admin/attribution/orders, /totals, /mismatches, /payouts — staff read how sales were
// credited, totals per affiliate and campaign, payments that were not scored, and mark
// commissions paid out
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { newId, Problem, problemResponses, requirePermission, type ServiceEnv } from '@shop/shared';
import type { AttributionDeps } from '../deps.js';
import { describeModel, explainTouch } from '../domain/explain-credit.js';
import { creditsOf, findConversion } from '../scoring.js';
import { findOrder, lockScoring } from '../store.js';
import { checkPeriod, Period, periodShape, staffProblems } from './schemas.js';

const CreditSchema = z
  .object({
    touchpointId: z.string(),
    kind: z.enum(['click', 'campaign']),
    clickId: z.string().nullable(),
    linkId: z.string().nullable(),
    affiliateId: z.string().nullable(),
    campaign: z.string().nullable(),
    touchedAt: z.string(),
    credit: z.number().int(),
    sharePercent: z.number(),
    commissionRateBasisPoints: z.number().int(),
    commission: z.number().int(),
    creditReversed: z.number().int(),
    commissionReversed: z.number().int(),
    explanation: z.string(),
  })
  .openapi('AttributionCredit');

const ExplanationSchema = z
  .object({
    orderId: z.string(),
    conversionId: z.string(),
    paymentId: z.string(),
    status: z.enum(['attributed', 'unattributed', 'mismatched']),
    mismatchReason: z.string().nullable(),
    model: z.string(),
    rule: z.string(),
    revenue: z.object({ amount: z.number().int(), currency: z.string() }),
    commission: z.number().int(),
    refunded: z.number().int(),
    creditReversed: z.number().int(),
    commissionReversed: z.number().int(),
    purchasedAt: z.string(),
    version: z.number().int(),
    paidOutAt: z.string().nullable(),
    frozenReason: z.string().nullable(),
    summary: z.string(),
    credits: z.array(CreditSchema),
  })
  .openapi('AttributionExplanation');

const TotalsQuery = checkPeriod(
  z.object({ ...periodShape, groupBy: z.enum(['affiliate', 'campaign']).default('affiliate') }),
);
const TotalsSchema = z
  .object({
    groupBy: z.enum(['affiliate', 'campaign']),
    from: z.string(),
    to: z.string(),
    items: z.array(
      z.object({
        key: z.string().nullable(),
        currency: z.string(),
        conversions: z.number().int(),
        credit: z.number().int(),
        commission: z.number().int(),
        creditReversed: z.number().int(),
        commissionReversed: z.number().int(),
        netCommission: z.number().int(),
      }),
    ),
  })
  .openapi('AttributionTotals');

const explainRoute = createRoute({
  method: 'get',
  path: '/api/admin/attribution/orders/{id}',
  tags: ['staff'],
  summary: 'How a sale was credited, in words and numbers',
  request: { params: z.object({ id: z.uuid() }) },
  responses: {
    200: {
      description: 'The explanation',
      content: { 'application/json': { schema: ExplanationSchema } },
    },
    ...problemResponses({ 400: 'The id is not a uuid', 404: 'No scored payment for this order' }),
    ...staffProblems,
  },
});
const totalsRoute = createRoute({
  method: 'get',
  path: '/api/admin/attribution/totals',
  tags: ['staff'],
  summary: 'Credit and commission per affiliate or campaign for purchases in [from, to)',
  request: { query: TotalsQuery },
  responses: {
    200: {
      description: 'Totals, per currency',
      content: { 'application/json': { schema: TotalsSchema } },
    },
    ...problemResponses({ 400: 'Invalid period' }),
    ...staffProblems,
  },
});
const mismatchRoute = createRoute({
  method: 'get',
  path: '/api/admin/attribution/mismatches',
  tags: ['staff'],
  summary: 'Payments not scored because amount or currency did not match the order',
  request: { query: Period },
  responses: {
    200: {
      description: 'The mismatched payments, newest first (at most 500)',
      content: {
        'application/json': {
          schema: z.object({
            count: z.number().int(),
            items: z.array(
              z.object({
                orderId: z.string(),
                paymentId: z.string(),
                reason: z.string(),
                amount: z.number().int(),
                currency: z.string(),
                purchasedAt: z.string(),
              }),
            ),
          }),
        },
      },
    },
    ...problemResponses({ 400: 'Invalid period' }),
    ...staffProblems,
  },
});
const payoutRoute = createRoute({
  method: 'post',
  path: '/api/admin/attribution/payouts',
  tags: ['staff'],
  summary: 'Mark the commissions of purchases in [from, to) paid out: their credits stop changing',
  request: {
    body: {
      required: true,
      content: { 'application/json': { schema: checkPeriod(z.strictObject(periodShape)) } },
    },
  },
  responses: {
    201: {
      description: 'The payout',
      content: {
        'application/json': {
          schema: z.object({
            payoutId: z.string(),
            from: z.string(),
            to: z.string(),
            conversions: z.number().int(),
            commission: z.array(z.object({ currency: z.string(), amount: z.number().int() })),
          }),
        },
      },
    },
    ...problemResponses({ 400: 'Invalid period', 409: 'The period is not over yet' }),
    ...staffProblems,
  },
});

const who = (row: {
  affiliateId: string | null;
  campaign: string | null;
  linkId: string | null;
  kind: string;
}) =>
  row.affiliateId
    ? `affiliate ${row.affiliateId}`
    : row.campaign
      ? `campaign ${row.campaign}`
      : `link ${row.linkId ?? 'unknown'}`;

export function registerConversionRoutes(
  app: OpenAPIHono<ServiceEnv>,
  deps: AttributionDeps,
): void {
  const { db } = deps;

  app.openapi(explainRoute, async (c) => {
    requirePermission(c, 'attribution:read');
    const { id } = c.req.valid('param');
    const conversion = await findConversion(db, id);
    if (!conversion) {
      const order = await findOrder(db, id);
      throw new Problem(
        404,
        order
          ? `Order ${id} has no payment yet: it is scored when its payment arrives.`
          : `No order ${id} is known to attribution.`,
      );
    }
    const credits = await creditsOf(db, id);
    const explained = credits.map((row, position) => ({
      touchpointId: row.touchpointId,
      kind: row.kind,
      clickId: row.clickId,
      linkId: row.linkId,
      affiliateId: row.affiliateId,
      campaign: row.campaign,
      touchedAt: row.touchedAt.toISOString(),
      credit: row.credit,
      sharePercent:
        conversion.amount === 0 ? 0 : Math.round((row.credit / conversion.amount) * 10_000) / 100,
      commissionRateBasisPoints: row.rateBp,
      commission: row.commission,
      creditReversed: row.creditReversed,
      commissionReversed: row.commissionReversed,
      explanation: explainTouch(
        {
          position,
          count: credits.length,
          who: who(row),
          credit: row.credit,
          amount: conversion.amount,
          ageMs: conversion.purchasedAt.getTime() - row.touchedAt.getTime(),
        },
        conversion.currency,
        conversion.model,
      ),
    }));
    const summary =
      conversion.status === 'mismatched'
        ? `Not scored: the payment does not match the order (${conversion.mismatchReason}).`
        : credits.length === 0
          ? `No touch in the ${deps.settings.lookbackDays}-day lookback window before the purchase: nobody is credited.`
          : `${conversion.amount} minor units of ${conversion.currency} over ${credits.length} touch${credits.length === 1 ? '' : 'es'} under ${describeModel(conversion.model)}.`;
    return c.json(
      {
        orderId: conversion.orderId,
        conversionId: conversion.conversionId,
        paymentId: conversion.paymentId,
        status: conversion.status,
        mismatchReason: conversion.mismatchReason,
        model: conversion.model,
        rule: describeModel(conversion.model),
        revenue: { amount: conversion.amount, currency: conversion.currency },
        commission: conversion.commissionTotal,
        refunded: conversion.refunded,
        creditReversed: conversion.creditReversed,
        commissionReversed: conversion.commissionReversed,
        purchasedAt: conversion.purchasedAt.toISOString(),
        version: conversion.version,
        paidOutAt: conversion.paidOutAt?.toISOString() ?? null,
        frozenReason: conversion.frozenReason,
        summary,
        credits: explained,
      },
      200,
    );
  });

  app.openapi(totalsRoute, async (c) => {
    requirePermission(c, 'attribution:read');
    const { from, to, groupBy } = c.req.valid('query');
    const column = groupBy === 'affiliate' ? 'k.affiliate_id' : 'k.campaign';
    const { rows } = await db.query<Record<string, unknown>>(
      `SELECT ${column} AS key, c.currency, count(DISTINCT c.order_id)::int AS conversions,
              sum(k.credit) AS credit, sum(k.commission) AS commission,
              sum(k.credit_reversed) AS credit_reversed, sum(k.commission_reversed) AS commission_reversed
       FROM attribution.conversion c JOIN attribution.conversion_credit k USING (order_id)
       WHERE c.status = 'attributed' AND k.credit > 0 AND c.purchased_at >= $1 AND c.purchased_at < $2
       GROUP BY 1, 2 ORDER BY 1 NULLS LAST, 2`,
      [from, to],
    );
    return c.json(
      {
        groupBy,
        from: from.toISOString(),
        to: to.toISOString(),
        items: rows.map((row) => ({
          key: row.key as string | null,
          currency: (row.currency as string).trim(),
          conversions: Number(row.conversions),
          credit: Number(row.credit),
          commission: Number(row.commission),
          creditReversed: Number(row.credit_reversed),
          commissionReversed: Number(row.commission_reversed),
          netCommission: Number(row.commission) - Number(row.commission_reversed),
        })),
      },
      200,
    );
  });

  app.openapi(mismatchRoute, async (c) => {
    requirePermission(c, 'attribution:read');
    const { from, to } = c.req.valid('query');
    const { rows } = await db.query<Record<string, unknown>>(
      `SELECT order_id, payment_id, mismatch_reason, amount, currency, purchased_at, count(*) OVER () AS count
       FROM attribution.conversion WHERE status = 'mismatched' AND purchased_at >= $1 AND purchased_at < $2
       ORDER BY purchased_at DESC LIMIT 500`,
      [from, to],
    );
    return c.json(
      {
        count: Number(rows[0]?.count ?? 0),
        items: rows.map((row) => ({
          orderId: row.order_id as string,
          paymentId: row.payment_id as string,
          reason: row.mismatch_reason as string,
          amount: Number(row.amount),
          currency: (row.currency as string).trim(),
          purchasedAt: (row.purchased_at as Date).toISOString(),
        })),
      },
      200,
    );
  });

  app.openapi(payoutRoute, async (c) => {
    const createdBy = requirePermission(c, 'attribution:payouts').userId;
    const { from, to } = c.req.valid('json');
    const now = deps.clock();
    if (to > now)
      throw new Problem(409, 'The period is not over yet: pay out only a period that has ended.');
    const payoutId = newId();
    const result = await db.transaction(async (tx) => {
      // The scoring lock: no late touch re-scores a conversion while it is being paid out.
      await lockScoring(tx);
      const { rows } = await tx.query<{ currency: string; commission: string | number }>(
        `WITH paid AS (
           UPDATE attribution.conversion SET paid_out_at = $3, payout_id = $4, updated_at = $3
           WHERE status = 'attributed' AND paid_out_at IS NULL AND purchased_at >= $1 AND purchased_at < $2
           RETURNING currency, commission_total)
         SELECT currency, sum(commission_total) AS commission, count(*) AS n FROM paid GROUP BY currency ORDER BY currency`,
        [from, to, now, payoutId],
      );
      const conversions = rows.reduce(
        (sum, row) => sum + Number((row as { n?: unknown }).n ?? 0),
        0,
      );
      await tx.query(
        `INSERT INTO attribution.payout (payout_id, period_from, period_to, conversions, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [payoutId, from, to, conversions, createdBy, now],
      );
      return { rows, conversions };
    });
    return c.json(
      {
        payoutId,
        from: from.toISOString(),
        to: to.toISOString(),
        conversions: result.conversions,
        commission: result.rows.map((row) => ({
          currency: row.currency.trim(),
          amount: Number(row.commission),
        })),
      },
      201,
    );
  });
}
