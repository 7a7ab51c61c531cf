// A month of events small enough to compute every report by hand (the expectations are in
// reports.test.ts): March 2026, EUR and USD, a payment that does not match its order, a
// cancelled order, a refund, an order paid on 31 March UTC that is 1 April in Berlin (CEST),
// sessions, clicks, attribution versions and an experiment.
import type { TestEvent } from './testbed.js';

let counter = 0;
/** A deterministic UUID (version 7 layout) from a number, so fixtures read the same each run. */
export function uuid(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `0197a3b2-7c1e-7d4f-8a9b-${hex}`;
}
const nextId = () => uuid(0xe0000 + ++counter);

const event = (type: string, producer: string, data: unknown, id = nextId()): TestEvent => ({
  specversion: '1.0',
  id,
  source: `/shop/${producer}`,
  type,
  data,
});

export const PRODUCT = { lamp: uuid(0x101), chair: uuid(0x102), mug: uuid(0x103) };
export const USER = { alice: uuid(0x201), bob: uuid(0x202) };
export const ORDER = {
  a: uuid(0x301),
  b: uuid(0x302),
  c: uuid(0x303),
  d: uuid(0x304),
  e: uuid(0x305),
  f: uuid(0x306),
  g: uuid(0x307),
};
const PAYMENT = {
  a: uuid(0x401),
  b: uuid(0x402),
  c: uuid(0x403),
  d: uuid(0x404),
  e: uuid(0x405),
  g: uuid(0x407),
};

const item = (
  productId: string,
  slug: string,
  quantity: number,
  amount: number,
  currency = 'EUR',
) => ({ productId, slug, name: slug.replace('-', ' '), quantity, unitPrice: { amount, currency } });

export function orderCreated(
  orderId: string,
  items: ReturnType<typeof item>[],
  createdAt: string,
  userId: string | null = null,
): TestEvent {
  const first = items[0] as ReturnType<typeof item>;
  const amount = items.reduce((sum, i) => sum + i.quantity * i.unitPrice.amount, 0);
  return event('shop.order.created', 'cart', {
    orderId,
    userId,
    items,
    total: { amount, currency: first.unitPrice.currency },
    clickId: null,
    createdAt,
  });
}

export function paymentSucceeded(
  paymentId: string,
  orderId: string,
  amount: number,
  succeededAt: string,
  currency = 'EUR',
): TestEvent {
  return event('shop.payment.succeeded', 'conversion-webhook', {
    paymentId,
    orderId,
    provider: 'stripe',
    providerPaymentId: `pi_${paymentId.slice(-6)}`,
    amount: { amount, currency },
    succeededAt,
  });
}

export function paymentRefunded(
  paymentId: string,
  orderId: string,
  amount: number,
  refundedAt: string,
  providerRefundId = `re_${paymentId.slice(-6)}`,
  currency = 'EUR',
): TestEvent {
  return event('shop.payment.refunded', 'conversion-webhook', {
    paymentId,
    orderId,
    provider: 'stripe',
    providerRefundId,
    amount: { amount, currency },
    refundedAt,
  });
}

const analytics = (
  type: 'page' | 'track' | 'identify',
  anonymousId: string,
  timestamp: string,
  extra: Record<string, unknown>,
  userId: string | null = null,
) =>
  event(`shop.analytics.${type}`, 'analytics-ingest', {
    messageId: nextId(),
    sourceId: uuid(0x999),
    visitorKey: `${uuid(0x999)}:${anonymousId}`,
    anonymousId,
    userId,
    context: {},
    clickId: null,
    campaign: null,
    timestamp,
    originalTimestamp: timestamp,
    sentAt: timestamp,
    receivedAt: timestamp,
    ...extra,
  });

export const pageView = (anonymousId: string, timestamp: string) =>
  analytics('page', anonymousId, timestamp, { name: 'Home', category: null, properties: {} });

export const track = (anonymousId: string, timestamp: string, name: string, properties = {}) =>
  analytics('track', anonymousId, timestamp, { event: name, properties });

/** An identify call: `anonymousId` is `userId` from now on. */
export const identify = (anonymousId: string, timestamp: string, userId: string) =>
  analytics('identify', anonymousId, timestamp, { traits: {} }, userId);

/** The user service's erasure of `userId`. */
export const userErased = (userId: string, erasedAt: string) =>
  event('shop.user.erased', 'user', { userId, requestedBy: userId, erasedAt });

const exposure = (anonymousId: string, timestamp: string, variant: string) =>
  track(anonymousId, timestamp, 'Experiment Viewed', {
    experiment_id: 'landing-headline',
    variant_id: variant,
    environment: 'prod',
  });

const click = (n: number, clickedAt: string, bot: boolean) =>
  event('shop.link.clicked', 'redirect', {
    clickId: uuid(0x600 + n),
    linkId: uuid(0x700),
    code: 'spring-sale',
    affiliateId: 'aff-1',
    campaign: 'spring',
    referrerHost: null,
    clickedAt,
    bot,
  });

const touch = (
  affiliateId: string,
  campaign: string | null,
  credit: number,
  commission: number,
) => ({
  touchpointId: `click:${affiliateId}`,
  kind: 'click' as const,
  clickId: null,
  linkId: null,
  affiliateId,
  campaign,
  touchedAt: '2026-03-01T08:00:00.000Z',
  credit,
  commissionRateBasisPoints: 1000,
  commission,
});

