import { newId, silentLogger } from '@shop/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReservationExpiry } from '../reservation-expiry.js';
import { addCategory, addProduct, createTestbed, send, type Testbed } from '../testing/fixtures.js';

let bed: Testbed;
let category: string;
beforeAll(async () => {
  bed = await createTestbed();
  category = await addCategory(bed.db, 'stock');
});
afterAll(() => bed?.cleanup());

async function stockOf(id: string): Promise<number> {
  const { rows } = await bed.db.query<{ stock: number }>(
    'SELECT stock FROM offer.product WHERE id = $1',
    [id],
  );
  return rows[0]?.stock ?? -1;
}

const reserve = (orderId: string, lines: { productId: string; quantity: number }[]) =>
  send(bed.app, 'POST', '/internal/stock/reservations', { orderId, lines });

describe('POST /internal/stock/reservations', () => {
  it('of 20 shoppers racing for 5 units, exactly 5 reserve one and the others get 409', async () => {
    const product = await addProduct(bed.db, { category, stock: 5 });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => reserve(newId(), [{ productId: product.id, quantity: 1 }])),
    );
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(15);
    expect(await stockOf(product.id)).toBe(0);
    const refused = answers.find((res) => res.status === 409);
    const body = (await refused?.json()) as { errors: { name: string; available: number }[] };
    expect(body.errors).toEqual([expect.objectContaining({ name: product.id, available: 0 })]);
  });

  it('reserves every line or none, naming the short products', async () => {
    const plenty = await addProduct(bed.db, { category, stock: 10 });
    const scarce = await addProduct(bed.db, { category, stock: 1 });
    const res = await reserve(newId(), [
      { productId: plenty.id, quantity: 3 },
      { productId: scarce.id, quantity: 2 },
    ]);
    expect(res.status).toBe(409);
    const body = (await res.json()) as { errors: { name: string }[] };
    expect(body.errors.map((e) => e.name)).toEqual([scarce.id]);
    expect(await stockOf(plenty.id)).toBe(10);
    expect(await stockOf(scarce.id)).toBe(1);
  });

  it('refuses an archived product', async () => {
    const archived = await addProduct(bed.db, { category, stock: 4, status: 'archived' });
    const res = await reserve(newId(), [{ productId: archived.id, quantity: 1 }]);
    expect(res.status).toBe(409);
    expect(await stockOf(archived.id)).toBe(4);
  });

  it('a retried reservation for the same orderId returns the same one and takes nothing twice', async () => {
    const product = await addProduct(bed.db, { category, stock: 5 });
    const orderId = newId();
    const lines = [{ productId: product.id, quantity: 2 }];
    const [first, second] = await Promise.all([reserve(orderId, lines), reserve(orderId, lines)]);
    expect([first?.status, second?.status].sort()).toEqual([200, 201]);
    const again = await reserve(orderId, lines);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ orderId, status: 'reserved', lines });
    expect(await stockOf(product.id)).toBe(3);
    expect((await reserve(orderId, [{ productId: product.id, quantity: 1 }])).status).toBe(422);
  });

  it('refuses a malformed body with 400', async () => {
    const res = await reserve('not-a-uuid', []);
    expect(res.status).toBe(400);
  });
});

