import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCatalog } from './seed.js';
import { SEED_PRODUCTS } from './seed-data.js';
import { countRows, createTestbed, getAllPages, type Testbed } from './testing/fixtures.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed?.cleanup());

describe('seedCatalog', () => {
  it('inserts a realistic demo catalog once, then nothing', async () => {
    const first = await seedCatalog(bed.db);
    expect(first.categories).toBeGreaterThanOrEqual(6);
    expect(first.products).toBeGreaterThanOrEqual(40);
    expect(await seedCatalog(bed.db)).toEqual({ categories: 0, products: 0 });
    expect(await countRows(bed.db, 'product')).toBe(first.products);
    // Demo data is not a staff price change.
    expect(await countRows(bed.db, 'outbox')).toBe(0);
  });

  it('shows every demo product in the public catalog with sane fields', async () => {
    const { items } = await getAllPages(bed.app, '/api/offers', { limit: 100 });
    expect(items).toHaveLength(SEED_PRODUCTS.length);
    const categories = new Set(items.map((item) => item.category));
    expect(categories.size).toBeGreaterThanOrEqual(6);
    for (const item of items) {
      expect(item.currency).toBe('EUR');
      expect(Number.isInteger(item.priceAmount) && item.priceAmount > 0).toBe(true);
      const images = item.images as string[];
      expect(images.length).toBeGreaterThanOrEqual(1);
      for (const image of images)
        expect(image).toMatch(/^https:\/\/picsum\.photos\/seed\/[a-z0-9-]+\/800\/800$/);
      expect(item.slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    }
    expect(items.filter((item) => item.stock === 0).length).toBeGreaterThanOrEqual(3);
    expect(new Set(items.map((item) => item.createdAt)).size).toBe(items.length);
  });

  it('gives demo products the same ids on every start', async () => {
    const read = async () => {
      const res = await bed.app.request('/api/offers/stovetop-espresso-maker');
      return ((await res.json()) as { id: string }).id;
    };
    const id = await read();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await bed.db.query(`DELETE FROM offer.product WHERE slug = 'stovetop-espresso-maker'`);
    expect(await seedCatalog(bed.db)).toEqual({ categories: 0, products: 1 });
    expect(await read()).toBe(id);
  });

  it('finds demo products by search', async () => {
    const { items } = await getAllPages(bed.app, '/api/offers', { q: 'kettle' });
    expect(items.map((item) => item.slug)).toContain('electric-gooseneck-kettle');
  });
});
