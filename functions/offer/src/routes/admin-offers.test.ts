import { silentLogger } from '@shop/shared';
import { testVerifyToken } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import type { PriceChangedData } from '../domain/build-price-changed-event.js';
import {
  addCategory,
  addProduct,
  asStaff,
  countRows,
  createTestbed,
  getAllPages,
  getPage,
  type OfferItem,
  send,
  TEST_STAFF_ID,
  type Testbed,
  uniqueSlug,
} from '../testing/fixtures.js';

let bed: Testbed;
let category: string;
beforeAll(async () => {
  bed = await createTestbed();
  category = await addCategory(bed.db, 'admin');
});
afterAll(() => bed?.cleanup());

interface OutboxRow<Data = PriceChangedData> {
  type: string;
  subject: string;
  partition_key: string;
  data: Data;
  published_at: Date | null;
}

/** The product's price_changed events in the outbox, oldest first. */
async function eventsOf(productId: string): Promise<OutboxRow[]> {
  return (await allEventsOf(productId)).filter(
    (row): row is OutboxRow => row.type === 'shop.offer.price_changed',
  );
}

/** Every event of the product in the outbox, in the order the relay publishes them. */
async function allEventsOf(productId: string): Promise<OutboxRow<unknown>[]> {
  const { rows } = await bed.db.query<OutboxRow<unknown>>(
    `SELECT type, subject, partition_key, data, published_at FROM offer.outbox
     WHERE subject = $1 ORDER BY id`,
    [productId],
  );
  return rows;
}

function newOffer(overrides: Record<string, unknown> = {}) {
  const slug = uniqueSlug('offer');
  return {
    slug,
    name: `Offer ${slug}`,
    description: 'Made for a test.',
    category,
    priceAmount: 2500,
    currency: 'EUR',
    images: [`https://picsum.photos/seed/${slug}/800/800`],
    stock: 3,
    ...overrides,
  };
}

async function create(overrides: Record<string, unknown> = {}): Promise<OfferItem> {
  const res = await send(bed.app, 'POST', '/api/admin/offers', newOffer(overrides));
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as OfferItem;
}

async function expectProblem(res: Response, status: number): Promise<Record<string, unknown>> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(body.status).toBe(status);
  expect(body).not.toHaveProperty('stack');
  expect(text).not.toMatch(/\bat .*\.(ts|js):\d+/);
  return body;
}

