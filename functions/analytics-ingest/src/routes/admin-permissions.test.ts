import { staffRoleHeaders } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestbed, post, type Testbed } from '../testing/testbed.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed.cleanup());

describe('analytics source routes by permission', () => {
  it('let marketing read sources but not create or revoke write keys', async () => {
    const admin = staffRoleHeaders('administrator');
    const created = await post(bed.app, '/api/admin/analytics/sources', { name: 'perm' }, admin);
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const marketing = staffRoleHeaders('marketing');
    for (const path of ['/api/admin/analytics/sources', `/api/admin/analytics/sources/${id}`]) {
      expect((await bed.app.request(path, { headers: marketing })).status).toBe(200);
    }
    const refused = [
      await post(bed.app, '/api/admin/analytics/sources', { name: 'other' }, marketing),
      await post(bed.app, `/api/admin/analytics/sources/${id}/revoke`, undefined, marketing),
    ];
    for (const res of refused) {
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ permission: 'analytics:keys' });
    }
    const after = await bed.app.request(`/api/admin/analytics/sources/${id}`, { headers: admin });
    expect(await after.json()).toMatchObject({ revokedAt: null });
  });

  it('refuse reading to a role without analytics:read', async () => {
    const res = await bed.app.request('/api/admin/analytics/sources', {
      headers: staffRoleHeaders('catalog-manager'),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ permission: 'analytics:read' });
  });
});
