// The /events receiver end to end on the embedded database: the first story's events in any
// order, and the attacks (forged senders, payments not matching, other visitors' clicks, bots,
// replays).
import { testEventHeaders } from '@shop/shared/testing';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIENCE, createTestbed, sendAsStaff, story, type Testbed } from './testing/testbed.js';

const ORDER = '0190b000-0000-7000-8000-000000000001';
const PAYMENT = '0190b000-0000-7000-8000-0000000000p1'.replace('p1', 'a1');
const USER = '0190b000-0000-7000-8000-0000000000c1';
const CLICK_A = '0190b000-0000-7000-8000-00000000c11a';
const CLICK_B = '0190b000-0000-7000-8000-00000000c11b';
const s = story();

type Delivery = [Parameters<Testbed['deliver']>[0], unknown, string];

/** The first story: a click, the landing page carrying it, sign-up, a campaign visit, the order, payment and two refunds. */
function purchaseStory(): Delivery[] {
  return [
    [
      'shop.link.clicked',
      s.click(CLICK_A, { daysBefore: 9, affiliateId: 'aff-x', campaign: 'summer' }),
      'e1',
    ],
    [
      'shop.analytics.page',
      s.page({ messageId: 'm1', anonymousId: 'anon-1', clickId: CLICK_A, daysBefore: 9 }),
      'e2',
    ],
    [
      'shop.analytics.identify',
      s.identify({ messageId: 'm2', anonymousId: 'anon-1', userId: USER, daysBefore: 8 }),
      'e3',
    ],
    [
      'shop.analytics.page',
      s.page({ messageId: 'm3', anonymousId: 'anon-1', utm: 'newsletter-nov', daysBefore: 4 }),
      'e4',
    ],
    ['shop.link.clicked', s.click(CLICK_B, { daysBefore: 1, affiliateId: 'aff-y' }), 'e5'],
    [
      'shop.analytics.page',
      s.page({ messageId: 'm4', anonymousId: 'anon-1', clickId: CLICK_B, daysBefore: 1 }),
      'e6',
    ],
    [
      'shop.order.created',
      s.order(ORDER, { userId: USER, clickId: CLICK_B, amount: 10_000 }),
      'e7',
    ],
    ['shop.payment.succeeded', s.payment(ORDER, PAYMENT, 10_000), 'e8'],
    ['shop.payment.refunded', s.refund(ORDER, PAYMENT, 're_1', 2_501), 'e9'],
    ['shop.payment.refunded', s.refund(ORDER, PAYMENT, 're_2', 1_000), 'e10'],
  ];
}

async function deliverAll(bed: Testbed, deliveries: readonly Delivery[]) {
  for (const [type, data, id] of deliveries) {
    const res = await bed.deliver(type, data, { id });
    expect(res.status, `${type} ${id}: ${await res.clone().text()}`).toBe(204);
  }
}

/** What must not depend on delivery order: the stored result and the last event's content. */
async function finalState(bed: Testbed) {
  const { rows: conversions } = await bed.db.query(
    `SELECT order_id, conversion_id, payment_id, status, model, amount, currency, purchased_at,
            commission_total, refunded, credit_reversed, commission_reversed FROM attribution.conversion ORDER BY order_id`,
  );
  const { rows: credits } = await bed.db.query(
    'SELECT * FROM attribution.conversion_credit ORDER BY order_id, position',
  );
  const outbox = await bed.outbox();
  const last = (type: string) => {
    const event = outbox.filter((e) => e.type === type).at(-1)?.data;
    if (!event) return undefined;
    const { version: _v, attributedAt: _a, reversedAt: _r, ...rest } = event;
    return rest;
  };
  return {
    conversions,
    credits,
    attributed: last('shop.conversion.attributed'),
    reversed: last('shop.conversion.reversed'),
  };
}

let bed: Testbed;
beforeEach(async () => {
  bed = await createTestbed({ settings: { model: 'position_based' } });
});
afterEach(async () => {
  await bed.cleanup();
});

