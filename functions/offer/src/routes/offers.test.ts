import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintListing } from '../domain/encode-cursor.js';
import type { Listing, Product } from '../domain/product.js';
import type { NewProduct } from '../store.js';
import {
  addCategory,
  addProduct,
  countRows,
  createTestbed,
  getAllPages,
  getPage,
  type OfferItem,
  type Testbed,
  uniqueSlug,
} from '../testing/fixtures.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed?.cleanup());

const ids = (items: { id: string }[]) => items.map((item) => item.id);
const minutesAgo = (minutes: number) =>
  new Date(Date.parse('2025-06-01T12:00:00Z') - minutes * 60_000);

/** The order each sort promises, written out in JS to check the database against. */
function compareBy(sort: 'newest' | 'price_asc' | 'price_desc' | 'name') {
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return (a: Product, b: Product): number => {
    switch (sort) {
      case 'newest':
        return b.createdAt.getTime() - a.createdAt.getTime() || byId(b, a);
      case 'price_asc':
        return a.priceAmount - b.priceAmount || byId(a, b);
      case 'price_desc':
        return b.priceAmount - a.priceAmount || byId(b, a);
      case 'name': {
        const [x, y] = [a.name.toLowerCase(), b.name.toLowerCase()];
        return x < y ? -1 : x > y ? 1 : byId(a, b);
      }
    }
  };
}