describe('POST /api/admin/offers', () => {
  it('creates a product: 201, Location, ETag, and created + price_changed events from the actor', async () => {
    const input = newOffer({ name: 'Copper Pour-Over Kettle', slug: undefined });
    const res = await send(bed.app, 'POST', '/api/admin/offers', input, asStaff('staff-42'));
    expect(res.status).toBe(201);
    const body = (await res.json()) as OfferItem;
    expect(res.headers.get('location')).toBe(`/api/admin/offers/${body.id}`);
    expect(res.headers.get('etag')).toBe('W/"1"');
    expect(body).toMatchObject({
      slug: 'copper-pour-over-kettle',
      name: 'Copper Pour-Over Kettle',
      category,
      priceAmount: 2500,
      currency: 'EUR',
      stock: 3,
      status: 'active',
      version: 1,
    });
    expect(body.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(body.createdAt).toBe(body.updatedAt);

    const all = await allEventsOf(body.id);
    expect(all.map((event) => event.type)).toEqual([
      'shop.offer.created',
      'shop.offer.price_changed',
    ]);
    expect(all[0]).toEqual({
      type: 'shop.offer.created',
      subject: body.id,
      partition_key: body.id,
      published_at: null,
      data: {
        productId: body.id,
        slug: 'copper-pour-over-kettle',
        name: 'Copper Pour-Over Kettle',
        category,
        price: { amount: 2500, currency: 'EUR' },
        createdBy: 'staff-42',
        createdAt: body.createdAt,
      },
    });
    const events = await eventsOf(body.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'shop.offer.price_changed',
      subject: body.id,
      partition_key: body.id,
      published_at: null,
      data: {
        productId: body.id,
        slug: 'copper-pour-over-kettle',
        previousPrice: null,
        price: { amount: 2500, currency: 'EUR' },
        changedBy: 'staff-42',
        changedAt: body.createdAt,
      },
    });

    const publicView = await bed.app.request('/api/offers/copper-pour-over-kettle');
    expect(publicView.status).toBe(200);
  });

  it('defaults the currency to the catalog currency and stock to 0', async () => {
    const { currency: _currency, stock: _stock, ...input } = newOffer();
    const res = await send(bed.app, 'POST', '/api/admin/offers', input);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ currency: 'EUR', stock: 0 });
  });

  it('refuses bad input with 4xx problems and stores nothing', async () => {
    const productsBefore = await countRows(bed.db, 'product');
    const eventsBefore = await countRows(bed.db, 'outbox');
    const cases: [string, unknown, number][] = [
      ['unknown field', newOffer({ discount: 10 }), 400],
      ['price as string', newOffer({ priceAmount: '2500' }), 400],
      ['negative price', newOffer({ priceAmount: -1 }), 400],
      ['fractional price', newOffer({ priceAmount: 12.5 }), 400],
      ['huge price', newOffer({ priceAmount: 1e20 }), 400],
      ['price above MAX_UNIT_AMOUNT', newOffer({ priceAmount: 100_000_001 }), 400],
      ['negative stock', newOffer({ stock: -3 }), 400],
      ['stock too large', newOffer({ stock: 2 ** 31 }), 400],
      ['null name', newOffer({ name: null }), 400],
      ['blank name', newOffer({ name: '   ' }), 400],
      ['NUL in name', newOffer({ name: 'Bad\u0000Name' }), 400],
      ['lone surrogate in name', newOffer({ name: 'Bad\ud800Name' }), 400],
      ['control character in name', newOffer({ name: 'Bad\u001bName' }), 400],
      ['NUL in description', newOffer({ description: 'a\u0000b' }), 400],
      [
        'control character in an image',
        newOffer({ images: ['https://example.com/a\u0000.jpg'] }),
        400,
      ],
      ['lowercase currency', newOffer({ currency: 'eur' }), 400],
      ['http image', newOffer({ images: ['http://example.com/a.jpg'] }), 400],
      ['relative image', newOffer({ images: ['/img/a.jpg'] }), 400],
      ['javascript image', newOffer({ images: ['javascript:alert(1)'] }), 400],
      ['images not an array', newOffer({ images: 'https://example.com/a.jpg' }), 400],
      ['bad slug', newOffer({ slug: 'Not A Slug' }), 400],
      ['uuid slug', newOffer({ slug: '0190a4b2-1111-7222-8333-444455556666' }), 400],
      ['unsluggable name', newOffer({ slug: undefined, name: '!!!' }), 400],
      ['array body', [newOffer()], 400],
      ['empty object', {}, 400],
      ['malformed JSON', '{"name": ', 400],
      ['SQL in fields', newOffer({ category: "kitchen'; DROP TABLE offer.product; --" }), 400],
      ['unknown category', newOffer({ category: 'no-such-category' }), 422],
      ['other currency', newOffer({ currency: 'USD' }), 422],
    ];
    for (const [name, body, status] of cases) {
      const res = await send(bed.app, 'POST', '/api/admin/offers', body);
      const problem = await expectProblem(res, status);
      expect(problem.detail, name).toBeTruthy();
    }
    const textBody = await bed.app.request('/api/admin/offers', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...asStaff() },
      body: JSON.stringify(newOffer()),
    });
    await expectProblem(textBody, 415);
    expect(await countRows(bed.db, 'product')).toBe(productsBefore);
    expect(await countRows(bed.db, 'outbox')).toBe(eventsBefore);
  });

  it('names each invalid field', async () => {
    const res = await send(
      bed.app,
      'POST',
      '/api/admin/offers',
      newOffer({ priceAmount: -5, stock: 'x' }),
    );
    const problem = await expectProblem(res, 400);
    const names = (problem.errors as { name: string }[]).map((error) => error.name);
    expect(names).toEqual(expect.arrayContaining(['json.priceAmount', 'json.stock']));
  });

  it('answers 409 for a taken slug', async () => {
    const first = await create();
    const res = await send(bed.app, 'POST', '/api/admin/offers', newOffer({ slug: first.slug }));
    await expectProblem(res, 409);
  });

  it('answers 413 for a 10 MB body, streamed or with Content-Length', async () => {
    const before = await countRows(bed.db, 'product');
    const huge = JSON.stringify(newOffer({ description: 'x'.repeat(10 * 1024 * 1024) }));
    await expectProblem(await send(bed.app, 'POST', '/api/admin/offers', huge), 413);
    const withLength = await bed.app.request('/api/admin/offers', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': String(huge.length),
        ...asStaff(),
      },
      body: huge,
    });
    await expectProblem(withLength, 413);
    expect(await countRows(bed.db, 'product')).toBe(before);
  });
});

