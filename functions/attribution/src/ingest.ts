// What each consumed event does: store the input, then re-score every conversion it can move.
// Every handler takes the scoring lock first, so each one sees all inputs committed before it.
import type { Queryable } from '@shop/shared';
import { type ScoringContext, scoreOrder } from './scoring.js';
import {
  claimClick,
  insertClick,
  insertOrder,
  insertPageView,
  insertPayment,
  insertRefund,
  isErased,
  linkIdentity,
  lockScoring,
  ordersOfClick,
  ordersOfVisitor,
  visitorKey,
} from './store.js';

const uniq = (ids: readonly string[]) => [...new Set(ids)].sort();

async function rescore(tx: Queryable, orderIds: readonly string[], ctx: ScoringContext) {
  for (const orderId of uniq(orderIds)) await scoreOrder(tx, orderId, ctx);
}

export async function onOrderCreated(
  tx: Queryable,
  data: {
    orderId: string;
    userId: string | null;
    clickId: string | null;
    total: { amount: number; currency: string };
    createdAt: string;
  },
  ctx: ScoringContext,
): Promise<void> {
  await lockScoring(tx);
  const erased = await isErased(tx, data.userId);
  await insertOrder(tx, {
    orderId: data.orderId,
    userId: erased ? null : data.userId,
    clickId: data.clickId,
    totalAmount: data.total.amount,
    currency: data.total.currency,
    createdAt: new Date(data.createdAt),
  });
  await scoreOrder(tx, data.orderId, ctx);
}

export async function onPaymentSucceeded(
  tx: Queryable,
  data: {
    paymentId: string;
    orderId: string;
    amount: { amount: number; currency: string };
    succeededAt: string;
  },
  ctx: ScoringContext,
): Promise<void> {
  await lockScoring(tx);
  await insertPayment(tx, {
    paymentId: data.paymentId,
    orderId: data.orderId,
    amount: data.amount.amount,
    currency: data.amount.currency,
    succeededAt: new Date(data.succeededAt),
  });
  await scoreOrder(tx, data.orderId, ctx);
}

export async function onPaymentRefunded(
  tx: Queryable,
  data: {
    paymentId: string;
    orderId: string;
    providerRefundId: string;
    amount: { amount: number; currency: string };
    refundedAt: string;
  },
  ctx: ScoringContext,
): Promise<void> {
  await lockScoring(tx);
  await insertRefund(tx, {
    paymentId: data.paymentId,
    providerRefundId: data.providerRefundId,
    orderId: data.orderId,
    amount: data.amount.amount,
    currency: data.amount.currency,
    refundedAt: new Date(data.refundedAt),
  });
  await scoreOrder(tx, data.orderId, ctx);
}

export async function onLinkClicked(
  tx: Queryable,
  data: {
    clickId: string;
    linkId: string;
    affiliateId: string | null;
    campaign: string | null;
    clickedAt: string;
    bot?: boolean | undefined;
  },
  ctx: ScoringContext,
): Promise<void> {
  await lockScoring(tx);
  const inserted = await insertClick(tx, {
    clickId: data.clickId,
    linkId: data.linkId,
    affiliateId: data.affiliateId,
    campaign: data.campaign,
    clickedAt: new Date(data.clickedAt),
    bot: data.bot === true,
  });
  if (inserted) await rescore(tx, await ordersOfClick(tx, data.clickId), ctx);
}

interface AnalyticsCall {
  messageId: string;
  sourceId: string;
  anonymousId: string | null;
  userId: string | null;
  clickId: string | null;
  campaign: { source: string | null; medium: string | null; name: string | null } | null;
  timestamp: string;
  receivedAt: string;
}

/** Joins an anonymous id to a user (identify, alias, or a call carrying both). */
async function joinIdentity(
  tx: Queryable,
  anonymousId: string,
  userId: string,
  call: AnalyticsCall,
): Promise<string[]> {
  const before = await ordersOfVisitor(tx, `anon:${anonymousId}`);
  await linkIdentity(tx, {
    anonymousId,
    userId,
    receivedAt: new Date(call.receivedAt),
    messageId: call.messageId,
  });
  return [...before, ...(await ordersOfVisitor(tx, `anon:${anonymousId}`))];
}

