import { identityHeaders, staffRoleHeaders } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addCategory,
  addProduct,
  asStaff,
  createTestbed,
  send,
  type Testbed,
} from '../testing/fixtures.js';

let bed: Testbed;
let category: string;
beforeAll(async () => {
  bed = await createTestbed();
  category = await addCategory(bed.db, 'adjust');
});
afterAll(() => bed?.cleanup());

const path = (id: string) => `/api/admin/offers/${id}/stock-adjustments`;

interface Adjusted {
  adjustment: { change: number; stockAfter: number; reason: string; note: string | null };
  product: { stock: number; version: number };
}

async function stockEvents(productId: string) {
  const { rows } = await bed.db.query<{ data: Record<string, unknown> }>(
    `SELECT data FROM offer.outbox WHERE subject = $1 AND type = 'shop.offer.stock_adjusted'
     ORDER BY id`,
    [productId],
  );
  return rows.map((row) => row.data);
}

async function history(productId: string) {
  const { rows } = await bed.db.query<{ change: number; reason: string; adjusted_by: string }>(
    'SELECT change, reason, adjusted_by FROM offer.stock_adjustment WHERE product_id = $1 ORDER BY id',
    [productId],
  );
  return rows;
}

describe('POST /api/admin/offers/{id}/stock-adjustments', () => {
  it('adds received units with the reason, records who did it and the event with reason and note', async () => {
    const product = await addProduct(bed.db, { category, stock: 5 });
    const res = await send(
      bed.app,
      'POST',
      path(product.id),
      { change: 12, reason: 'received', note: 'Delivery 4711' },
      asStaff('staff-anna'),
    );
    expect(res.status).toBe(201);
    const body = (await res.json()) as Adjusted;
    expect(body.adjustment).toMatchObject({
      change: 12,
      stockAfter: 17,
      reason: 'received',
      note: 'Delivery 4711',
      adjustedBy: 'staff-anna',
    });
    expect(body.product).toMatchObject({ stock: 17, version: product.version + 1 });
    expect(res.headers.get('etag')).toBe(`W/"${product.version + 1}"`);
    expect(await stockEvents(product.id)).toEqual([
      expect.objectContaining({
        previousStock: 5,
        stock: 17,
        reason: 'received',
        note: 'Delivery 4711',
        adjustedBy: 'staff-anna',
      }),
    ]);
  });

  it('counts both of two adjustments made at the same time', async () => {
    const product = await addProduct(bed.db, { category, stock: 10 });
    const [a, b] = await Promise.all([
      send(bed.app, 'POST', path(product.id), { change: -3, reason: 'damaged' }),
      send(bed.app, 'POST', path(product.id), { change: 5, reason: 'returned' }),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    const after = await send(bed.app, 'GET', `/api/admin/offers/${product.id}`);
    expect(await after.json()).toMatchObject({ stock: 12 });
    expect((await history(product.id)).map((row) => row.change).sort()).toEqual([-3, 5]);
  });

  it('refuses to take away more than is in stock with 409 and stores nothing', async () => {
    const product = await addProduct(bed.db, { category, stock: 2 });
    const res = await send(bed.app, 'POST', path(product.id), { change: -3, reason: 'lost' });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({
      type: 'https://shop.example/problems/insufficient-stock',
      available: 2,
    });
    const after = await send(bed.app, 'GET', `/api/admin/offers/${product.id}`);
    expect(await after.json()).toMatchObject({ stock: 2, version: product.version });
    expect(await history(product.id)).toEqual([]);
    expect(await stockEvents(product.id)).toEqual([]);
  });

  it('adjusts once for a retried request with the same Idempotency-Key', async () => {
    const product = await addProduct(bed.db, { category, stock: 1 });
    const request = () =>
      send(
        bed.app,
        'POST',
        path(product.id),
        { change: 4, reason: 'received' },
        { 'idempotency-key': 'k-1' },
      );
    const [first, second] = await Promise.all([request(), request()]);
    expect([first.status, second.status].sort()).toEqual([200, 201]);
    const third = await request();
    expect(third.status).toBe(200);
    expect(((await third.json()) as Adjusted).product.stock).toBe(5);
    expect(await history(product.id)).toHaveLength(1);
    const other = await send(
      bed.app,
      'POST',
      path(product.id),
      { change: 9, reason: 'received' },
      { 'idempotency-key': 'k-1' },
    );
    expect(other.status).toBe(422);
    expect(await history(product.id)).toHaveLength(1);
  });

  it.each([
    ['a zero change', { change: 0, reason: 'received' }],
    ['a fraction', { change: 1.5, reason: 'received' }],
    ['an unknown reason', { change: 1, reason: 'stolen-by-elves' }],
    ['no reason', { change: 1 }],
    ['an unknown field', { change: 1, reason: 'other', stock: 3 }],
    ['a note too long', { change: 1, reason: 'other', note: 'x'.repeat(501) }],
    ['a note with control characters', { change: 1, reason: 'other', note: 'a\u0000b' }],
  ])('answers %s with 400 problem+json and changes nothing', async (_name, body) => {
    const product = await addProduct(bed.db, { category, stock: 3 });
    const res = await send(bed.app, 'POST', path(product.id), body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await history(product.id)).toEqual([]);
  });

  it('answers an unknown product with 404', async () => {
    const res = await send(bed.app, 'POST', path('0190a000-0000-7000-8000-000000000000'), {
      change: 1,
      reason: 'received',
    });
    expect(res.status).toBe(404);
  });

  it('refuses a shopper, a role without stock:adjust, and no token', async () => {
    const product = await addProduct(bed.db, { category, stock: 3 });
    const body = { change: 1, reason: 'received' };
    const shopper = identityHeaders({ userId: 'shopper-1', roles: ['shopper'] });
    expect((await send(bed.app, 'POST', path(product.id), body, shopper)).status).toBe(403);
    const marketing = await send(
      bed.app,
      'POST',
      path(product.id),
      body,
      staffRoleHeaders('marketing'),
    );
    expect(marketing.status).toBe(403);
    expect(await marketing.json()).toMatchObject({ permission: 'stock:adjust' });
    const anonymous = await bed.app.request(path(product.id), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(anonymous.status).toBe(401);
    expect(
      (await send(bed.app, 'POST', path(product.id), body, staffRoleHeaders('catalog-manager')))
        .status,
    ).toBe(201);
    expect(await history(product.id)).toHaveLength(1);
  });
});

describe('GET /api/admin/offers/{id}/stock-adjustments', () => {
  it('pages the history newest first, the PATCH of a count as a correction', async () => {
    const product = await addProduct(bed.db, { category, stock: 5 });
    for (const change of [1, 2, 3]) {
      await send(bed.app, 'POST', path(product.id), { change, reason: 'received' });
    }
    const patched = await send(
      bed.app,
      'PATCH',
      `/api/admin/offers/${product.id}`,
      { stock: 4 },
      { 'if-match': `W/"${product.version + 3}"` },
    );
    expect(patched.status).toBe(200);
    const first = await send(bed.app, 'GET', `${path(product.id)}?limit=3`);
    expect(first.status).toBe(200);
    const page1 = (await first.json()) as {
      items: { change: number; reason: string; stockAfter: number }[];
      nextCursor: string | null;
    };
    expect(page1.items.map((item) => [item.change, item.reason, item.stockAfter])).toEqual([
      [-7, 'correction', 4],
      [3, 'received', 11],
      [2, 'received', 8],
    ]);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const second = await send(
      bed.app,
      'GET',
      `${path(product.id)}?limit=3&cursor=${page1.nextCursor}`,
    );
    const page2 = (await second.json()) as typeof page1;
    expect(page2.items.map((item) => item.change)).toEqual([1]);
    expect(page2.nextCursor).toBeNull();
    expect((await stockEvents(product.id)).at(-1)).toMatchObject({
      previousStock: 11,
      stock: 4,
      reason: 'correction',
    });
  });

  it('refuses a cursor of another product with 400', async () => {
    const a = await addProduct(bed.db, { category, stock: 5 });
    const b = await addProduct(bed.db, { category, stock: 5 });
    for (const change of [1, 2]) {
      await send(bed.app, 'POST', path(a.id), { change, reason: 'received' });
    }
    const page = (await (await send(bed.app, 'GET', `${path(a.id)}?limit=1`)).json()) as {
      nextCursor: string;
    };
    const res = await send(bed.app, 'GET', `${path(b.id)}?cursor=${page.nextCursor}`);
    expect(res.status).toBe(400);
    expect((await send(bed.app, 'GET', `${path(a.id)}?cursor=garbage`)).status).toBe(400);
  });
});
