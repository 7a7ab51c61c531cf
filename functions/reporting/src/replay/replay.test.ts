import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allReports } from '../testing/all-reports.js';
import {
  ORDER,
  orderCreated,
  PRODUCT,
  paymentRefunded,
  paymentSucceeded,
  syntheticMonth,
  uuid,
} from '../testing/synthetic-month.js';
import {
  createTestbed,
  deliverAll,
  type Testbed,
  type TestEvent,
  ZONES,
} from '../testing/testbed.js';
import { parseEventLine, replayEvents } from './replay.js';

/** A seeded shuffle (mulberry32), so a failure replays the same order. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

const lines = (events: readonly TestEvent[]) => events.map((e) => JSON.stringify(e));

let live: Testbed;
let replayed: Testbed;
let expected: string;
beforeAll(async () => {
  live = await createTestbed();
  await deliverAll(live, syntheticMonth());
  expected = await allReports(live);
  replayed = await createTestbed();
});
afterAll(async () => {
  await live.cleanup();
  await replayed.cleanup();
});

describe('replay', () => {
  it('rebuilds from a file of the events the same report bytes as live delivery', async () => {
    const result = await replayEvents(replayed.db, lines(syntheticMonth()), { zones: ZONES });
    expect(result).toEqual({ applied: syntheticMonth().length, duplicates: 0, refused: [] });
    expect(await allReports(replayed)).toBe(expected);
  });

  it.each([1, 2, 3])(
    'yields identical bytes from the events shuffled with duplicates (seed %i)',
    async (seed) => {
      const month = syntheticMonth();
      const withCopies = [...month, ...month.filter((_, i) => i % 3 === seed % 3)];
      const result = await replayEvents(replayed.db, lines(shuffled(withCopies, seed)), {
        zones: ZONES,
        batchSize: 7,
      });
      expect(result.applied).toBe(month.length);
      expect(result.duplicates).toBe(withCopies.length - month.length);
      expect(await allReports(replayed)).toBe(expected);
    },
  );

  it('starts from scratch: what a previous run left is gone', async () => {
    await replayEvents(replayed.db, lines(syntheticMonth()), { zones: ZONES });
    const extra = orderCreated(
      uuid(0x3aa),
      [
        {
          productId: PRODUCT.mug,
          slug: 'blue-mug',
          name: 'blue mug',
          quantity: 1,
          unitPrice: { amount: 1, currency: 'EUR' },
        },
      ],
      '2026-03-05T10:00:00.000Z',
    );
    await replayEvents(replayed.db, lines([extra]), { zones: ZONES });
    const { rows } = await replayed.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM reporting.orders',
    );
    expect(rows[0]?.n).toBe(1);
  });

  it('refuses lines that are not catalogued events of their producer, and says which', async () => {
    const good = syntheticMonth()[0] as TestEvent;
    const result = await replayEvents(
      replayed.db,
      [
        'not json',
        JSON.stringify({ ...good, source: '/shop/evil' }),
        JSON.stringify({ ...good, type: 'shop.offer.created' }),
        JSON.stringify({ ...good, data: { nope: true } }),
        '',
        JSON.stringify(good),
      ],
      { zones: ZONES },
    );
    expect(result.applied).toBe(1);
    expect(result.refused.map((r) => r.line)).toEqual([1, 2, 3, 4]);
    expect(result.refused[1]?.reason).toContain('is not the producer');
    expect(parseEventLine('{"specversion":"0.3"}')).toEqual({
      refused: 'not a CloudEvent 1.0 (specversion, id, source)',
    });
  });
});

describe('order independence', () => {
  it('counts a refund that arrived before its payment, and the payment before its order', async () => {
    const order = uuid(0x3bb);
    const payment = uuid(0x4bb);
    const events = [
      paymentRefunded(payment, order, 300, '2026-03-12T10:00:00.000Z'),
      paymentSucceeded(payment, order, 900, '2026-03-11T10:00:00.000Z'),
      orderCreated(
        order,
        [
          {
            productId: PRODUCT.lamp,
            slug: 'brass-lamp',
            name: 'brass lamp',
            quantity: 3,
            unitPrice: { amount: 300, currency: 'EUR' },
          },
        ],
        '2026-03-11T09:00:00.000Z',
      ),
    ];
    for (const order of [events, [...events].reverse()]) {
      await replayEvents(replayed.db, lines(order), { zones: ZONES });
      const { rows } = await replayed.db.query<{
        orders: number;
        revenue: number;
        refunded: number;
      }>(
        `SELECT sum(orders)::int AS orders, sum(revenue)::int AS revenue, sum(refunded)::int AS refunded
           FROM reporting.daily_sales WHERE zone = 'UTC'`,
      );
      expect(rows[0]).toEqual({ orders: 1, revenue: 900, refunded: 300 });
    }
  });

  it('drops a sale once cart reports its payment mismatched, whenever that arrives', async () => {
    const month = syntheticMonth();
    const mismatch: TestEvent = {
      specversion: '1.0',
      id: uuid(0xfff01),
      source: '/shop/cart',
      type: 'shop.order.payment_mismatched',
      data: {
        orderId: ORDER.a,
        userId: null,
        paymentEventType: 'shop.payment.succeeded',
        paymentEventId: 'evt-a',
        paymentId: uuid(0x401),
        providerPaymentId: 'pi_other',
        providerRefundId: null,
        reasons: ['payment_intent_mismatch'],
        expected: { amount: 1000, currency: 'EUR' },
        received: { amount: 1000, currency: 'EUR' },
        status: 'payment_review',
        detectedAt: '2026-03-01T10:06:00.000Z',
      },
    };
    const first = await replayEvents(replayed.db, lines([mismatch, ...month]), { zones: ZONES });
    const early = await allReports(replayed);
    await replayEvents(replayed.db, lines([...month, mismatch]), { zones: ZONES });
    expect(await allReports(replayed)).toBe(early);
    expect(first.applied).toBe(month.length + 1);
    expect(early).not.toBe(expected);
    // Order A no longer counts: nor does the conversion of variant a it made.
    expect(early).toContain('"variant":"a","visitors":1,"conversions":0,');
  });
});

describe('zones', () => {
  it('backfills the aggregates of a zone configured later from the facts', async () => {
    const bed = await createTestbed(['UTC']);
    try {
      await deliverAll(bed, syntheticMonth());
      const { keepZones } = await import('../store/zones.js');
      expect(await keepZones(bed.db, ZONES)).toEqual(['Europe/Berlin']);
      expect(await allReports(bed)).toBe(expected);
      expect(await keepZones(bed.db, ['UTC'])).toEqual([]);
      const { rows } = await bed.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM reporting.daily_sales WHERE zone = 'Europe/Berlin'`,
      );
      expect(rows[0]?.n).toBe(0);
    } finally {
      await bed.cleanup();
    }
  });
});