/**
 * A page/screen/track call: a touch when it carries a click id (claimed by this visitor if it
 * is the first to carry it) or UTM parameters; both ids together join the identity.
 */
export async function onAnalyticsCall(tx: Queryable, call: AnalyticsCall, ctx: ScoringContext) {
  const campaign = call.campaign?.name ?? null;
  const joins = call.anonymousId !== null && call.userId !== null;
  if (!call.clickId && !campaign && !joins) return;
  await lockScoring(tx);
  if (await isErased(tx, call.userId)) return;
  const visitor = visitorKey(call.anonymousId, call.userId);
  if (!visitor) return;
  const affected: string[] = [];
  if (joins)
    affected.push(
      ...(await joinIdentity(tx, call.anonymousId as string, call.userId as string, call)),
    );
  if (call.clickId || campaign) {
    const inserted = await insertPageView(tx, {
      sourceId: call.sourceId,
      messageId: call.messageId,
      anonymousId: call.anonymousId,
      userId: call.userId,
      clickId: call.clickId,
      utmCampaign: campaign,
      utmSource: call.campaign?.source ?? null,
      utmMedium: call.campaign?.medium ?? null,
      occurredAt: new Date(call.timestamp),
      receivedAt: new Date(call.receivedAt),
    });
    if (!inserted) return;
    if (call.clickId) {
      // The claim may move to this visitor (an earlier call arriving late): both sides re-score.
      affected.push(...(await ordersOfClick(tx, call.clickId)));
      await claimClick(tx, {
        clickId: call.clickId,
        visitor,
        receivedAt: new Date(call.receivedAt),
        messageId: call.messageId,
      });
      affected.push(...(await ordersOfClick(tx, call.clickId)));
    }
    affected.push(...(await ordersOfVisitor(tx, visitor)));
    if (call.userId) affected.push(...(await ordersOfVisitor(tx, `user:${call.userId}`)));
  }
  await rescore(tx, affected, ctx);
}

/** identify (anonymousId + userId) and alias (previousId → userId) join two ids. */
export async function onIdentityCall(
  tx: Queryable,
  call: AnalyticsCall,
  anonymousId: string | null,
  ctx: ScoringContext,
) {
  if (!anonymousId || !call.userId || anonymousId === call.userId) return;
  await lockScoring(tx);
  if (await isErased(tx, call.userId)) return;
  const affected = await joinIdentity(tx, anonymousId, call.userId, call);
  affected.push(...(await ordersOfVisitor(tx, `user:${call.userId}`)));
  await rescore(tx, affected, ctx);
}

/**
 * shop.user.erased: the user's page views, claims and identity links are deleted, its orders
 * keep no user id, and their conversions stop changing (the money record stays: credits name
 * links, affiliates and campaigns, never the shopper). A tombstone keeps later calls out.
 */
export async function onUserErased(
  tx: Queryable,
  data: { userId: string; erasedAt: string },
): Promise<void> {
  await lockScoring(tx);
  const { rows } = await tx.query<{ anonymous_id: string }>(
    'SELECT anonymous_id FROM attribution.identity_link WHERE user_id = $1',
    [data.userId],
  );
  const anonymousIds = rows.map((row) => row.anonymous_id);
  const visitors = [`user:${data.userId}`, ...anonymousIds.map((id) => `anon:${id}`)];
  await tx.query(
    `UPDATE attribution.conversion SET frozen_reason = 'erased', updated_at = $2
     WHERE order_id IN (SELECT order_id FROM attribution.orders WHERE user_id = $1)`,
    [data.userId, new Date(data.erasedAt)],
  );
  await tx.query('UPDATE attribution.orders SET user_id = NULL WHERE user_id = $1', [data.userId]);
  await tx.query(
    'DELETE FROM attribution.page_view WHERE user_id = $1 OR anonymous_id = ANY($2::text[])',
    [data.userId, anonymousIds],
  );
  await tx.query('DELETE FROM attribution.click_claim WHERE visitor = ANY($1::text[])', [visitors]);
  await tx.query('DELETE FROM attribution.identity_link WHERE user_id = $1', [data.userId]);
  await tx.query(
    'INSERT INTO attribution.erased_user (user_id, erased_at) VALUES ($1, $2) ON CONFLICT DO NOTHING',
    [data.userId, new Date(data.erasedAt)],
  );
}
