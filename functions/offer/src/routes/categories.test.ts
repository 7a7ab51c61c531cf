import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCategory, addProduct, createTestbed, type Testbed } from '../testing/fixtures.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed?.cleanup());

interface CategoryItem {
  slug: string;
  name: string;
  description: string;
  productCount: number;
}

async function listCategories(): Promise<CategoryItem[]> {
  const res = await bed.app.request('/api/categories');
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: CategoryItem[] }).items;
}

describe('GET /api/categories', () => {
  it('lists every category with its number of active products', async () => {
    const full = await addCategory(bed.db, 'full');
    const empty = await addCategory(bed.db, 'empty');
    await addProduct(bed.db, { category: full });
    await addProduct(bed.db, { category: full });
    await addProduct(bed.db, { category: full, status: 'archived' });

    const items = await listCategories();
    expect(items.find((c) => c.slug === full)).toEqual({
      slug: full,
      name: `Category ${full}`,
      description: 'for a test',
      productCount: 2,
    });
    expect(items.find((c) => c.slug === empty)?.productCount).toBe(0);
  });

  it('orders categories by name', async () => {
    const names = (await listCategories()).map((c) => c.name);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });
});
