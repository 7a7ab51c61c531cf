// Scores one order from what is stored: the conversion, its credits and its reversal are a
// function of the committed inputs alone, so re-running it after any input (late, repeated or
// out of order) either changes nothing or moves the result to where the full set leads.
import { createHash } from 'node:crypto';
import type { eventCatalog } from '@shop/eventing';
import type { OutboxEventOf, Queryable } from '@shop/shared';
import { collectTouchpoints } from './domain/collect-touchpoints.js';
import { commissionFor, rateFor } from './domain/compute-commission.js';
import { reverseCredit } from './domain/reverse-credit.js';
import { scoreCredit } from './domain/score-credit.js';
import type { Model, Touchpoint } from './domain/touchpoint.js';
import {
  findOrder,
  loadRates,
  type OrderRow,
  type PaymentRow,
  paymentsOf,
  refundedTotal,
  visitorEvidence,
} from './store.js';

export type AttributionEvent = OutboxEventOf<
  typeof eventCatalog,
  'shop.conversion.attributed' | 'shop.conversion.reversed'
>;

export interface ScoringSettings {
  model: Exclude<Model, 'data_driven'>;
  lookbackDays: number;
  halfLifeDays: number;
  maxTouches: number;
}

export interface ScoringContext {
  settings: ScoringSettings;
  clock: () => Date;
  emit: (event: AttributionEvent) => Promise<unknown>;
  /** Called when a payment is first scored (or first found mismatched), to count it after commit. */
  onFirstOutcome?: (outcome: 'attributed' | 'unattributed' | 'mismatched') => void;
}

const DAY_MS = 86_400_000;

