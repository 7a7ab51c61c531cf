// The staff routes: identity, commission rates with If-Match, totals, re-score jobs.
import { identityHeaders } from '@shop/shared/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestbed, sendAsStaff, story, type Testbed } from '../testing/testbed.js';

const s = story();
const CLICK = '0190c000-0000-7000-8000-00000000c001';
const CLICK2 = '0190c000-0000-7000-8000-00000000c002';
const orderId = (n: number) => `0190c000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const paymentId = (n: number) => `0190c000-0000-7000-8001-${String(n).padStart(12, '0')}`;

async function deliver(bed: Testbed, type: Parameters<Testbed['deliver']>[0], data: unknown) {
  const res = await bed.deliver(type, data);
  expect(res.status, await res.clone().text()).toBe(204);
}

/** Two sales: one through two clicks of two affiliates, one through the second only. */
async function twoSales(bed: Testbed) {
  await deliver(bed, 'shop.link.clicked', s.click(CLICK, { daysBefore: 6, affiliateId: 'aff-a' }));
  await deliver(
    bed,
    'shop.link.clicked',
    s.click(CLICK2, { daysBefore: 2, affiliateId: 'aff-b', campaign: 'winter' }),
  );
  await deliver(
    bed,
    'shop.analytics.page',
    s.page({ messageId: 'p1', anonymousId: 'v1', clickId: CLICK, daysBefore: 6 }),
  );
  await deliver(
    bed,
    'shop.analytics.page',
    s.page({ messageId: 'p2', anonymousId: 'v1', clickId: CLICK2, daysBefore: 2 }),
  );
  await deliver(bed, 'shop.order.created', s.order(orderId(1), { clickId: CLICK2, amount: 1_000 }));
  await deliver(bed, 'shop.payment.succeeded', s.payment(orderId(1), paymentId(1), 1_000));
  await deliver(bed, 'shop.order.created', s.order(orderId(2), { clickId: CLICK2, amount: 333 }));
  await deliver(bed, 'shop.payment.succeeded', s.payment(orderId(2), paymentId(2), 333));
}

let bed: Testbed;
beforeEach(async () => {
  bed = await createTestbed();
});
afterEach(async () => {
  await bed.cleanup();
});

describe('staff routes', () => {
  it('answer only staff: 401 without a token, 403 for a shopper', async () => {
    for (const path of [
      `/api/admin/attribution/orders/${orderId(1)}`,
      '/api/admin/attribution/totals?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z',
      '/api/admin/attribution/commission-rates',
    ]) {
      expect((await bed.app.request(path)).status).toBe(401);
      const shopper = await bed.app.request(path, {
        headers: identityHeaders({ userId: 'u1', roles: ['shopper'] }),
      });
      expect(shopper.status).toBe(403);
    }
  });

  it('keeps commission rates with If-Match: create, change, refuse stale and missing tags, delete', async () => {
    const path = '/api/admin/attribution/commission-rates/affiliate/aff-a';
    const created = await sendAsStaff(bed.app, 'PUT', path, { basisPoints: 1_000 });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('W/"1"');
    expect((await sendAsStaff(bed.app, 'PUT', path, { basisPoints: 1_200 })).status).toBe(428);
    expect(
      (await sendAsStaff(bed.app, 'PUT', path, { basisPoints: 1_200 }, { 'if-match': 'W/"7"' }))
        .status,
    ).toBe(412);
    const changed = await sendAsStaff(
      bed.app,
      'PUT',
      path,
      { basisPoints: 1_200 },
      { 'if-match': 'W/"1"' },
    );
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({
      basisPoints: 1_200,
      version: 2,
      updatedBy: 'staff-test',
    });
    expect(
      (await sendAsStaff(bed.app, 'PUT', path, { basisPoints: 10_001 }, { 'if-match': 'W/"2"' }))
        .status,
    ).toBe(400);
    expect(
      (
        await sendAsStaff(bed.app, 'PUT', '/api/admin/attribution/commission-rates/partner/x', {
          basisPoints: 1,
        })
      ).status,
    ).toBe(400);
    const list = (await (
      await sendAsStaff(bed.app, 'GET', '/api/admin/attribution/commission-rates')
    ).json()) as { items: unknown[] };
    expect(list.items).toHaveLength(1);
    expect((await sendAsStaff(bed.app, 'DELETE', path)).status).toBe(428);
    expect(
      (await sendAsStaff(bed.app, 'DELETE', path, undefined, { 'if-match': 'W/"2"' })).status,
    ).toBe(204);
    expect((await sendAsStaff(bed.app, 'GET', path)).status).toBe(404);
  });

  it('totals credit and commission per affiliate and per campaign for a period', async () => {
    await sendAsStaff(bed.app, 'PUT', '/api/admin/attribution/commission-rates/campaign/winter', {
      basisPoints: 500,
    });
    await twoSales(bed);
    const byAffiliate = (await (
      await sendAsStaff(
        bed.app,
        'GET',
        '/api/admin/attribution/totals?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z',
      )
    ).json()) as { items: unknown[] };
    // Last click: both sales to aff-b (5 % of the winter campaign).
    expect(byAffiliate.items).toEqual([
      {
        key: 'aff-b',
        currency: 'EUR',
        conversions: 2,
        credit: 1_333,
        commission: 67,
        creditReversed: 0,
        commissionReversed: 0,
        netCommission: 67,
      },
    ]);
    const byCampaign = (await (
      await sendAsStaff(
        bed.app,
        'GET',
        '/api/admin/attribution/totals?groupBy=campaign&from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z',
      )
    ).json()) as { items: { key: string }[] };
    expect(byCampaign.items.map((item) => item.key)).toEqual(['winter']);
    expect(
      (
        await sendAsStaff(
          bed.app,
          'GET',
          '/api/admin/attribution/totals?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z',
        )
      ).status,
    ).toBe(400);
    expect(
      (
        await sendAsStaff(
          bed.app,
          'GET',
          '/api/admin/attribution/totals?from=yesterday&to=2026-11-01T00:00:00Z',
        )
      ).status,
    ).toBe(400);
  });

  it('re-scores a period under another model as a job, apart from the live credits', async () => {
    await twoSales(bed);
    const live = await bed.db.query(
      'SELECT * FROM attribution.conversion_credit ORDER BY order_id, position',
    );
    for (const model of ['linear', 'data_driven'] as const) {
      const started = await sendAsStaff(bed.app, 'POST', '/api/admin/attribution/rescore', {
        model,
        from: '2026-11-01T00:00:00Z',
        to: '2026-12-01T00:00:00Z',
      });
      expect(started.status).toBe(202);
      const job = (await started.json()) as { jobId: string; total: number };
      expect(job.total).toBe(2);
      await bed.rescore.idle();
      const done = (await (
        await sendAsStaff(bed.app, 'GET', `/api/admin/attribution/rescore/${job.jobId}`)
      ).json()) as {
        status: string;
        progress: number;
        totals: { affiliateId: string; credit: number }[];
      };
      expect(done.status).toBe('done');
      expect(done.progress).toBe(1);
      expect(done.totals.reduce((sum, row) => sum + row.credit, 0)).toBe(1_333);
      if (model === 'linear') {
        expect(done.totals.map((row) => [row.affiliateId, row.credit])).toEqual([
          ['aff-a', 500 + 167],
          ['aff-b', 500 + 166],
        ]);
      }
    }
    expect(
      (
        await bed.db.query(
          'SELECT * FROM attribution.conversion_credit ORDER BY order_id, position',
        )
      ).rows,
    ).toEqual(live.rows);
    expect(
      (
        await sendAsStaff(bed.app, 'POST', '/api/admin/attribution/rescore', {
          model: 'magic',
          from: '2026-11-01T00:00:00Z',
          to: '2026-12-01T00:00:00Z',
        })
      ).status,
    ).toBe(400);
    expect(
      (await sendAsStaff(bed.app, 'GET', `/api/admin/attribution/rescore/${orderId(9)}`)).status,
    ).toBe(404);
  });

  it('explains an unknown order with a 404 and refuses a payout of a period not over', async () => {
    const res = await sendAsStaff(bed.app, 'GET', `/api/admin/attribution/orders/${orderId(7)}`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const future = new Date(Date.now() + 86_400_000).toISOString();
    expect(
      (
        await sendAsStaff(bed.app, 'POST', '/api/admin/attribution/payouts', {
          from: '2026-11-01T00:00:00Z',
          to: future,
        })
      ).status,
    ).toBe(409);
  });
});
