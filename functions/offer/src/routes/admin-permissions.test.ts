import { staffRoleHeaders } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addCategory,
  addProduct,
  createTestbed,
  send,
  type Testbed,
  uniqueSlug,
} from '../testing/fixtures.js';

let bed: Testbed;
let category: string;
beforeAll(async () => {
  bed = await createTestbed();
  category = await addCategory(bed.db, 'perm');
});
afterAll(() => bed?.cleanup());

const marketing = staffRoleHeaders('marketing');
const catalogManager = staffRoleHeaders('catalog-manager');

const newOffer = () => {
  const slug = uniqueSlug('perm');
  return { slug, name: `Offer ${slug}`, description: 'x', category, priceAmount: 1299 };
};

async function expectRefused(res: Response, permission: string) {
  expect(res.status).toBe(403);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(await res.json()).toMatchObject({ permission });
}

describe('offer staff routes by permission', () => {
  it('let marketing read the catalog and refuse every change of it with 403', async () => {
    const product = await addProduct(bed.db, { category });
    const ifMatch = { 'if-match': `W/"${product.version}"` };
    const path = `/api/admin/offers/${product.id}`;
    expect((await send(bed.app, 'GET', '/api/admin/offers', undefined, marketing)).status).toBe(
      200,
    );
    expect((await send(bed.app, 'GET', path, undefined, marketing)).status).toBe(200);
    await expectRefused(
      await send(bed.app, 'POST', '/api/admin/offers', newOffer(), marketing),
      'catalog:write',
    );
    await expectRefused(
      await send(
        bed.app,
        'PUT',
        `${path}/price`,
        { amount: 1, currency: 'EUR' },
        { ...marketing, ...ifMatch },
      ),
      'catalog:write',
    );
    await expectRefused(
      await send(bed.app, 'PATCH', path, { name: 'Renamed' }, { ...marketing, ...ifMatch }),
      'catalog:write',
    );
    await expectRefused(
      await send(bed.app, 'POST', `${path}/archive`, undefined, { ...marketing, ...ifMatch }),
      'catalog:write',
    );
    const after = await send(bed.app, 'GET', path, undefined, marketing);
    expect(await after.json()).toMatchObject({ version: product.version, status: 'active' });
  });

  it('let a catalog manager create, price and adjust stock', async () => {
    const created = await send(bed.app, 'POST', '/api/admin/offers', newOffer(), catalogManager);
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const stock = await send(
      bed.app,
      'PATCH',
      `/api/admin/offers/${id}`,
      { stock: 7 },
      {
        ...catalogManager,
        'if-match': 'W/"1"',
      },
    );
    expect(stock.status).toBe(200);
    expect(await stock.json()).toMatchObject({ stock: 7 });
  });

  it('need stock:adjust for stock and catalog:read for reading', async () => {
    const product = await addProduct(bed.db, { category });
    const withStock = staffRoleHeaders('order-support');
    await expectRefused(
      await send(
        bed.app,
        'PATCH',
        `/api/admin/offers/${product.id}`,
        { stock: 1 },
        {
          ...withStock,
          'if-match': `W/"${product.version}"`,
        },
      ),
      'stock:adjust',
    );
    await expectRefused(
      await send(bed.app, 'GET', '/api/admin/offers', undefined, staffRoleHeaders('auditor')),
      'catalog:read',
    );
  });
});
