import { newId } from '@shop/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestbed, registeredShopper, send, type Testbed } from '../testing/fixtures.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed.cleanup());

const as = (staffRole: 'order-support' | 'marketing' | 'administrator') => ({
  userId: newId(),
  roles: ['shopper' as const, 'staff' as const],
  staffRoles: [staffRole],
});

describe('customer routes by permission', () => {
  it('let order support read customers, and refuse their erasure with 403', async () => {
    const { data } = await registeredShopper(bed.app);
    const support = as('order-support');
    const listed = await send(bed.app, 'GET', '/api/admin/users', { who: support });
    expect(listed.status).toBe(200);
    const path = `/api/admin/users/${data.userId}`;
    expect((await send(bed.app, 'GET', path, { who: support })).status).toBe(200);
    const erase = await send(bed.app, 'DELETE', path, { who: support });
    expect(erase.status).toBe(403);
    expect(await erase.json()).toMatchObject({ permission: 'customers:erase' });
    expect((await send(bed.app, 'GET', path, { who: support })).status).toBe(200);
    expect((await send(bed.app, 'DELETE', path, { who: as('administrator') })).status).toBe(204);
  });

  it('refuse customers to marketing', async () => {
    const res = await send(bed.app, 'GET', '/api/admin/users', { who: as('marketing') });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ permission: 'customers:read' });
  });
});
