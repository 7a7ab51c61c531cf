import { createHash } from 'node:crypto';
import type { Database } from '@shop/shared';
import { SEED_CATEGORIES, SEED_PRODUCTS, type SeedProduct } from './seed-data.js';
import { insertCategory, insertProduct } from './store.js';

/**
 * A UUIDv7 for a demo product, the same on every start: its time bits are the product's
 * createdAt and its random bits come from the slug, so other functions' demo data can refer
 * to it and restarts of `npm run dev` keep links working.
 */
function seedProductId(product: SeedProduct): string {
  const bytes = createHash('sha256').update(`offer:${product.slug}`).digest().subarray(0, 16);
  const millis = BigInt(Date.parse(product.createdAt));
  for (let i = 0; i < 6; i++) bytes[i] = Number((millis >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function seedImages(product: SeedProduct): string[] {
  const seeds = [product.slug];
  for (let n = 2; n <= 1 + (product.extraImages ?? 0); n++) seeds.push(`${product.slug}-${n}`);
  return seeds.map((seed) => `https://picsum.photos/seed/${seed}/800/800`);
}

/**
 * Inserts the demo catalog (7 categories, 49 products in EUR) unless already there; running it
 * again inserts nothing. Records no events: demo data is not a staff price change.
 * @example await migrate(db, …); const { products } = await seedCatalog(db);
 */
export async function seedCatalog(db: Database): Promise<{ categories: number; products: number }> {
  return db.transaction(async (tx) => {
    let categories = 0;
    for (const category of SEED_CATEGORIES) {
      if (await insertCategory(tx, category)) categories++;
    }
    let products = 0;
    for (const product of SEED_PRODUCTS) {
      const createdAt = new Date(product.createdAt);
      const inserted = await insertProduct(
        tx,
        {
          id: seedProductId(product),
          slug: product.slug,
          name: product.name,
          description: product.description,
          category: product.category,
          priceAmount: product.priceAmount,
          currency: 'EUR',
          images: seedImages(product),
          stock: product.stock,
          status: 'active',
          createdAt,
          updatedAt: createdAt,
        },
        { ifAbsent: true },
      );
      if (inserted) products++;
    }
    return { categories, products };
  });
}