describe('release and commit', () => {
  it('release twice returns the units once', async () => {
    const product = await addProduct(bed.db, { category, stock: 5 });
    const orderId = newId();
    expect((await reserve(orderId, [{ productId: product.id, quantity: 3 }])).status).toBe(201);
    expect(await stockOf(product.id)).toBe(2);
    const path = `/internal/stock/reservations/${orderId}/release`;
    const [a, b] = await Promise.all([send(bed.app, 'POST', path), send(bed.app, 'POST', path)]);
    expect([a?.status, b?.status]).toEqual([200, 200]);
    expect((await send(bed.app, 'POST', path)).status).toBe(200);
    expect(await stockOf(product.id)).toBe(5);
    expect(await (await send(bed.app, 'POST', path)).json()).toMatchObject({ status: 'released' });
    const commit = await send(bed.app, 'POST', `/internal/stock/reservations/${orderId}/commit`);
    expect(commit.status).toBe(409);
  });

  it('commit makes it final: a release afterwards puts nothing back', async () => {
    const product = await addProduct(bed.db, { category, stock: 5 });
    const orderId = newId();
    await reserve(orderId, [{ productId: product.id, quantity: 2 }]);
    const base = `/internal/stock/reservations/${orderId}`;
    expect((await send(bed.app, 'POST', `${base}/commit`)).status).toBe(200);
    expect((await send(bed.app, 'POST', `${base}/commit`)).status).toBe(200);
    expect((await send(bed.app, 'POST', `${base}/release`)).status).toBe(409);
    expect(await stockOf(product.id)).toBe(3);
  });

  it('answers 404 for an order without a reservation', async () => {
    const res = await send(bed.app, 'POST', `/internal/stock/reservations/${newId()}/release`);
    expect(res.status).toBe(404);
  });

  it('documents the routes in /openapi.json', async () => {
    const doc = (await (await bed.app.request('/openapi.json')).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/internal/stock/reservations',
        '/internal/stock/reservations/{orderId}/release',
        '/internal/stock/reservations/{orderId}/commit',
      ]),
    );
  });
});

describe('holds that run out', () => {
  it('a reservation nobody settles is released by offer after its hold, once', async () => {
    const product = await addProduct(bed.db, { category, stock: 3 });
    const orderId = newId();
    const res = await send(bed.app, 'POST', '/internal/stock/reservations', {
      orderId,
      lines: [{ productId: product.id, quantity: 2 }],
      holdMinutes: 5,
    });
    expect(res.status).toBe(201);
    const held = (await res.json()) as { createdAt: string; expiresAt: string };
    expect(Date.parse(held.expiresAt) - Date.parse(held.createdAt)).toBe(5 * 60_000);
    expect(await stockOf(product.id)).toBe(1);

    const at = (minutes: number) => new Date(Date.parse(held.createdAt) + minutes * 60_000);
    expect(
      await createReservationExpiry({
        db: bed.db,
        log: silentLogger(),
        clock: () => at(4),
      }).sweep(),
    ).not.toContain(orderId);
    expect(await stockOf(product.id)).toBe(1);
    const sweep = createReservationExpiry({ db: bed.db, log: silentLogger(), clock: () => at(6) });
    expect(await sweep.sweep()).toContain(orderId);
    expect(await sweep.sweep()).not.toContain(orderId);
    expect(await stockOf(product.id)).toBe(3);

    // Cart learns of it when it settles: a late commit is refused, a late release is a no-op.
    const commit = await send(bed.app, 'POST', `/internal/stock/reservations/${orderId}/commit`);
    expect(commit.status).toBe(409);
    const release = await send(bed.app, 'POST', `/internal/stock/reservations/${orderId}/release`);
    expect(release.status).toBe(200);
    expect(await release.json()).toMatchObject({ status: 'released', releaseReason: 'expired' });
    expect(await stockOf(product.id)).toBe(3);
  });

  it('holds for STOCK_HOLD_MINUTES (90) when cart names no hold, and refuses a hold past a day', async () => {
    const product = await addProduct(bed.db, { category, stock: 1 });
    const res = await reserve(newId(), [{ productId: product.id, quantity: 1 }]);
    const held = (await res.json()) as { createdAt: string; expiresAt: string };
    expect(Date.parse(held.expiresAt) - Date.parse(held.createdAt)).toBe(90 * 60_000);
    const tooLong = await send(bed.app, 'POST', '/internal/stock/reservations', {
      orderId: newId(),
      lines: [{ productId: product.id, quantity: 1 }],
      holdMinutes: 24 * 60 + 1,
    });
    expect(tooLong.status).toBe(400);
  });
});