describe('attribution /events', () => {
  it('credits the first story to the cent under position-based, with commissions and refunds reversed in proportion', async () => {
    await sendAsStaff(bed.app, 'PUT', '/api/admin/attribution/commission-rates/affiliate/aff-x', {
      basisPoints: 1_000,
    });
    await sendAsStaff(bed.app, 'PUT', '/api/admin/attribution/commission-rates/campaign/summer', {
      basisPoints: 1_500,
    });
    await deliverAll(bed, purchaseStory());
    const outbox = await bed.outbox();
    const attributed = outbox.filter((e) => e.type === 'shop.conversion.attributed');
    expect(attributed).toHaveLength(1);
    const data = attributed[0]?.data as {
      touchpoints: {
        touchpointId: string;
        credit: number;
        commission: number;
        commissionRateBasisPoints: number;
      }[];
      revenue: unknown;
      commission: unknown;
      version: number;
    };
    // Three touches: the summer click (first, 40 %), the newsletter visit (middle, 20 %), the last click (40 %).
    expect(
      data.touchpoints.map((t) => [
        t.touchpointId,
        t.credit,
        t.commissionRateBasisPoints,
        t.commission,
      ]),
    ).toEqual([
      [`click:${CLICK_A}`, 4_000, 1_500, 600],
      ['utm:m3', 2_000, 0, 0],
      [`click:${CLICK_B}`, 4_000, 0, 0],
    ]);
    expect(data.revenue).toEqual({ amount: 10_000, currency: 'EUR' });
    expect(data.commission).toEqual({ amount: 600, currency: 'EUR' });
    const reversed = outbox.filter((e) => e.type === 'shop.conversion.reversed').at(-1)?.data as {
      refunded: { amount: number };
      creditReversed: { amount: number };
      touchpoints: { creditReversed: number; commissionReversed: number }[];
    };
    expect(reversed.refunded.amount).toBe(3_501);
    expect(reversed.creditReversed.amount).toBe(3_501);
    expect(reversed.touchpoints.map((t) => t.creditReversed)).toEqual([1_401, 700, 1_400]);
    expect(reversed.touchpoints[0]?.commissionReversed).toBe(210);

    const explained = await sendAsStaff(bed.app, 'GET', `/api/admin/attribution/orders/${ORDER}`);
    expect(explained.status).toBe(200);
    const body = (await explained.json()) as {
      credits: { explanation: string }[];
      summary: string;
    };
    expect(body.credits[0]?.explanation).toBe(
      'affiliate aff-x got 40 % (4000 minor units of EUR) under position-based because it was the first of 3 touches, 9 days before purchase',
    );
    expect(body.credits[1]?.explanation).toContain('campaign newsletter-nov got 20 %');
  });

  it('gives the same final result, and the same last event, for every order of delivery', async () => {
    const deliveries = purchaseStory();
    await deliverAll(bed, deliveries);
    const expected = await finalState(bed);
    expect(expected.attributed).toBeDefined();
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(deliveries, { minLength: deliveries.length }),
        async (shuffled) => {
          const other = await createTestbed({ settings: { model: 'position_based' } });
          try {
            await deliverAll(other, shuffled);
            // Replays of a random half change nothing either.
            await deliverAll(other, shuffled.slice(0, 5));
            expect(await finalState(other)).toEqual(expected);
          } finally {
            await other.cleanup();
          }
        },
      ),
      { numRuns: 6 },
    );
  });

  it('gives the same result when every event of the story is delivered at once (concurrent handlers)', async () => {
    const deliveries = purchaseStory();
    await deliverAll(bed, deliveries);
    const expected = await finalState(bed);
    const other = await createTestbed({ settings: { model: 'position_based' } });
    try {
      const answers = await Promise.all(
        [...deliveries].reverse().map(([type, data, id]) => other.deliver(type, data, { id })),
      );
      expect(answers.map((res) => res.status)).toEqual(deliveries.map(() => 204));
      expect(await finalState(other)).toEqual(expected);
    } finally {
      await other.cleanup();
    }
  });

  it('refuses a forged sender: no token, a foreign key, the wrong audience (nothing stored)', async () => {
    const [type, data] = purchaseStory()[7] as Delivery;
    for (const headers of [
      { authorization: '' },
      testEventHeaders(AUDIENCE, { foreignKey: true }),
      testEventHeaders('serving.knative.dev/service/shop/cart'),
    ]) {
      const res = await bed.deliver(type, data, { headers });
      expect(res.status).toBe(401);
    }
    const { rowCount } = await bed.db.query('SELECT 1 FROM attribution.payment');
    expect(rowCount).toBe(0);
  });

  it('refuses an event whose source is not its catalogued producer', async () => {
    const [type, data] = purchaseStory()[7] as Delivery;
    const res = await bed.deliver(type, data, { source: '/shop/attacker' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const { rowCount } = await bed.db.query('SELECT 1 FROM attribution.payment');
    expect(rowCount).toBe(0);
  });

  it('does not score a payment that does not match its order, counts it and shows it to staff', async () => {
    await deliverAll(bed, purchaseStory().slice(0, 7));
    await deliverAll(bed, [['shop.payment.succeeded', s.payment(ORDER, PAYMENT, 1), 'p-short']]);
    expect((await bed.outbox()).filter((e) => e.type === 'shop.conversion.attributed')).toEqual([]);
    const res = await sendAsStaff(
      bed.app,
      'GET',
      '/api/admin/attribution/mismatches?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z',
    );
    const body = (await res.json()) as { count: number; items: { reason: string }[] };
    expect(body.count).toBe(1);
    expect(body.items[0]?.reason).toBe("paid 1, the order's total is 10000 minor units");
    const metrics = await (await bed.app.request('/metrics')).text();
    expect(metrics).toMatch(/shop_attribution_payments_total\{[^}]*outcome="mismatched"[^}]*\} 1/);
    // Another currency is no match either.
    await deliverAll(bed, [
      [
        'shop.order.created',
        s.order('0190b000-0000-7000-8000-000000000002', { amount: 500 }),
        'o2',
      ],
      [
        'shop.payment.succeeded',
        s.payment(
          '0190b000-0000-7000-8000-000000000002',
          '0190b000-0000-7000-8000-0000000000a2',
          500,
          'USD',
        ),
        'p2',
      ],
    ]);
    const explained = (await (
      await sendAsStaff(
        bed.app,
        'GET',
        '/api/admin/attribution/orders/0190b000-0000-7000-8000-000000000002',
      )
    ).json()) as { status: string; summary: string };
    expect(explained.status).toBe('mismatched');
    expect(explained.summary).toContain('paid in USD');
  });

  it('never credits a click another visitor carried first, nor a bot click', async () => {
    const OTHER_USER = '0190b000-0000-7000-8000-0000000000c2';
    const BOT_CLICK = '0190b000-0000-7000-8000-00000000c11c';
    await deliverAll(bed, [
      ['shop.link.clicked', s.click(CLICK_A, { daysBefore: 5, affiliateId: 'aff-x' }), 'c1'],
      [
        'shop.analytics.page',
        s.page({ messageId: 'a1', anonymousId: 'anon-a', clickId: CLICK_A, daysBefore: 5 }),
        'pa',
      ],
      // Visitor B replays A's click id in its own page view, later: the click stays A's.
      [
        'shop.analytics.page',
        s.page({
          messageId: 'b1',
          anonymousId: 'anon-b',
          userId: OTHER_USER,
          clickId: CLICK_A,
          daysBefore: 4,
        }),
        'pb',
      ],
      [
        'shop.link.clicked',
        s.click(BOT_CLICK, { daysBefore: 3, affiliateId: 'aff-bot', bot: true }),
        'c2',
      ],
      [
        'shop.analytics.page',
        s.page({
          messageId: 'b2',
          anonymousId: 'anon-b',
          userId: OTHER_USER,
          clickId: BOT_CLICK,
          daysBefore: 3,
        }),
        'pb2',
      ],
      [
        'shop.order.created',
        s.order(ORDER, { userId: OTHER_USER, clickId: BOT_CLICK, amount: 2_000 }),
        'o',
      ],
      ['shop.payment.succeeded', s.payment(ORDER, PAYMENT, 2_000), 'p'],
    ]);
    expect((await bed.outbox()).filter((e) => e.type === 'shop.conversion.attributed')).toEqual([]);
    const explained = (await (
      await sendAsStaff(bed.app, 'GET', `/api/admin/attribution/orders/${ORDER}`)
    ).json()) as { status: string; credits: unknown[] };
    expect(explained).toMatchObject({ status: 'unattributed', credits: [] });
  });

  it('credits a click made within the second the provider stamped the payment with (whole seconds)', async () => {
    // The provider says 12:00:00 (Stripe's `created`); the shopper clicked at 12:00:00.300 and
    // checked out at 12:00:00.600, both to the millisecond: the click brought the order.
    const sameSecond = (ms: number) => new Date(s.purchasedAt.getTime() + ms).toISOString();
    await deliverAll(bed, [
      [
        'shop.link.clicked',
        {
          ...s.click(CLICK_A, { daysBefore: 0, affiliateId: 'aff-x' }),
          clickedAt: sameSecond(300),
        },
        'q1',
      ],
      [
        'shop.order.created',
        { ...s.order(ORDER, { clickId: CLICK_A, amount: 1_500 }), createdAt: sameSecond(600) },
        'q2',
      ],
      ['shop.payment.succeeded', s.payment(ORDER, PAYMENT, 1_500), 'q3'],
    ]);
    const attributed = (await bed.outbox()).filter((e) => e.type === 'shop.conversion.attributed');
    expect(attributed.at(-1)?.data).toMatchObject({
      purchasedAt: sameSecond(600),
      touchpoints: [expect.objectContaining({ clickId: CLICK_A, credit: 1_500 })],
    });
  });

  it('handles a replayed event once', async () => {
    await deliverAll(bed, purchaseStory().slice(0, 8));
    const before = await bed.outbox();
    const [type, data, id] = purchaseStory()[7] as Delivery;
    await deliverAll(bed, [
      [type, data, id],
      [type, data, `${id}-again`],
    ]);
    expect(await bed.outbox()).toEqual(before);
  });

  it('re-scores when an older touch arrives late and emits a new version, but not once paid out', async () => {
    const story = purchaseStory();
    await deliverAll(bed, story.filter(([, , id]) => !['e1', 'e2'].includes(id)).slice(0, 6));
    let attributed = (await bed.outbox()).filter((e) => e.type === 'shop.conversion.attributed');
    expect(
      attributed.map((e) => (e.data as { touchpoints: unknown[] }).touchpoints.length),
    ).toEqual([2]);
    await deliverAll(
      bed,
      story.filter(([, , id]) => ['e1', 'e2'].includes(id)),
    );
    attributed = (await bed.outbox()).filter((e) => e.type === 'shop.conversion.attributed');
    expect(
      attributed.map(
        (e) => (e.data as { version: number; touchpoints: unknown[] }).touchpoints.length,
      ),
    ).toEqual([2, 3]);
    expect(attributed[1]?.data.version).toBe(2);

    const paid = await sendAsStaff(bed.app, 'POST', '/api/admin/attribution/payouts', {
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-30T00:00:00Z',
    });
    expect(paid.status).toBe(201);
    expect(((await paid.json()) as { conversions: number }).conversions).toBe(1);
    await deliverAll(bed, [
      [
        'shop.link.clicked',
        s.click('0190b000-0000-7000-8000-00000000c11d', { daysBefore: 2, affiliateId: 'aff-late' }),
        'late-c',
      ],
      [
        'shop.analytics.page',
        s.page({
          messageId: 'late',
          anonymousId: 'anon-1',
          clickId: '0190b000-0000-7000-8000-00000000c11d',
          daysBefore: 2,
        }),
        'late-p',
      ],
    ]);
    expect(
      (await bed.outbox()).filter((e) => e.type === 'shop.conversion.attributed'),
    ).toHaveLength(2);
  });

  it('erases what it holds of a user and keeps the credit record', async () => {
    await deliverAll(bed, purchaseStory().slice(0, 8));
    await deliverAll(bed, [
      [
        'shop.user.erased',
        { userId: USER, requestedBy: USER, erasedAt: new Date().toISOString() },
        'erase',
      ],
    ]);
    for (const table of ['page_view', 'identity_link', 'click_claim']) {
      const { rowCount } = await bed.db.query(`SELECT 1 FROM attribution.${table}`);
      expect(rowCount, table).toBe(0);
    }
    const { rows } = await bed.db.query<{ user_id: string | null }>(
      'SELECT user_id FROM attribution.orders',
    );
    expect(rows).toEqual([{ user_id: null }]);
    // A later identify of the erased user is not taken in.
    await deliverAll(bed, [
      [
        'shop.analytics.identify',
        s.identify({ messageId: 'after', anonymousId: 'anon-9', userId: USER, daysBefore: 0 }),
        'after',
      ],
    ]);
    expect((await bed.db.query('SELECT 1 FROM attribution.identity_link')).rowCount).toBe(0);
    const explained = (await (
      await sendAsStaff(bed.app, 'GET', `/api/admin/attribution/orders/${ORDER}`)
    ).json()) as { frozenReason: string; credits: unknown[] };
    expect(explained.frozenReason).toBe('erased');
    expect(explained.credits).toHaveLength(3);
  });

  it('answers 400 for data not matching the catalog and stores nothing', async () => {
    const res = await bed.deliver('shop.payment.succeeded', { orderId: 'not-a-uuid' });
    expect(res.status).toBe(400);
    expect((await bed.db.query('SELECT 1 FROM attribution.payment')).rowCount).toBe(0);
  });
});
