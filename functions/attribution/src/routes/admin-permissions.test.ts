import { staffRoleHeaders } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestbed, sendAsStaff, type Testbed } from '../testing/testbed.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed.cleanup());

const period = { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' };
const query = `from=${period.from}&to=${period.to}`;

describe('attribution staff routes by permission', () => {
  it('let marketing read totals and rates, and refuse rates, payouts and rescoring', async () => {
    const marketing = staffRoleHeaders('marketing');
    for (const path of [
      `/api/admin/attribution/totals?${query}`,
      `/api/admin/attribution/mismatches?${query}`,
      '/api/admin/attribution/commission-rates',
    ]) {
      expect((await sendAsStaff(bed.app, 'GET', path, undefined, marketing)).status).toBe(200);
    }
    const refused: [Response, string][] = [
      [
        await sendAsStaff(
          bed.app,
          'PUT',
          '/api/admin/attribution/commission-rates/affiliate/aff-p',
          { basisPoints: 5_000 },
          marketing,
        ),
        'attribution:rates',
      ],
      [
        await sendAsStaff(bed.app, 'POST', '/api/admin/attribution/payouts', period, marketing),
        'attribution:payouts',
      ],
      [
        await sendAsStaff(
          bed.app,
          'POST',
          '/api/admin/attribution/rescore',
          { model: 'linear', ...period },
          marketing,
        ),
        'attribution:rescore',
      ],
    ];
    for (const [res, permission] of refused) {
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ permission });
    }
    const rates = await sendAsStaff(bed.app, 'GET', '/api/admin/attribution/commission-rates');
    expect(JSON.stringify(await rates.json())).not.toContain('aff-p');
  });

  it('let an administrator set a rate, and refuse reading to a role without attribution:read', async () => {
    const set = await sendAsStaff(
      bed.app,
      'PUT',
      '/api/admin/attribution/commission-rates/affiliate/aff-q',
      { basisPoints: 900 },
      staffRoleHeaders('administrator'),
    );
    expect(set.status).toBe(201);
    const res = await sendAsStaff(
      bed.app,
      'GET',
      `/api/admin/attribution/totals?${query}`,
      undefined,
      staffRoleHeaders('catalog-manager'),
    );
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ permission: 'attribution:read' });
  });
});
