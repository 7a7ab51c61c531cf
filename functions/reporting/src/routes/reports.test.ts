import { identityHeaders } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wilsonInterval } from '../domain/wilson.js';
import { salesReport } from '../store/reports.js';
import {
  orderCreated,
  PRODUCT,
  paymentSucceeded,
  syntheticMonth,
  uuid,
} from '../testing/synthetic-month.js';
import { createTestbed, deliverAll, type Testbed } from '../testing/testbed.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
  await deliverAll(bed, syntheticMonth());
});
afterAll(() => bed.cleanup());

const rows = async (path: string) => {
  const res = await bed.get(path);
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { rows: unknown[] }).rows;
};
const MARCH = 'from=2026-03-01&to=2026-03-31';

describe('sales report (a hand-computed month)', () => {
  it('sums March in Berlin per currency: 31 March 22:30 UTC is April there', async () => {
    expect(
      await rows(`/api/admin/reports/sales?${MARCH}&zone=Europe/Berlin&interval=month`),
    ).toEqual([
      {
        period: '2026-03-01',
        currency: 'EUR',
        orders: 3,
        revenue: 5500,
        averageOrderValue: 1833,
        refunds: 1,
        refunded: 500,
        netRevenue: 5000,
      },
      {
        period: '2026-03-01',
        currency: 'USD',
        orders: 1,
        revenue: 2500,
        averageOrderValue: 2500,
        refunds: 0,
        refunded: 0,
        netRevenue: 2500,
      },
    ]);
  });

  it('counts the order of 31 March in UTC, and never the payment that missed its total', async () => {
    const [eur] = (await rows(`/api/admin/reports/sales?${MARCH}&interval=month`)) as {
      orders: number;
    }[];
    expect(eur).toEqual({
      period: '2026-03-01',
      currency: 'EUR',
      orders: 4,
      revenue: 6700,
      averageOrderValue: 1675,
      refunds: 1,
      refunded: 500,
      netRevenue: 6200,
    });
  });

  it('splits by local day: the order paid 23:40 UTC falls on 2 March in Berlin', async () => {
    const days = (await rows(`/api/admin/reports/sales?${MARCH}&zone=Europe/Berlin`)) as {
      period: string;
      currency: string;
      revenue: number;
      refunded: number;
      averageOrderValue: number | null;
    }[];
    expect(
      days.map((d) => [d.period, d.currency, d.revenue, d.refunded, d.averageOrderValue]),
    ).toEqual([
      ['2026-03-01', 'EUR', 1000, 0, 1000],
      ['2026-03-02', 'EUR', 3000, 0, 3000],
      ['2026-03-10', 'USD', 2500, 0, 2500],
      ['2026-03-15', 'EUR', 1500, 0, 1500],
      ['2026-03-20', 'EUR', 0, 500, null],
    ]);
  });

  it('groups ISO weeks from Monday', async () => {
    const weeks = (await rows(
      `/api/admin/reports/sales?${MARCH}&zone=Europe/Berlin&interval=week`,
    )) as {
      period: string;
      currency: string;
      orders: number;
    }[];
    expect(weeks.map((w) => [w.period, w.currency, w.orders])).toEqual([
      ['2026-02-23', 'EUR', 1],
      ['2026-03-02', 'EUR', 1],
      ['2026-03-09', 'EUR', 1],
      ['2026-03-09', 'USD', 1],
      ['2026-03-16', 'EUR', 0],
    ]);
  });

  it('answers from the daily aggregates in a kept zone and the same rows from the facts in any other', async () => {
    const kept = await bed.get(`/api/admin/reports/sales?${MARCH}&zone=Europe/Berlin`);
    expect(kept.headers.get('x-report-source')).toBe('daily_aggregates');
    const other = await bed.get(`/api/admin/reports/sales?${MARCH}&zone=America/New_York`);
    expect(other.status).toBe(200);
    expect(other.headers.get('x-report-source')).toBe('facts');
    // New York keeps 31 March 22:30 UTC in March (18:30 EDT); Kolkata (+05:30) does not.
    const eurOrders = async (zone: string) =>
      (
        (await rows(`/api/admin/reports/sales?${MARCH}&zone=${zone}&interval=month`)) as {
          currency: string;
          orders: number;
          revenue: number;
        }[]
      )
        .filter((r) => r.currency === 'EUR')
        .map((r) => [r.orders, r.revenue]);
    expect(await eurOrders('America/New_York')).toEqual([[4, 6700]]);
    expect(await eurOrders('Asia/Kolkata')).toEqual([[3, 5500]]);
    for (const interval of ['day', 'week', 'month'] as const) {
      for (const zone of ['Europe/Berlin', 'UTC']) {
        const range = { zone, from: '2026-03-01', to: '2026-03-31' };
        expect(await salesReport(bed.db, range, interval, 'facts')).toEqual(
          await salesReport(bed.db, range, interval, 'daily_aggregates'),
        );
      }
    }
  });
});

