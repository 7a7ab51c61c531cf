import { staffRoleHeaders } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestbed, priceChanged, type Testbed } from '../testing/testbed.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
  expect((await bed.deliver(priceChanged('staff-1', { from: 100, to: 200 }))).status).toBe(204);
});
afterAll(() => bed.cleanup());

const as = (role: Parameters<typeof staffRoleHeaders>[0], method: string, path: string) =>
  bed.app.request(path, { method, headers: staffRoleHeaders(role) });

describe('audit staff routes by permission', () => {
  it('let an auditor read, verify and prove, and not publish a checkpoint', async () => {
    for (const path of [
      '/api/admin/audit',
      '/api/admin/audit/export.csv',
      '/api/admin/audit/checkpoint/key',
      '/api/admin/audit/verify',
    ]) {
      expect((await as('auditor', 'GET', path)).status).toBe(200);
    }
    const refused = await as('auditor', 'POST', '/api/admin/audit/checkpoint');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ permission: 'audit:checkpoint' });
    expect([200, 201]).toContain(
      (await as('administrator', 'POST', '/api/admin/audit/checkpoint')).status,
    );
    expect((await as('auditor', 'GET', '/api/admin/audit/checkpoint')).status).toBe(200);
  });

  it('refuse the log to a role without audit:read', async () => {
    const res = await as('marketing', 'GET', '/api/admin/audit');
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ permission: 'audit:read' });
  });
});