/** The conversion id of an order: derived from it, so it never depends on delivery order. */
export function conversionIdOf(orderId: string): string {
  const hex = createHash('sha256').update(`attribution:conversion:${orderId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface CreditRow {
  position: number;
  touchpointId: string;
  kind: 'click' | 'campaign';
  clickId: string | null;
  linkId: string | null;
  affiliateId: string | null;
  campaign: string | null;
  touchedAt: Date;
  weight: string;
  credit: number;
  rateBp: number;
  commission: number;
  creditReversed: number;
  commissionReversed: number;
}

export interface ConversionRow {
  orderId: string;
  conversionId: string;
  paymentId: string;
  status: 'attributed' | 'unattributed' | 'mismatched';
  mismatchReason: string | null;
  model: Model;
  amount: number;
  currency: string;
  purchasedAt: Date;
  version: number;
  commissionTotal: number;
  refunded: number;
  creditReversed: number;
  commissionReversed: number;
  paidOutAt: Date | null;
  frozenReason: string | null;
}

export async function findConversion(
  tx: Queryable,
  orderId: string,
): Promise<ConversionRow | undefined> {
  const { rows } = await tx.query<Record<string, unknown>>(
    'SELECT * FROM attribution.conversion WHERE order_id = $1',
    [orderId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    orderId: row.order_id as string,
    conversionId: row.conversion_id as string,
    paymentId: row.payment_id as string,
    status: row.status as ConversionRow['status'],
    mismatchReason: row.mismatch_reason as string | null,
    model: row.model as Model,
    amount: Number(row.amount),
    currency: (row.currency as string).trim(),
    purchasedAt: row.purchased_at as Date,
    version: Number(row.version),
    commissionTotal: Number(row.commission_total),
    refunded: Number(row.refunded),
    creditReversed: Number(row.credit_reversed),
    commissionReversed: Number(row.commission_reversed),
    paidOutAt: row.paid_out_at as Date | null,
    frozenReason: row.frozen_reason as string | null,
  };
}

export async function creditsOf(tx: Queryable, orderId: string): Promise<CreditRow[]> {
  const { rows } = await tx.query<Record<string, unknown>>(
    'SELECT * FROM attribution.conversion_credit WHERE order_id = $1 ORDER BY position',
    [orderId],
  );
  return rows.map((row) => ({
    position: Number(row.position),
    touchpointId: row.touchpoint_id as string,
    kind: row.kind as CreditRow['kind'],
    clickId: row.click_id as string | null,
    linkId: row.link_id as string | null,
    affiliateId: row.affiliate_id as string | null,
    campaign: row.campaign as string | null,
    touchedAt: row.touched_at as Date,
    weight: row.weight as string,
    credit: Number(row.credit),
    rateBp: Number(row.rate_bp),
    commission: Number(row.commission),
    creditReversed: Number(row.credit_reversed),
    commissionReversed: Number(row.commission_reversed),
  }));
}

/** Compares what a score depends on, not when it was written. */
const sameCredits = (a: readonly CreditRow[], b: readonly CreditRow[]) =>
  a.length === b.length &&
  a.every((row, index) => {
    const other = b[index] as CreditRow;
    return (
      row.touchpointId === other.touchpointId &&
      row.credit === other.credit &&
      row.rateBp === other.rateBp &&
      row.commission === other.commission &&
      row.touchedAt.getTime() === other.touchedAt.getTime()
    );
  });

/** The order's payment that counts: the earliest matching its total, else the earliest. */
function choosePayment(order: OrderRow, payments: readonly PaymentRow[]) {
  const matching = payments.find(
    (payment) => payment.amount === order.totalAmount && payment.currency === order.currency,
  );
  if (matching) return { payment: matching, mismatch: null };
  const first = payments[0] as PaymentRow;
  const reason =
    first.currency !== order.currency
      ? `paid in ${first.currency}, the order is in ${order.currency}`
      : `paid ${first.amount}, the order's total is ${order.totalAmount} minor units`;
  return { payment: first, mismatch: reason };
}

/** The touches of an order's visitor in the lookback window before `purchasedAt`, oldest first. */
export async function touchesFor(
  tx: Queryable,
  order: OrderRow,
  purchasedAt: Date,
  settings: Pick<ScoringSettings, 'lookbackDays' | 'maxTouches'>,
): Promise<Touchpoint[]> {
  const lookbackMs = settings.lookbackDays * DAY_MS;
  const evidence = await visitorEvidence(
    tx,
    order,
    new Date(purchasedAt.getTime() - lookbackMs),
    purchasedAt,
  );
  return collectTouchpoints({
    purchasedAt,
    lookbackMs,
    orderClickId: order.clickId,
    pageViews: evidence.pageViews,
    claimedClickIds: evidence.claimed,
    clicks: evidence.clicks,
    maxTouches: settings.maxTouches,
  });
}

/**
 * The touches, credits and commissions of an order under the live model, as rows (no writes).
 */
export async function computeCredits(
  tx: Queryable,
  order: OrderRow,
  amount: number,
  purchasedAt: Date,
  settings: Pick<ScoringSettings, 'lookbackDays' | 'halfLifeDays' | 'maxTouches'>,
  model: Model,
  channelWeights?: ReadonlyMap<string, number>,
): Promise<CreditRow[]> {
  const touches = await touchesFor(tx, order, purchasedAt, settings);
  const rates = await loadRates(tx);
  return scoreCredit(model, amount, touches, {
    purchasedAt,
    halfLifeDays: settings.halfLifeDays,
    ...(channelWeights && { channelWeights }),
  }).map((scored, position) => {
    const rateBp = rateFor(scored.touch, rates);
    return {
      position,
      touchpointId: scored.touch.id,
      kind: scored.touch.kind,
      clickId: scored.touch.clickId,
      linkId: scored.touch.linkId,
      affiliateId: scored.touch.affiliateId,
      campaign: scored.touch.campaign,
      touchedAt: scored.touch.touchedAt,
      weight: scored.weight.toString(),
      credit: scored.credit,
      rateBp,
      commission: commissionFor(scored.credit, rateBp),
      creditReversed: 0,
      commissionReversed: 0,
    };
  });
}

/**
 * The instant the lookback window ends at: the payment's, unless the order was checked out later
 * than the provider says it was paid. Providers stamp payments in whole seconds (Stripe's
 * `created`), so a shopper who clicked and checked out within the same second would otherwise
 * see their own click land "after" the purchase and go uncredited; the order's checkout time is
 * ours, to the millisecond, and no touch after it can have brought the order.
 * @example purchaseInstant(new Date('2026-12-02T06:30:51.174Z'), new Date('2026-12-02T06:30:51Z')) // 06:30:51.174
 */
export function purchaseInstant(orderCreatedAt: Date, paymentSucceededAt: Date): Date {
  return orderCreatedAt > paymentSucceededAt ? orderCreatedAt : paymentSucceededAt;
}

/**
 * (Re-)scores `orderId` under the live model and emits what changed: `shop.conversion.attributed`
 * when the credits moved, `shop.conversion.reversed` when the reversal did. Waits (does
 * nothing) until both the order and a payment are known. A payment not matching the order's
 * total and currency is recorded as mismatched and never scored. Credits of a conversion paid
 * out or of an erased shopper stay as they are; refunds still reverse them.
 * Call with the scoring lock held (store.ts `lockScoring`).
 */
export async function scoreOrder(
  tx: Queryable,
  orderId: string,
  ctx: ScoringContext,
): Promise<void> {
  const order = await findOrder(tx, orderId);
  if (!order) return;
  const payments = await paymentsOf(tx, orderId);
  if (payments.length === 0) return;
  const { payment, mismatch } = choosePayment(order, payments);
  const purchasedAt = purchaseInstant(order.createdAt, payment.succeededAt);
  const existing = await findConversion(tx, orderId);
  const conversionId = conversionIdOf(orderId);
  const now = ctx.clock();
  if (mismatch) {
    if (existing?.status === 'mismatched' && existing.mismatchReason === mismatch) return;
    if (!existing) ctx.onFirstOutcome?.('mismatched');
    await tx.query(
      `INSERT INTO attribution.conversion (order_id, conversion_id, payment_id, status, mismatch_reason,
         model, amount, currency, purchased_at, version, updated_at)
       VALUES ($1, $2, $3, 'mismatched', $4, $5, $6, $7, $8, 0, $9)
       ON CONFLICT (order_id) DO UPDATE SET status = 'mismatched', mismatch_reason = excluded.mismatch_reason,
         payment_id = excluded.payment_id, amount = excluded.amount, currency = excluded.currency,
         purchased_at = excluded.purchased_at, updated_at = excluded.updated_at`,
      [
        orderId,
        conversionId,
        payment.paymentId,
        mismatch,
        ctx.settings.model,
        payment.amount,
        payment.currency,
        purchasedAt,
        now,
      ],
    );
    return;
  }
  const frozen =
    existing !== undefined && (existing.paidOutAt !== null || existing.frozenReason !== null);
  let credits = existing ? await creditsOf(tx, orderId) : [];
  let version = existing?.version ?? 0;
  let changed = false;
  if (!frozen) {
    const fresh = await computeCredits(
      tx,
      order,
      payment.amount,
      purchasedAt,
      ctx.settings,
      ctx.settings.model,
    );
    changed =
      !existing ||
      existing.status !== (fresh.length > 0 ? 'attributed' : 'unattributed') ||
      existing.paymentId !== payment.paymentId ||
      !sameCredits(credits, fresh);
    if (changed) credits = fresh;
  }
  const commissionTotal = credits.reduce((sum, row) => sum + row.commission, 0);
  const refunded = await refundedTotal(tx, payment.paymentId, payment.currency);
  const reversal = reverseCredit(
    credits.map((row) => ({
      credit: row.credit,
      commission: row.commission,
      rateBasisPoints: row.rateBp,
    })),
    refunded,
  );
  const reversalChanged =
    changed ||
    credits.some(
      (row, index) =>
        row.creditReversed !== reversal.creditReversed[index] ||
        row.commissionReversed !== reversal.commissionReversed[index],
    );
  if (!changed && !reversalChanged) return;
  credits = credits.map((row, index) => ({
    ...row,
    creditReversed: reversal.creditReversed[index] as number,
    commissionReversed: reversal.commissionReversed[index] as number,
  }));
  const status = credits.length > 0 ? 'attributed' : 'unattributed';
  if (!existing) ctx.onFirstOutcome?.(status);
  const creditReversed = reversal.creditReversed.reduce((a, b) => a + b, 0);
  const commissionReversed = reversal.commissionReversed.reduce((a, b) => a + b, 0);
  const emitAttributed = changed && credits.length > 0;
  const emitReversed =
    credits.length > 0 && reversal.refunded > 0 && (reversalChanged || emitAttributed);
  const nextVersion = version + (emitAttributed ? 1 : 0) + (emitReversed ? 1 : 0);
  await tx.query(
    `INSERT INTO attribution.conversion (order_id, conversion_id, payment_id, status, mismatch_reason, model,
       amount, currency, purchased_at, version, commission_total, refunded, credit_reversed,
       commission_reversed, updated_at)
     VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (order_id) DO UPDATE SET payment_id = excluded.payment_id, status = excluded.status,
       mismatch_reason = NULL, model = excluded.model, amount = excluded.amount, currency = excluded.currency,
       purchased_at = excluded.purchased_at, version = excluded.version,
       commission_total = excluded.commission_total, refunded = excluded.refunded,
       credit_reversed = excluded.credit_reversed, commission_reversed = excluded.commission_reversed,
       updated_at = excluded.updated_at`,
    [
      orderId,
      conversionId,
      payment.paymentId,
      status,
      existing?.model && frozen ? existing.model : ctx.settings.model,
      payment.amount,
      payment.currency,
      purchasedAt,
      nextVersion,
      commissionTotal,
      reversal.refunded,
      creditReversed,
      commissionReversed,
      now,
    ],
  );
  await tx.query('DELETE FROM attribution.conversion_credit WHERE order_id = $1', [orderId]);
  for (const row of credits) {
    await tx.query(
      `INSERT INTO attribution.conversion_credit (order_id, position, touchpoint_id, kind, click_id, link_id,
         affiliate_id, campaign, touched_at, weight, credit, rate_bp, commission, credit_reversed, commission_reversed)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [
        orderId,
        row.position,
        row.touchpointId,
        row.kind,
        row.clickId,
        row.linkId,
        row.affiliateId,
        row.campaign,
        row.touchedAt,
        row.weight,
        row.credit,
        row.rateBp,
        row.commission,
        row.creditReversed,
        row.commissionReversed,
      ],
    );
  }
  const model = frozen && existing ? existing.model : ctx.settings.model;
  if (emitAttributed) {
    version += 1;
    await ctx.emit({
      type: 'shop.conversion.attributed',
      subject: orderId,
      data: {
        conversionId,
        orderId,
        paymentId: payment.paymentId,
        version,
        model,
        revenue: { amount: payment.amount, currency: payment.currency },
        commission: { amount: commissionTotal, currency: payment.currency },
        purchasedAt: purchasedAt.toISOString(),
        lookbackDays: ctx.settings.lookbackDays,
        touchpoints: credits.map((row) => ({
          touchpointId: row.touchpointId,
          kind: row.kind,
          clickId: row.clickId,
          linkId: row.linkId,
          affiliateId: row.affiliateId,
          campaign: row.campaign,
          touchedAt: row.touchedAt.toISOString(),
          credit: row.credit,
          commissionRateBasisPoints: row.rateBp,
          commission: row.commission,
        })),
        attributedAt: now.toISOString(),
      },
    });
  }
  if (emitReversed) {
    version += 1;
    await ctx.emit({
      type: 'shop.conversion.reversed',
      subject: orderId,
      data: {
        conversionId,
        orderId,
        paymentId: payment.paymentId,
        version,
        refunded: { amount: reversal.refunded, currency: payment.currency },
        creditReversed: { amount: creditReversed, currency: payment.currency },
        commissionReversed: { amount: commissionReversed, currency: payment.currency },
        touchpoints: credits.map((row) => ({
          touchpointId: row.touchpointId,
          creditReversed: row.creditReversed,
          commissionReversed: row.commissionReversed,
        })),
        reversedAt: now.toISOString(),
      },
    });
  }
}