describe('conversion report', () => {
  it('counts sessions from page views (a 50-minute gap starts a new one) against paid orders', async () => {
    expect(await rows(`/api/admin/reports/conversion?${MARCH}&zone=Europe/Berlin`)).toEqual([
      { period: '2026-03-01', sessions: 2, orders: 1, conversionRate: 0.5 },
      { period: '2026-03-02', sessions: 1, orders: 1, conversionRate: 1 },
      { period: '2026-03-10', sessions: 0, orders: 1, conversionRate: null },
      { period: '2026-03-15', sessions: 0, orders: 1, conversionRate: null },
    ]);
    expect(await rows(`/api/admin/reports/conversion?${MARCH}&interval=month`)).toEqual([
      { period: '2026-03-01', sessions: 3, orders: 5, conversionRate: 1.666667 },
    ]);
  });
});

describe('other reports', () => {
  it('ranks products by revenue per currency', async () => {
    expect(await rows(`/api/admin/reports/top-products?${MARCH}&zone=Europe/Berlin`)).toEqual([
      {
        currency: 'EUR',
        rank: 1,
        productId: PRODUCT.chair,
        slug: 'oak-chair',
        name: 'oak chair',
        quantity: 1,
        orders: 1,
        revenue: 3000,
      },
      {
        currency: 'EUR',
        rank: 2,
        productId: PRODUCT.lamp,
        slug: 'brass-lamp',
        name: 'brass lamp',
        quantity: 5,
        orders: 2,
        revenue: 2500,
      },
      {
        currency: 'USD',
        rank: 1,
        productId: PRODUCT.mug,
        slug: 'blue-mug',
        name: 'blue mug',
        quantity: 5,
        orders: 1,
        revenue: 2500,
      },
    ]);
  });

  it('credits affiliates with the latest attribution version and what refunds took back', async () => {
    expect(await rows(`/api/admin/reports/affiliates?${MARCH}&zone=Europe/Berlin`)).toEqual([
      {
        affiliateId: 'aff-2',
        campaign: null,
        currency: 'EUR',
        conversions: 1,
        revenue: 1500,
        commission: 150,
        revenueReversed: 500,
        commissionReversed: 50,
        netRevenue: 1000,
        netCommission: 100,
      },
      {
        affiliateId: 'aff-1',
        campaign: 'spring',
        currency: 'EUR',
        conversions: 1,
        revenue: 1000,
        commission: 150,
        revenueReversed: 0,
        commissionReversed: 0,
        netRevenue: 1000,
        netCommission: 150,
      },
    ]);
  });

  it('counts clicks per affiliate and campaign, bots apart', async () => {
    expect(await rows(`/api/admin/reports/clicks?${MARCH}&zone=Europe/Berlin`)).toEqual([
      { affiliateId: 'aff-1', campaign: 'spring', clicks: 2, botClicks: 1 },
    ]);
  });

  it('shows the funnel visit → cart → checkout → paid', async () => {
    expect(await rows(`/api/admin/reports/funnel?${MARCH}&zone=Europe/Berlin`)).toEqual([
      { step: 'visit', count: 2, rateFromPrevious: null, rateFromFirst: null },
      { step: 'cart', count: 1, rateFromPrevious: 0.5, rateFromFirst: 0.5 },
      { step: 'checkout', count: 6, rateFromPrevious: 6, rateFromFirst: 3 },
      { step: 'paid', count: 4, rateFromPrevious: 0.666667, rateFromFirst: 2 },
    ]);
  });

  it('gives each variant its visitors (first exposure wins), conversions and Wilson interval', async () => {
    const one = wilsonInterval(1, 1);
    const none = wilsonInterval(0, 2);
    expect(
      await rows(
        `/api/admin/reports/experiments?${MARCH}&zone=Europe/Berlin&flag=landing-headline`,
      ),
    ).toEqual([
      {
        flagKey: 'landing-headline',
        variant: 'a',
        visitors: 1,
        conversions: 1,
        conversionRate: 1,
        confidenceLow: Number(one.low.toFixed(6)),
        confidenceHigh: 1,
      },
      {
        flagKey: 'landing-headline',
        variant: 'b',
        visitors: 2,
        conversions: 0,
        conversionRate: 0,
        confidenceLow: 0,
        confidenceHigh: Number(none.high.toFixed(6)),
      },
    ]);
  });
});

