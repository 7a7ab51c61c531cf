import { staffRoleHeaders } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestbed, type Testbed } from '../testing/testbed.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed.cleanup());

describe('notification staff routes by permission', () => {
  it('let order support list failed sends and resend one', async () => {
    const support = staffRoleHeaders('order-support');
    expect((await bed.app.request('/api/admin/notifications', { headers: support })).status).toBe(
      200,
    );
    const resend = await bed.app.request(`/api/admin/notifications/${crypto.randomUUID()}/resend`, {
      method: 'POST',
      headers: support,
    });
    expect(resend.status).toBe(404);
  });

  it('refuse the list to marketing and resending to an analyst with 403', async () => {
    const list = await bed.app.request('/api/admin/notifications', {
      headers: staffRoleHeaders('marketing'),
    });
    expect(list.status).toBe(403);
    expect(await list.json()).toMatchObject({ permission: 'notifications:read' });
    const resend = await bed.app.request(`/api/admin/notifications/${crypto.randomUUID()}/resend`, {
      method: 'POST',
      headers: staffRoleHeaders('analyst'),
    });
    expect(resend.status).toBe(403);
    expect(await resend.json()).toMatchObject({ permission: 'notifications:resend' });
  });
});