describe('GET /api/offers search', () => {
  let category: string;
  const products: Record<string, Product> = {};

  beforeAll(async () => {
    category = await addCategory(bed.db, 'search');
    const add = async (key: string, fields: Partial<NewProduct>) => {
      products[key] = await addProduct(bed.db, { category, ...fields });
    };
    await add('kettle', {
      name: 'Copper Glimmerwick Kettle',
      description: 'Whistles when the water boils.',
    });
    await add('teapot', { name: 'Glimmerwick Teapot', description: 'Porcelain, holds one litre.' });
    await add('mug', { name: 'Plain Mug', description: 'Goes well with any glimmerwick.' });
    await add('other', {
      name: 'Stainless Kettle',
      description: 'A kettle without the magic word.',
    });
    await add('archived', { name: 'Old Glimmerwick Jug', status: 'archived' });
  });

  it('finds products by words in name and description, name matches first', async () => {
    const page = await getPage(bed.app, '/api/offers', { q: 'glimmerwick', category });
    expect(new Set(ids(page.items))).toEqual(
      new Set([products.kettle!.id, products.teapot!.id, products.mug!.id]),
    );
    // The description-only match ranks below the two name matches.
    expect(page.items.at(-1)?.id).toBe(products.mug!.id);
    expect(page.nextCursor).toBeNull();
  });

  it('matches word forms (english stemming), all words, phrases and exclusions', async () => {
    const search = async (q: string) =>
      ids((await getPage(bed.app, '/api/offers', { q, category })).items).sort();
    expect(await search('glimmerwicks')).toEqual(
      [products.kettle!.id, products.teapot!.id, products.mug!.id].sort(),
    );
    expect(await search('glimmerwick kettle')).toEqual([products.kettle!.id]);
    expect(await search('"copper glimmerwick"')).toEqual([products.kettle!.id]);
    expect(await search('glimmerwick -kettle')).toEqual(
      [products.teapot!.id, products.mug!.id].sort(),
    );
    expect(await search('teapot or mug')).toEqual([products.teapot!.id, products.mug!.id].sort());
  });

  it('never shows archived products', async () => {
    const page = await getPage(bed.app, '/api/offers', { q: 'jug', category });
    expect(page.items).toEqual([]);
  });

  it('treats SQL and search-syntax metacharacters as plain text', async () => {
    const before = await countRows(bed.db, 'product');
    const hostile = [
      `'; DROP TABLE offer.product; --`,
      `glimmerwick'; DELETE FROM offer.product WHERE '1'='1`,
      '%',
      '_',
      '\\',
      "'",
      '"',
      '"unterminated',
      '!!!',
      '&|',
      '<-> :* & | ! ( )',
      'kettle:*',
      '$1',
      'null',
      'ᚠᛇᚻ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀',
    ];
    for (const q of hostile) {
      const res = await bed.app.request(`/api/offers?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
      const body = (await res.json()) as { items: OfferItem[] };
      expect(Array.isArray(body.items), q).toBe(true);
      // Wildcards are not wildcards: '%' and '_' match nothing.
      if (q === '%' || q === '_') expect(body.items).toEqual([]);
    }
    expect(await countRows(bed.db, 'product')).toBe(before);
    const kettle = await getPage(bed.app, '/api/offers', { q: 'kettle', category });
    expect(kettle.items.length).toBe(2);
  });

  it('answers 400, not 500, for text PostgreSQL cannot store', async () => {
    const res = await bed.app.request('/api/offers?q=kettle%00');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('treats blank search text as no search', async () => {
    const page = await getPage(bed.app, '/api/offers', { q: '   ', category });
    expect(page.items.length).toBe(4);
  });
});

describe('GET /api/offers filters and sorting', () => {
  let category: string;
  let products: Product[];

  beforeAll(async () => {
    category = await addCategory(bed.db, 'sort');
    const specs: Partial<NewProduct>[] = [
      { name: 'banana stand', priceAmount: 500, createdAt: minutesAgo(10) },
      { name: 'Apple Crate', priceAmount: 1500, createdAt: minutesAgo(20) },
      { name: 'cherry pitter', priceAmount: 500, createdAt: minutesAgo(10) },
      { name: 'Date Box', priceAmount: 0, createdAt: minutesAgo(5) },
      { name: 'apple crate', priceAmount: 2500, createdAt: minutesAgo(30) },
      { name: 'Elderflower Press', priceAmount: 1500, createdAt: minutesAgo(1) },
      { name: 'fig jar', priceAmount: 99_999, createdAt: minutesAgo(10) },
    ];
    products = [];
    for (const spec of specs) products.push(await addProduct(bed.db, { category, ...spec }));
    // Other categories' products must not leak into the filter.
    await addProduct(bed.db, { category: await addCategory(bed.db, 'noise'), priceAmount: 700 });
  });

  for (const sort of ['newest', 'price_asc', 'price_desc', 'name'] as const) {
    it(`sorts by ${sort} with ties broken by id`, async () => {
      const page = await getPage(bed.app, '/api/offers', { category, sort, limit: 100 });
      expect(ids(page.items)).toEqual(ids([...products].sort(compareBy(sort))));
    });
  }

  it('sorts newest first by default', async () => {
    const page = await getPage(bed.app, '/api/offers', { category, limit: 100 });
    expect(ids(page.items)).toEqual(ids([...products].sort(compareBy('newest'))));
  });

  it('filters by category and by an inclusive price range in cents', async () => {
    const page = await getPage(bed.app, '/api/offers', {
      category,
      minPrice: 500,
      maxPrice: 1500,
      sort: 'price_asc',
    });
    expect(page.items.map((item) => item.priceAmount)).toEqual([500, 500, 1500, 1500]);
    expect(page.items.every((item) => item.category === category)).toBe(true);
    const free = await getPage(bed.app, '/api/offers', { category, maxPrice: 0 });
    expect(free.items.map((item) => item.name)).toEqual(['Date Box']);
  });

  it('an unknown category lists nothing', async () => {
    const page = await getPage(bed.app, '/api/offers', { category: 'no-such-category' });
    expect(page).toEqual({ items: [], nextCursor: null });
  });

  it('refuses invalid parameters with a problem', async () => {
    for (const query of [
      'limit=0',
      'limit=101',
      'limit=abc',
      'minPrice=-1',
      'maxPrice=1.5',
      'minPrice=900&maxPrice=100',
      'sort=cheapest',
      'sort=relevance',
      'category=Not%20A%20Slug',
      `q=${'x'.repeat(201)}`,
      'limit=1&limit=2',
    ]) {
      const res = await bed.app.request(`/api/offers?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const body = (await res.json()) as { errors?: unknown[] };
      expect(body.errors?.length, query).toBeGreaterThan(0);
    }
  });

  for (const sort of ['newest', 'price_asc', 'price_desc', 'name'] as const) {
    it(`pages through ${sort} visiting every product exactly once`, async () => {
      const { items, pages } = await getAllPages(bed.app, '/api/offers', {
        category,
        sort,
        limit: 2,
      });
      expect(pages).toBe(4);
      expect(ids(items)).toEqual(ids([...products].sort(compareBy(sort))));
    });
  }

  it('pages through relevance ties visiting every match exactly once', async () => {
    const tieCategory = await addCategory(bed.db, 'ties');
    const expected = new Set<string>();
    for (let i = 0; i < 7; i++) {
      const product = await addProduct(bed.db, {
        category: tieCategory,
        // Same text for most of them, so their ranks tie and the id decides.
        name: i % 3 === 0 ? 'Quillfeather Quillfeather Pen' : 'Quillfeather Pen',
        description: 'Writes smoothly.',
      });
      expected.add(product.id);
    }
    const { items } = await getAllPages(bed.app, '/api/offers', {
      q: 'quillfeather',
      category: tieCategory,
      limit: 2,
    });
    expect(ids(items).length).toBe(7);
    expect(new Set(ids(items))).toEqual(expected);
    expect(
      items.slice(0, 3).every((item) => item.name.startsWith('Quillfeather Quillfeather')),
    ).toBe(true);
  });

  it('refuses a cursor from another sort, filter or garbage with 400', async () => {
    const first = await getPage(bed.app, '/api/offers', { category, sort: 'price_asc', limit: 2 });
    const cursor = first.nextCursor!;
    expect(cursor).toBeTruthy();
    const at = 20;
    const tampered = `${cursor.slice(0, at)}${cursor[at] === 'A' ? 'B' : 'A'}${cursor.slice(at + 1)}`;
    const queries: Record<string, string>[] = [
      { category, sort: 'price_desc', cursor },
      { category, sort: 'newest', cursor },
      { category, sort: 'price_asc', minPrice: '1', cursor },
      { sort: 'price_asc', cursor },
      { category, sort: 'price_asc', cursor: tampered },
      { category, sort: 'price_asc', cursor: `${cursor}x` },
      { category, sort: 'price_asc', cursor: 'bm90IGEgY3Vyc29y' },
      { category, sort: 'price_asc', cursor: "'; DROP TABLE offer.product; --" },
    ];
    for (const query of queries) {
      const res = await bed.app.request(`/api/offers?${new URLSearchParams(query)}`);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
    // The same cursor with a different page size is fine.
    const next = await getPage(bed.app, '/api/offers', {
      category,
      sort: 'price_asc',
      limit: 5,
      cursor,
    });
    expect(next.items.length).toBe(5);
  });

  it('answers 400 to a forged cursor of year 0000 or holding a lone surrogate', async () => {
    const forged = (listing: Listing, k: unknown) =>
      Buffer.from(
        JSON.stringify({ v: 1, f: fingerprintListing(listing), k, i: crypto.randomUUID() }),
      ).toString('base64url');
    const queries: Record<string, string>[] = [
      { cursor: forged({ scope: 'public', sort: 'newest' }, '0000-01-01T00:00:00.000000Z') },
      { sort: 'name', cursor: forged({ scope: 'public', sort: 'name' }, 'a\ud800') },
      { cursor: '\u0000' },
    ];
    for (const query of queries) {
      const res = await bed.app.request(`/api/offers?${new URLSearchParams(query)}`);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('refuses a staff cursor on the public listing', async () => {
    const res = await bed.app.request(`/api/admin/offers?category=${category}&limit=1`);
    const { nextCursor } = (await res.json()) as { nextCursor: string };
    const reused = await bed.app.request(`/api/offers?category=${category}&cursor=${nextCursor}`);
    expect(reused.status).toBe(400);
  });
});

describe('GET /api/offers pagination under concurrent inserts', () => {
  type Sort = 'newest' | 'price_asc' | 'price_desc' | 'name' | 'relevance';
  interface Scenario {
    original: (i: number) => Partial<NewProduct>;
    /** A product that sorts before everything already paged past. */
    behind: () => Partial<NewProduct>;
    /** A product with the same sort key as the last one seen. */
    same: (last: OfferItem) => Partial<NewProduct>;
    /** A product that sorts after everything still to come. */
    ahead: () => Partial<NewProduct>;
  }
  const scenarios: Record<Sort, Scenario> = {
    newest: {
      original: (i) => ({ createdAt: minutesAgo(100 + (i % 4) * 10) }),
      behind: () => ({ createdAt: minutesAgo(-60) }),
      same: (last) => ({ createdAt: new Date(last.createdAt) }),
      ahead: () => ({ createdAt: minutesAgo(10_000) }),
    },
    price_asc: {
      original: (i) => ({ priceAmount: 1000 + (i % 4) * 100 }),
      behind: () => ({ priceAmount: 1 }),
      same: (last) => ({ priceAmount: last.priceAmount }),
      ahead: () => ({ priceAmount: 1_000_000 }),
    },
    price_desc: {
      original: (i) => ({ priceAmount: 1000 + (i % 4) * 100 }),
      behind: () => ({ priceAmount: 1_000_000 }),
      same: (last) => ({ priceAmount: last.priceAmount }),
      ahead: () => ({ priceAmount: 1 }),
    },
    name: {
      original: (i) => ({ name: `Middle ${String.fromCharCode(97 + (i % 4))}` }),
      behind: () => ({ name: `Aardvark ${uniqueSlug('n')}` }),
      same: (last) => ({ name: last.name }),
      ahead: () => ({ name: `Zebra ${uniqueSlug('n')}` }),
    },
    relevance: {
      original: (i) => ({
        name: i % 2 === 0 ? 'Fernwhistle Lamp' : 'Fernwhistle Fernwhistle Lamp',
        description: 'Warm light.',
      }),
      behind: () => ({
        name: 'Fernwhistle Fernwhistle Fernwhistle Fernwhistle',
        description: 'fernwhistle fernwhistle',
      }),
      same: (last) => ({ name: last.name, description: String(last.description) }),
      ahead: () => ({ name: 'Plain Lamp', description: 'Not quite a fernwhistle.' }),
    },
  };

  for (const [sort, scenario] of Object.entries(scenarios) as [Sort, Scenario][]) {
    it(`${sort}: products inserted while paging never duplicate or skip existing ones`, async () => {
      const category = await addCategory(bed.db, `live-${sort.replace('_', '-')}`);
      const originals = new Set<string>();
      for (let i = 0; i < 12; i++) {
        originals.add((await addProduct(bed.db, { category, ...scenario.original(i) })).id);
      }
      const behind = new Set<string>();
      const ahead = new Set<string>();
      const params = {
        category,
        limit: 3,
        ...(sort === 'relevance' ? { q: 'fernwhistle' } : { sort }),
      };
      const { items } = await getAllPages(bed.app, '/api/offers', params, async (page) => {
        const last = page.items.at(-1);
        // Insert while the cursor is among the originals, so "ahead" is ahead of the cursor.
        if (!last || !page.nextCursor || !originals.has(last.id)) return;
        behind.add((await addProduct(bed.db, { category, ...scenario.behind() })).id);
        await addProduct(bed.db, { category, ...scenario.same(last) });
        ahead.add((await addProduct(bed.db, { category, ...scenario.ahead() })).id);
      });
      const seen = ids(items);
      expect(new Set(seen).size, 'no product twice').toBe(seen.length);
      for (const id of originals) expect(seen.filter((s) => s === id).length).toBe(1);
      for (const id of ahead) expect(seen, 'inserted ahead of the cursor').toContain(id);
      for (const id of behind) expect(seen, 'inserted behind the cursor').not.toContain(id);
      expect(ahead.size).toBeGreaterThanOrEqual(3);
    });
  }
});

describe('GET /api/offers/{idOrSlug}', () => {
  let category: string;
  let active: Product;
  let archived: Product;

  beforeAll(async () => {
    category = await addCategory(bed.db, 'detail');
    active = await addProduct(bed.db, { category, name: 'Detail Product' });
    archived = await addProduct(bed.db, { category, status: 'archived' });
  });

  it('finds an active product by id (any case) and by slug, with its version as ETag', async () => {
    for (const key of [active.id, active.id.toUpperCase(), active.slug]) {
      const res = await bed.app.request(`/api/offers/${key}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toBe('W/"1"');
      const body = (await res.json()) as OfferItem;
      expect(body).toMatchObject({
        id: active.id,
        slug: active.slug,
        name: 'Detail Product',
        priceAmount: 1000,
        currency: 'EUR',
        status: 'active',
        version: 1,
        createdAt: active.createdAt.toISOString(),
      });
      expect(body.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
  });

  it('answers 304 when If-None-Match names the current version', async () => {
    const res = await bed.app.request(`/api/offers/${active.slug}`, {
      headers: { 'if-none-match': 'W/"1"' },
    });
    expect(res.status).toBe(304);
    const stale = await bed.app.request(`/api/offers/${active.slug}`, {
      headers: { 'if-none-match': 'W/"0"' },
    });
    expect(stale.status).toBe(200);
  });

  it('hides archived products (404) by id and by slug', async () => {
    for (const key of [archived.id, archived.slug]) {
      const res = await bed.app.request(`/api/offers/${key}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('answers 404 problems for unknown or odd keys', async () => {
    for (const key of [
      'no-such-product',
      '0190a4b2-1111-7222-8333-444455556666',
      encodeURIComponent("x'; DROP TABLE offer.product; --"),
      'UPPER',
      '%25',
    ]) {
      const res = await bed.app.request(`/api/offers/${key}`);
      expect(res.status, key).toBe(404);
      const body = await res.text();
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(body).not.toMatch(/\bat .*\.(ts|js):\d+/);
    }
  });
});
