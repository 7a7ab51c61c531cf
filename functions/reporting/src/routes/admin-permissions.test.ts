import { staffRoleHeaders } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestbed, type Testbed } from '../testing/testbed.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed.cleanup());

const report = (name: string, headers: Record<string, string>) =>
  bed.app.request(`/api/admin/reports/${name}?from=2026-03-01&to=2026-03-31`, { headers });

describe('reports by permission', () => {
  it('answer every report to a role with reports:read (an analyst, an auditor)', async () => {
    for (const name of ['sales', 'conversion', 'top-products', 'affiliates', 'clicks', 'funnel']) {
      expect((await report(name, staffRoleHeaders('analyst'))).status).toBe(200);
    }
    expect((await report('sales', staffRoleHeaders('auditor'))).status).toBe(200);
  });

  it('refuse them to order support with 403 naming reports:read', async () => {
    const res = await report('sales', staffRoleHeaders('order-support'));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ permission: 'reports:read' });
  });
});