const attributed = (
  conversionId: string,
  orderId: string,
  paymentId: string,
  version: number,
  revenue: number,
  commission: number,
  purchasedAt: string,
  affiliateId: string,
  campaign: string | null,
) =>
  event('shop.conversion.attributed', 'attribution', {
    conversionId,
    orderId,
    paymentId,
    version,
    model: 'last_click',
    revenue: { amount: revenue, currency: 'EUR' },
    commission: { amount: commission, currency: 'EUR' },
    purchasedAt,
    lookbackDays: 30,
    touchpoints: [touch(affiliateId, campaign, revenue, commission)],
    attributedAt: purchasedAt,
  });

/** The month's events, in the order they happened. */
export function syntheticMonth(): TestEvent[] {
  counter = 0;
  return [
    // Sessions: anon-1 has two on 1 March (50 minutes apart), anon-2 one at 00:50 Berlin on 2 March.
    exposure('anon-1', '2026-03-01T08:00:00.000Z', 'a'),
    pageView('anon-1', '2026-03-01T09:00:00.000Z'),
    pageView('anon-1', '2026-03-01T09:10:00.000Z'),
    track('anon-1', '2026-03-01T09:15:00.000Z', 'Product Added', { product_id: PRODUCT.lamp }),
    pageView('anon-1', '2026-03-01T10:00:00.000Z'),
    identify('anon-1', '2026-03-01T10:01:00.000Z', USER.alice),
    exposure('anon-2', '2026-03-01T20:00:00.000Z', 'b'),
    exposure('anon-3', '2026-03-01T21:00:00.000Z', 'b'),
    exposure('anon-3', '2026-03-02T21:00:00.000Z', 'a'),
    pageView('anon-2', '2026-03-01T23:50:00.000Z'),
    click(1, '2026-03-01T07:59:00.000Z', false),
    click(2, '2026-03-05T12:00:00.000Z', false),
    click(3, '2026-03-05T12:00:01.000Z', true),
    // A: EUR 2 × 500, paid 1 March.
    orderCreated(
      ORDER.a,
      [item(PRODUCT.lamp, 'brass-lamp', 2, 500)],
      '2026-03-01T10:00:00.000Z',
      USER.alice,
    ),
    paymentSucceeded(PAYMENT.a, ORDER.a, 1000, '2026-03-01T10:05:00.000Z'),
    attributed(
      uuid(0x501),
      ORDER.a,
      PAYMENT.a,
      1,
      1000,
      100,
      '2026-03-01T10:05:00.000Z',
      'aff-1',
      'spring',
    ),
    attributed(
      uuid(0x501),
      ORDER.a,
      PAYMENT.a,
      2,
      1000,
      150,
      '2026-03-01T10:05:00.000Z',
      'aff-1',
      'spring',
    ),
    // B: EUR 3000, paid 23:40 UTC on 1 March = 00:40 on 2 March in Berlin.
    orderCreated(
      ORDER.b,
      [item(PRODUCT.chair, 'oak-chair', 1, 3000)],
      '2026-03-01T23:30:00.000Z',
      USER.bob,
    ),
    paymentSucceeded(PAYMENT.b, ORDER.b, 3000, '2026-03-01T23:40:00.000Z'),
    // C: USD 5 × 500.
    orderCreated(
      ORDER.c,
      [item(PRODUCT.mug, 'blue-mug', 5, 500, 'USD')],
      '2026-03-10T11:55:00.000Z',
    ),
    paymentSucceeded(PAYMENT.c, ORDER.c, 2500, '2026-03-10T12:00:00.000Z', 'USD'),
    // D: EUR 3 × 500, 500 refunded on 20 March.
    orderCreated(ORDER.d, [item(PRODUCT.lamp, 'brass-lamp', 3, 500)], '2026-03-15T09:00:00.000Z'),
    paymentSucceeded(PAYMENT.d, ORDER.d, 1500, '2026-03-15T09:10:00.000Z'),
    attributed(
      uuid(0x504),
      ORDER.d,
      PAYMENT.d,
      1,
      1500,
      150,
      '2026-03-15T09:10:00.000Z',
      'aff-2',
      null,
    ),
    paymentRefunded(PAYMENT.d, ORDER.d, 500, '2026-03-20T08:00:00.000Z'),
    event('shop.conversion.reversed', 'attribution', {
      conversionId: uuid(0x504),
      orderId: ORDER.d,
      paymentId: PAYMENT.d,
      version: 2,
      refunded: { amount: 500, currency: 'EUR' },
      creditReversed: { amount: 500, currency: 'EUR' },
      commissionReversed: { amount: 50, currency: 'EUR' },
      touchpoints: [{ touchpointId: 'click:aff-2', creditReversed: 500, commissionReversed: 50 }],
      reversedAt: '2026-03-20T08:00:00.000Z',
    }),
    // E: EUR 2000, paid 1999: cart refused it, nothing counts.
    orderCreated(ORDER.e, [item(PRODUCT.chair, 'oak-chair', 1, 2000)], '2026-03-16T10:00:00.000Z'),
    paymentSucceeded(PAYMENT.e, ORDER.e, 1999, '2026-03-16T10:01:00.000Z'),
    // F: cancelled unpaid.
    orderCreated(ORDER.f, [item(PRODUCT.mug, 'blue-mug', 1, 800)], '2026-03-17T10:00:00.000Z'),
    event('shop.order.cancelled', 'cart', {
      orderId: ORDER.f,
      userId: null,
      reason: 'payment_timeout',
      cancelledBy: null,
      cancelledAt: '2026-03-17T11:00:00.000Z',
    }),
    // G: EUR 1200 on 31 March 22:30 UTC = 1 April 00:30 in Berlin (CEST).
    orderCreated(ORDER.g, [item(PRODUCT.chair, 'oak-chair', 1, 1200)], '2026-03-31T22:00:00.000Z'),
    paymentSucceeded(PAYMENT.g, ORDER.g, 1200, '2026-03-31T22:30:00.000Z'),
  ];
}
