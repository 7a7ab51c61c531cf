import { staffRoleHeaders } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestbed, type Testbed } from '../testing/testbed.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed.cleanup());

const send = (headers: Record<string, string>, method: string, path: string, body?: unknown) =>
  bed.app.request(path, {
    method,
    headers: { ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
const definition = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' };

describe('feature-flag staff routes by permission', () => {
  it('let marketing (flags:write) create and toggle a flag', async () => {
    const marketing = staffRoleHeaders('marketing');
    const created = await send(marketing, 'POST', '/api/admin/flags', {
      key: 'perm-m',
      definition,
    });
    expect(created.status).toBe(201);
    const toggled = await send(
      { ...marketing, 'if-match': 'W/"1"' },
      'POST',
      '/api/admin/flags/perm-m/toggle',
      { enabled: false },
    );
    expect(toggled.status).toBe(200);
  });

  it('let an analyst read flags and their history, and refuse every change with 403', async () => {
    const admin = staffRoleHeaders('administrator');
    expect(
      (await send(admin, 'POST', '/api/admin/flags', { key: 'perm-a', definition })).status,
    ).toBe(201);
    const analyst = staffRoleHeaders('analyst');
    for (const path of [
      '/api/admin/flags',
      '/api/admin/flags/perm-a',
      '/api/admin/flags/perm-a/history',
    ]) {
      expect((await send(analyst, 'GET', path)).status).toBe(200);
    }
    const ifMatch = { ...analyst, 'if-match': 'W/"1"' };
    const refused = [
      await send(analyst, 'POST', '/api/admin/flags', { key: 'perm-b', definition }),
      await send(ifMatch, 'POST', '/api/admin/flags/perm-a/toggle', { enabled: false }),
      await send(ifMatch, 'PUT', '/api/admin/flags/perm-a/rollout', { percent: 10 }),
      await send(ifMatch, 'DELETE', '/api/admin/flags/perm-a'),
    ];
    for (const res of refused) {
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ permission: 'flags:write' });
    }
    const after = await send(analyst, 'GET', '/api/admin/flags/perm-a');
    expect(await after.json()).toMatchObject({ version: 1, enabled: true });
  });

  it('refuse reading to a role without flags:read', async () => {
    const res = await send(staffRoleHeaders('order-support'), 'GET', '/api/admin/flags');
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ permission: 'flags:read' });
  });
});