describe('CSV', () => {
  it('answers CSV with RFC 4180 quoting and CRLF when asked for text/csv', async () => {
    const res = await bed.get(
      `/api/admin/reports/sales?${MARCH}&zone=Europe/Berlin&interval=month`,
      {
        accept: 'text/csv',
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(await res.text()).toBe(
      'period,currency,orders,revenue,averageOrderValue,refunds,refunded,netRevenue\r\n' +
        '2026-03-01,EUR,3,5500,1833,1,500,5000\r\n' +
        '2026-03-01,USD,1,2500,2500,0,0,2500\r\n',
    );
  });

  it('defuses a product name a spreadsheet would run as a formula', async () => {
    const order = uuid(0x3ff);
    await deliverAll(bed, [
      orderCreated(
        order,
        [
          {
            productId: uuid(0x1ff),
            slug: 'evil',
            name: '=HYPERLINK("http://x.example","a, b")',
            quantity: 1,
            unitPrice: { amount: 100, currency: 'EUR' },
          },
        ],
        '2026-04-10T10:00:00.000Z',
      ),
      paymentSucceeded(uuid(0x4ff), order, 100, '2026-04-10T10:01:00.000Z'),
    ]);
    const res = await bed.get('/api/admin/reports/top-products?from=2026-04-10&to=2026-04-10', {
      accept: 'text/csv',
    });
    expect(await res.text()).toContain(
      `,evil,"'=HYPERLINK(""http://x.example"",""a, b"")",1,1,100\r\n`,
    );
  });
});

describe('bad requests and strangers', () => {
  it.each([
    ['an unknown zone', `${MARCH}&zone=Mars/Olympus`],
    ['an offset instead of a zone', `${MARCH}&zone=%2B01:00`],
    ['from after to', 'from=2026-03-31&to=2026-03-01'],
    ['a day that does not exist', 'from=2026-02-30&to=2026-03-01'],
    ['a range over two years', 'from=2024-01-01&to=2026-03-01'],
    ['an unknown interval', `${MARCH}&interval=hour`],
  ])('answers 400 problem+json to %s', async (_, query) => {
    const res = await bed.get(`/api/admin/reports/sales?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers 401 without a token and 403 to a shopper', async () => {
    const anonymous = await bed.app.request(`/api/admin/reports/sales?${MARCH}`);
    expect(anonymous.status).toBe(401);
    const shopper = await bed.app.request(`/api/admin/reports/sales?${MARCH}`, {
      headers: identityHeaders({ userId: 'u1', roles: ['shopper'] }),
    });
    expect(shopper.status).toBe(403);
  });

  it('refuses an event from a sender without the broker token', async () => {
    const res = await bed.app.request('/events', {
      method: 'POST',
      headers: {
        'ce-specversion': '1.0',
        'ce-id': 'forged',
        'ce-source': '/shop/conversion-webhook',
        'ce-type': 'shop.payment.succeeded',
        'content-type': 'application/json',
      },
      body: JSON.stringify({}),
    });
    expect(res.status).toBe(401);
  });
});

describe('attacks on /events', () => {
  it('refuses a payment that claims another producer as its source, and counts nothing', async () => {
    const before = await (await bed.get(`/api/admin/reports/sales?${MARCH}`)).text();
    const forged = paymentSucceeded(uuid(0x4ee), uuid(0x3ee), 5000, '2026-03-05T10:00:00.000Z');
    const res = await bed.deliver({ ...forged, source: '/shop/cart' });
    // The kit refuses a source that is not the catalogued producer of the type.
    expect(res.status).toBe(403);
    expect(await (await bed.get(`/api/admin/reports/sales?${MARCH}`)).text()).toBe(before);
  });

  it('refuses data that does not match the catalog (a fractional amount), storing nothing', async () => {
    const bad = paymentSucceeded(uuid(0x4ed), uuid(0x3ed), 10, '2026-03-05T10:00:00.000Z');
    (bad.data as { amount: { amount: number } }).amount.amount = 10.5;
    expect((await bed.deliver(bad)).status).toBe(400);
    const { rowCount } = await bed.db.query(
      'SELECT 1 FROM reporting.payments WHERE payment_id = $1',
      [uuid(0x4ed)],
    );
    expect(rowCount).toBe(0);
  });
});

describe('the OpenAPI document', () => {
  it('lists every report route with its query parameters', async () => {
    const doc = (await (await bed.app.request('/openapi.json')).json()) as {
      paths: Record<string, { get: { parameters: { name: string }[] } }>;
    };
    for (const name of [
      'sales',
      'conversion',
      'top-products',
      'affiliates',
      'clicks',
      'funnel',
      'experiments',
    ]) {
      const parameters = doc.paths[`/api/admin/reports/${name}`]?.get.parameters.map((p) => p.name);
      expect(parameters, name).toEqual(expect.arrayContaining(['from', 'to', 'zone']));
    }
  });
});

describe('duplicates', () => {
  it('changes nothing when every event of the month is delivered again', async () => {
    const before = await (await bed.get(`/api/admin/reports/sales?${MARCH}`)).text();
    await deliverAll(bed, syntheticMonth());
    expect(await (await bed.get(`/api/admin/reports/sales?${MARCH}`)).text()).toBe(before);
  });

  it('changes nothing either once the inbox forgot the events (its rows pruned)', async () => {
    const all = [
      `/api/admin/reports/sales?${MARCH}&zone=Europe/Berlin`,
      `/api/admin/reports/conversion?${MARCH}`,
      `/api/admin/reports/affiliates?${MARCH}`,
      `/api/admin/reports/experiments?${MARCH}`,
      `/api/admin/reports/funnel?${MARCH}`,
    ];
    const read = async () => Promise.all(all.map(async (path) => (await bed.get(path)).text()));
    const before = await read();
    await bed.db.exec('DELETE FROM reporting.inbox');
    await deliverAll(bed, syntheticMonth());
    expect(await read()).toEqual(before);
  });
});