describe('If-Match on staff edits', () => {
  it('requires If-Match (428) and refuses a stale one (412 with the current version)', async () => {
    const offer = await create();
    const path = `/api/admin/offers/${offer.id}`;
    await expectProblem(await send(bed.app, 'PATCH', path, { stock: 9 }), 428);
    await expectProblem(await send(bed.app, 'PATCH', path, { stock: 9 }, { 'if-match': '*' }), 428);
    const ok = await send(bed.app, 'PATCH', path, { stock: 9 }, { 'if-match': 'W/"1"' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).toBe('W/"2"');
    const stale = await send(bed.app, 'PATCH', path, { stock: 10 }, { 'if-match': 'W/"1"' });
    const problem = await expectProblem(stale, 412);
    expect(problem.currentVersion).toBe(2);
    expect(stale.headers.get('etag')).toBe('W/"2"');
    for (const path2 of ['price', 'archive', 'unarchive']) {
      const method = path2 === 'price' ? 'PUT' : 'POST';
      const body = path2 === 'price' ? { amount: 1, currency: 'EUR' } : undefined;
      await expectProblem(await send(bed.app, method, `${path}/${path2}`, body), 428);
      await expectProblem(
        await send(bed.app, method, `${path}/${path2}`, body, { 'if-match': '"1"' }),
        412,
      );
    }
    const current = await send(bed.app, 'GET', path);
    expect(((await current.json()) as OfferItem).stock).toBe(9);
  });

  it('accepts strong, weak and listed entity tags', async () => {
    const offer = await create();
    const path = `/api/admin/offers/${offer.id}`;
    expect((await send(bed.app, 'PATCH', path, { stock: 1 }, { 'if-match': '"1"' })).status).toBe(
      200,
    );
    expect((await send(bed.app, 'PATCH', path, { stock: 2 }, { 'if-match': 'W/"2"' })).status).toBe(
      200,
    );
    const listed = await send(bed.app, 'PATCH', path, { stock: 3 }, { 'if-match': '"9", W/"3"' });
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as OfferItem).version).toBe(4);
  });

  it('refuses a price change above MAX_UNIT_AMOUNT with 400 and keeps the price', async () => {
    const offer = await create({ priceAmount: 1000 });
    const path = `/api/admin/offers/${offer.id}/price`;
    for (const amount of [100_000_001, 2 ** 53, 1e308]) {
      const res = await send(
        bed.app,
        'PUT',
        path,
        { amount, currency: 'EUR' },
        { 'if-match': 'W/"1"' },
      );
      await expectProblem(res, 400);
    }
    const read = await send(bed.app, 'GET', `/api/admin/offers/${offer.id}`);
    expect(((await read.json()) as OfferItem).priceAmount).toBe(1000);
  });

  it('lets exactly one of several concurrent price changes of one version win', async () => {
    const offer = await create({ priceAmount: 1000 });
    const attempts = [1100, 1200, 1300, 1400, 1500].map((amount) =>
      send(
        bed.app,
        'PUT',
        `/api/admin/offers/${offer.id}/price`,
        { amount, currency: 'EUR' },
        { 'if-match': 'W/"1"' },
      ),
    );
    const responses = await Promise.all(attempts);
    const statuses = responses.map((res) => res.status).sort();
    expect(statuses).toEqual([200, 412, 412, 412, 412]);
    const winner = responses.find((res) => res.status === 200)!;
    const won = (await winner.json()) as OfferItem;
    expect(won.version).toBe(2);

    const events = (await eventsOf(offer.id)).filter((event) => event.data.previousPrice !== null);
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({
      previousPrice: { amount: 1000, currency: 'EUR' },
      price: { amount: won.priceAmount, currency: 'EUR' },
    });
    const stored = (await (
      await send(bed.app, 'GET', `/api/admin/offers/${offer.id}`)
    ).json()) as OfferItem;
    expect(stored).toMatchObject({ version: 2, priceAmount: won.priceAmount });
  });

  it('lets exactly one of two concurrent edits of one version win', async () => {
    const offer = await create();
    const path = `/api/admin/offers/${offer.id}`;
    const [a, b] = await Promise.all([
      send(bed.app, 'PATCH', path, { name: 'Edit A' }, { 'if-match': 'W/"1"' }),
      send(bed.app, 'PATCH', path, { name: 'Edit B' }, { 'if-match': 'W/"1"' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 412]);
  });
});

describe('PATCH /api/admin/offers/{id}', () => {
  it('changes the given fields, bumps the version and updatedAt', async () => {
    const offer = await create();
    const other = await addCategory(bed.db, 'moved');
    const changes = {
      name: 'Renamed Offer',
      description: 'New text.',
      category: other,
      images: ['https://picsum.photos/seed/renamed/800/800', 'https://cdn.example.com/b.jpg'],
      stock: 0,
      slug: uniqueSlug('renamed'),
    };
    const res = await send(bed.app, 'PATCH', `/api/admin/offers/${offer.id}`, changes, {
      'if-match': 'W/"1"',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as OfferItem;
    expect(body).toMatchObject({ ...changes, version: 2, priceAmount: offer.priceAmount });
    expect(Date.parse(String(body.updatedAt))).toBeGreaterThanOrEqual(Date.parse(offer.createdAt));
    expect(body.createdAt).toBe(offer.createdAt);
    // An edit that is not a price change records no price event.
    expect(await eventsOf(offer.id)).toHaveLength(1);
  });

  it('records the edit (changed fields before/after) and the stock adjustment with the actor, for audit', async () => {
    const offer = await create({ stock: 3 });
    const res = await send(
      bed.app,
      'PATCH',
      `/api/admin/offers/${offer.id}`,
      {
        name: 'Audited name',
        description: 'Line one.\n\tLine two.',
        images: offer.images,
        stock: 9,
      },
      { 'if-match': 'W/"1"', ...asStaff('staff-9') },
    );
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as OfferItem;
    const recorded = (await allEventsOf(offer.id)).slice(2);
    expect(recorded.map((row) => [row.type, row.subject, row.partition_key])).toEqual([
      ['shop.offer.changed', offer.id, offer.id],
      ['shop.offer.stock_adjusted', offer.id, offer.id],
    ]);
    // Only what really changed: the unchanged images are not in it.
    expect(recorded[0]?.data).toEqual({
      productId: offer.id,
      slug: offer.slug,
      changedFields: ['name', 'description'],
      before: { name: offer.name, description: offer.description },
      after: { name: 'Audited name', description: 'Line one.\n\tLine two.' },
      changedBy: 'staff-9',
      changedAt: body.updatedAt,
    });
    expect(recorded[1]?.data).toEqual({
      productId: offer.id,
      slug: offer.slug,
      previousStock: 3,
      stock: 9,
      reason: 'correction',
      adjustedBy: 'staff-9',
      adjustedAt: body.updatedAt,
    });

    // A stock-only edit records only the adjustment; an edit that changes nothing records nothing.
    await send(
      bed.app,
      'PATCH',
      `/api/admin/offers/${offer.id}`,
      { stock: 4 },
      { 'if-match': 'W/"2"', ...asStaff('staff-10') },
    );
    await send(
      bed.app,
      'PATCH',
      `/api/admin/offers/${offer.id}`,
      { stock: 4, name: 'Audited name' },
      { 'if-match': 'W/"3"' },
    );
    const later = (await allEventsOf(offer.id)).slice(4);
    expect(later.map((row) => [row.type, row.data])).toEqual([
      [
        'shop.offer.stock_adjusted',
        expect.objectContaining({ previousStock: 9, stock: 4, adjustedBy: 'staff-10' }),
      ],
    ]);
  });

  it('keeps the version when the edit changes nothing', async () => {
    const offer = await create();
    const res = await send(
      bed.app,
      'PATCH',
      `/api/admin/offers/${offer.id}`,
      { name: offer.name, stock: offer.stock },
      { 'if-match': 'W/"1"' },
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as OfferItem).version).toBe(1);
  });

  it('refuses bad edits and changes nothing', async () => {
    const offer = await create();
    const taken = await create();
    const path = `/api/admin/offers/${offer.id}`;
    const cases: [unknown, number][] = [
      [{}, 400],
      [{ stock: -1 }, 400],
      [{ stock: '5' }, 400],
      [{ priceAmount: 1 }, 400],
      [{ status: 'archived' }, 400],
      [{ version: 7 }, 400],
      [{ images: ['ftp://example.com/a.jpg'] }, 400],
      [{ name: '' }, 400],
      [{ slug: taken.slug }, 409],
      [{ category: 'no-such-category' }, 422],
    ];
    for (const [body, status] of cases) {
      await expectProblem(
        await send(bed.app, 'PATCH', path, body, { 'if-match': 'W/"1"' }),
        status,
      );
    }
    const stored = (await (await send(bed.app, 'GET', path)).json()) as OfferItem;
    expect(stored).toEqual(offer);
  });

  it('answers 404 for an unknown product and 400 for a malformed id', async () => {
    const unknown = '0190a4b2-1111-7222-8333-444455556666';
    await expectProblem(
      await send(
        bed.app,
        'PATCH',
        `/api/admin/offers/${unknown}`,
        { stock: 1 },
        { 'if-match': '"1"' },
      ),
      404,
    );
    await expectProblem(await send(bed.app, 'GET', `/api/admin/offers/${unknown}`), 404);
    await expectProblem(await send(bed.app, 'GET', `/api/admin/offers/not-a-uuid`), 400);
    await expectProblem(
      await send(
        bed.app,
        'PATCH',
        "/api/admin/offers/1'%20OR%20'1'='1",
        { stock: 1 },
        { 'if-match': '"1"' },
      ),
      400,
    );
  });
});

describe('PUT /api/admin/offers/{id}/price', () => {
  it('changes the price and records the previous one, the actor and the time', async () => {
    const offer = await create({ priceAmount: 4999 });
    const res = await send(
      bed.app,
      'PUT',
      `/api/admin/offers/${offer.id}/price`,
      { amount: 3999, currency: 'EUR' },
      { 'if-match': 'W/"1"', ...asStaff('staff-7') },
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as OfferItem;
    expect(body).toMatchObject({ priceAmount: 3999, currency: 'EUR', version: 2 });
    const events = await eventsOf(offer.id);
    expect(events.map((event) => event.data.price.amount)).toEqual([4999, 3999]);
    expect(events[1]?.data).toEqual({
      productId: offer.id,
      slug: offer.slug,
      previousPrice: { amount: 4999, currency: 'EUR' },
      price: { amount: 3999, currency: 'EUR' },
      changedBy: 'staff-7',
      changedAt: body.updatedAt,
    });
  });

  it('records nothing and keeps the version when the price is the same', async () => {
    const offer = await create({ priceAmount: 1234 });
    const res = await send(
      bed.app,
      'PUT',
      `/api/admin/offers/${offer.id}/price`,
      { amount: 1234, currency: 'EUR' },
      { 'if-match': 'W/"1"' },
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as OfferItem).version).toBe(1);
    expect(await eventsOf(offer.id)).toHaveLength(1);
  });

  it('refuses invalid prices and changes nothing', async () => {
    const offer = await create({ priceAmount: 1000 });
    const path = `/api/admin/offers/${offer.id}/price`;
    const cases: [unknown, number][] = [
      [{ amount: -1, currency: 'EUR' }, 400],
      [{ amount: 10.5, currency: 'EUR' }, 400],
      [{ amount: '10', currency: 'EUR' }, 400],
      [{ amount: 10 }, 400],
      [{ amount: 10, currency: 'EURO' }, 400],
      [{ amount: 10, currency: 'EUR', note: 'sale' }, 400],
      [{ amount: 10, currency: 'GBP' }, 422],
    ];
    for (const [body, status] of cases) {
      await expectProblem(await send(bed.app, 'PUT', path, body, { 'if-match': 'W/"1"' }), status);
    }
    const stored = (await (
      await send(bed.app, 'GET', `/api/admin/offers/${offer.id}`)
    ).json()) as OfferItem;
    expect(stored).toMatchObject({ priceAmount: 1000, version: 1 });
    expect(await eventsOf(offer.id)).toHaveLength(1);
  });
});

describe('archive and unarchive', () => {
  it('hides an archived product from the public catalog but not from staff', async () => {
    const archiveCategory = await addCategory(bed.db, 'archive');
    const offer = await create({ category: archiveCategory });
    const kept = await create({ category: archiveCategory });
    const res = await send(bed.app, 'POST', `/api/admin/offers/${offer.id}/archive`, undefined, {
      'if-match': 'W/"1"',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'archived', version: 2 });

    expect((await bed.app.request(`/api/offers/${offer.slug}`)).status).toBe(404);
    expect((await bed.app.request(`/api/offers/${offer.id}`)).status).toBe(404);
    const publicPage = await getPage(bed.app, '/api/offers', { category: archiveCategory });
    expect(publicPage.items.map((item) => item.id)).toEqual([kept.id]);
    const categories = (await (await bed.app.request('/api/categories')).json()) as {
      items: { slug: string; productCount: number }[];
    };
    expect(categories.items.find((c) => c.slug === archiveCategory)?.productCount).toBe(1);

    const staff = await send(bed.app, 'GET', `/api/admin/offers/${offer.id}`);
    expect(staff.status).toBe(200);
    expect(staff.headers.get('etag')).toBe('W/"2"');
    const all = await getAllPages(bed.app, '/api/admin/offers', {
      category: archiveCategory,
      limit: 1,
    });
    expect(new Set(all.items.map((item) => item.id))).toEqual(new Set([offer.id, kept.id]));
    const archived = await getPage(bed.app, '/api/admin/offers', {
      category: archiveCategory,
      status: 'archived',
    });
    expect(archived.items.map((item) => item.id)).toEqual([offer.id]);

    // Archiving again changes nothing; unarchiving brings it back.
    const again = await send(bed.app, 'POST', `/api/admin/offers/${offer.id}/archive`, undefined, {
      'if-match': 'W/"2"',
    });
    expect(((await again.json()) as OfferItem).version).toBe(2);
    const back = await send(bed.app, 'POST', `/api/admin/offers/${offer.id}/unarchive`, undefined, {
      'if-match': 'W/"2"',
    });
    expect(await back.json()).toMatchObject({ status: 'active', version: 3 });
    expect((await bed.app.request(`/api/offers/${offer.slug}`)).status).toBe(200);
  });

  it('records archived and unarchived with the actor and time, and nothing when the status stays', async () => {
    const offer = await create();
    const path = (verb: string) => `/api/admin/offers/${offer.id}/${verb}`;
    const archived = await send(bed.app, 'POST', path('archive'), undefined, {
      'if-match': 'W/"1"',
      ...asStaff('staff-9'),
    });
    const archivedAt = ((await archived.json()) as OfferItem).updatedAt;
    await send(bed.app, 'POST', path('archive'), undefined, { 'if-match': 'W/"2"' });
    const back = await send(bed.app, 'POST', path('unarchive'), undefined, {
      'if-match': 'W/"2"',
    });
    const unarchivedAt = ((await back.json()) as OfferItem).updatedAt;
    await send(bed.app, 'POST', path('unarchive'), undefined, { 'if-match': 'W/"3"' });

    const events = (await allEventsOf(offer.id)).slice(2);
    expect(events).toEqual([
      {
        type: 'shop.offer.archived',
        subject: offer.id,
        partition_key: offer.id,
        published_at: null,
        data: { productId: offer.id, slug: offer.slug, archivedBy: 'staff-9', archivedAt },
      },
      {
        type: 'shop.offer.unarchived',
        subject: offer.id,
        partition_key: offer.id,
        published_at: null,
        data: {
          productId: offer.id,
          slug: offer.slug,
          unarchivedBy: TEST_STAFF_ID,
          unarchivedAt,
        },
      },
    ]);
  });

  it('lists staff products with search and refuses an unknown status', async () => {
    const searchCategory = await addCategory(bed.db, 'staff-search');
    await addProduct(bed.db, {
      category: searchCategory,
      name: 'Vantablur Lamp',
      status: 'archived',
    });
    const page = await getPage(bed.app, '/api/admin/offers', { q: 'vantablur' });
    expect(page.items.map((item) => item.name)).toEqual(['Vantablur Lamp']);
    await expectProblem(await send(bed.app, 'GET', '/api/admin/offers?status=deleted'), 400);
  });
});

describe('onEventsRecorded', () => {
  it('is called once per committed change that recorded events, and not for other requests', async () => {
    let calls = 0;
    const app = createApp({
      db: bed.db,
      log: silentLogger(),
      onEventsRecorded: () => calls++,
      verifyToken: testVerifyToken,
    });
    const res = await send(app, 'POST', '/api/admin/offers', newOffer());
    const offer = (await res.json()) as OfferItem;
    expect(calls).toBe(1);
    const price = `/api/admin/offers/${offer.id}/price`;
    await send(app, 'PUT', price, { amount: 1, currency: 'EUR' }, { 'if-match': 'W/"1"' });
    expect(calls).toBe(2);
    // Same price, a stale If-Match, a refused slug: no event, no call.
    await send(app, 'PUT', price, { amount: 1, currency: 'EUR' }, { 'if-match': 'W/"2"' });
    await send(app, 'PUT', price, { amount: 2, currency: 'EUR' }, { 'if-match': 'W/"1"' });
    await send(app, 'POST', '/api/admin/offers', newOffer({ slug: offer.slug }));
    expect(calls).toBe(2);
    // A name edit is recorded (shop.offer.changed), and so is archiving.
    await send(
      app,
      'PATCH',
      `/api/admin/offers/${offer.id}`,
      { name: 'N' },
      { 'if-match': 'W/"2"' },
    );
    expect(calls).toBe(3);
    await send(app, 'POST', `/api/admin/offers/${offer.id}/archive`, undefined, {
      'if-match': 'W/"3"',
    });
    expect(calls).toBe(4);
  });
});
