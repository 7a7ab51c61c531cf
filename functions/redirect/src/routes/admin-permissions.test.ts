import { staffRoleHeaders } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestbed, sendAsStaff, type Testbed, uniqueCode } from '../testing/testbed.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed.cleanup());

const newLink = () => ({
  code: uniqueCode('perm'),
  destinationUrl: 'https://landing.shop.example/perm',
});

describe('redirect staff routes by permission', () => {
  it('let marketing (links:write) create and disable links', async () => {
    const marketing = staffRoleHeaders('marketing');
    const created = await sendAsStaff(bed.app, 'POST', '/api/admin/links', newLink(), marketing);
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const disabled = await sendAsStaff(
      bed.app,
      'POST',
      `/api/admin/links/${id}/disable`,
      undefined,
      {
        ...marketing,
        'if-match': 'W/"1"',
      },
    );
    expect(disabled.status).toBe(200);
  });

  it('let an analyst read links and their stats, and refuse every change with 403', async () => {
    const created = await sendAsStaff(bed.app, 'POST', '/api/admin/links', newLink());
    const { id } = (await created.json()) as { id: string };
    const analyst = staffRoleHeaders('analyst');
    for (const path of [
      '/api/admin/links',
      `/api/admin/links/${id}`,
      `/api/admin/links/${id}/stats`,
    ]) {
      expect((await sendAsStaff(bed.app, 'GET', path, undefined, analyst)).status).toBe(200);
    }
    const ifMatch = { ...analyst, 'if-match': 'W/"1"' };
    const refused = [
      await sendAsStaff(bed.app, 'POST', '/api/admin/links', newLink(), analyst),
      await sendAsStaff(bed.app, 'PATCH', `/api/admin/links/${id}`, { campaign: 'x' }, ifMatch),
      await sendAsStaff(bed.app, 'POST', `/api/admin/links/${id}/disable`, undefined, ifMatch),
      await sendAsStaff(bed.app, 'POST', `/api/admin/links/${id}/enable`, undefined, ifMatch),
    ];
    for (const res of refused) {
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ permission: 'links:write' });
    }
    const after = await sendAsStaff(bed.app, 'GET', `/api/admin/links/${id}`);
    expect(await after.json()).toMatchObject({ version: 1, status: 'active' });
  });

  it('refuse reading to a role without links:read', async () => {
    const res = await sendAsStaff(
      bed.app,
      'GET',
      '/api/admin/links',
      undefined,
      staffRoleHeaders('catalog-manager'),
    );
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ permission: 'links:read' });
  });
});
