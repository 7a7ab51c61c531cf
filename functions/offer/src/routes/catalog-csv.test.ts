import { staffRoleHeaders } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogImportWorker, runImportChunk } from '../catalog-import.js';
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
  category = await addCategory(bed.db, 'csv');
});
afterAll(() => bed?.cleanup());

const exportCsv = async (headers: Record<string, string> = {}) => {
  const res = await send(bed.app, 'GET', '/api/admin/catalog/export', undefined, headers);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="catalog-/);
  // As the bytes are, byte order mark included (Response.text() would drop it).
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
};

const importCsv = (csv: string, dryRun: boolean, headers: Record<string, string> = {}) =>
  send(bed.app, 'POST', '/api/admin/catalog/imports', { csv, dryRun }, headers);

/** Applies every waiting job, as the worker of a running offer does. */
const runJobs = () =>
  createCatalogImportWorker({
    db: bed.db,
    log: { error: () => {} } as never,
    catalogCurrency: 'EUR',
    onEventsRecorded: () => {},
  }).kick();

// biome-ignore lint/suspicious/noExplicitAny: answers are checked by the expectations below
type Json = Record<string, any>;
const read = async (res: Response | Promise<Response>): Promise<Json> =>
  (await res).json() as Promise<Json>;

const outboxCount = async () =>
  Number((await bed.db.query<{ n: string }>('SELECT count(*) AS n FROM offer.outbox')).rows[0]?.n);

describe('catalog export and import', () => {
  it('round-trips quotes, commas, line breaks, unicode, formulas and minor units: nothing changes', async () => {
    const nasty = [
      { name: 'Caffè "Crema", 1 kg', description: 'Line one\nline two, "quoted"\r\nthree' },
      { name: '=HYPERLINK("https://evil.example","click")', description: '+49 30 123456' },
      { name: '-5% off today', description: "@home and 'quoted'" },
      { name: "'=already defused", description: "'plain apostrophe" },
      { name: 'Tee 🍵 mit Ümlaut — 日本', description: '' },
    ];
    const products = [];
    for (const [i, text] of nasty.entries()) {
      products.push(
        await addProduct(bed.db, {
          category,
          ...text,
          priceAmount: 1 + i * 99_999,
          stock: i,
          images: ['https://img.example/a.jpg', 'https://img.example/b.jpg?size=2'],
          status: i === 4 ? 'archived' : 'active',
        }),
      );
    }
    const csv = await exportCsv();
    expect(
      csv.startsWith(
        '\uFEFFslug,name,category,price_amount,currency,stock,status,description,images\r\n',
      ),
    ).toBe(true);
    // A spreadsheet never sees a formula: the cells start with an apostrophe.
    expect(csv).toContain(`"'=HYPERLINK(""https://evil.example"",""click"")"`);
    expect(csv).toContain(",'+49 30 123456");
    expect(csv).toContain(",'-5% off today,");
    expect(csv).toContain(",'@home and 'quoted'");
    expect(csv).toContain(",''=already defused,");

    const outboxBefore = await outboxCount();
    const preview = await importCsv(csv, true);
    expect(preview.status).toBe(200);
    const body = await read(preview);
    expect(body).toMatchObject({ create: 0, update: 0, invalid: 0, errors: [], changes: [] });
    expect(body.unchanged).toBe(body.rows);

    const started = await importCsv(csv, false);
    expect(started.status).toBe(202);
    const job = await read(started);
    expect(started.headers.get('location')).toBe(`/api/admin/catalog/imports/${job.id}`);
    await runJobs();
    const done = await read(send(bed.app, 'GET', `/api/admin/catalog/imports/${job.id}`));
    expect(done).toMatchObject({ status: 'done', created: 0, updated: 0, failed: 0 });
    expect(done.unchanged).toBe(done.totalRows);
    for (const product of products) {
      const res = await send(bed.app, 'GET', `/api/admin/offers/${product.id}`);
      const now = await read(res);
      expect(now).toMatchObject({
        name: product.name,
        description: product.description,
        priceAmount: product.priceAmount,
        stock: product.stock,
        images: product.images,
        status: product.status,
        version: product.version,
      });
    }
    expect(await outboxCount()).toBe(outboxBefore);
    // And the export of the imported catalog is the same file.
    expect(await exportCsv()).toBe(csv);
  });

  it('previews every row error by its line (quoted line breaks counted) and imports nothing while any is left', async () => {
    const existing = await addProduct(bed.db, { category, priceAmount: 500 });
    const fresh = uniqueSlug('new');
    const csv = [
      'slug,name,category,price_amount,stock,description',
      `${fresh},New one,${category},1299,3,`,
      `${existing.slug},A new name,${category},700,,"A description on
two lines"`,
      `bad-price,Bad,${category},12.99,1,`,
      `${uniqueSlug('cat')},Unknown category,no-such-category,100,1,`,
      `${fresh},Again,${category},100,1,`,
      `${uniqueSlug('noname')},,${category},100,1,`,
      `Not A Slug,X,${category},100,1,,extra`,
    ].join('\r\n');
    const res = await importCsv(csv, true);
    expect(res.status).toBe(200);
    const preview = await read(res);
    expect(preview).toMatchObject({ rows: 7, create: 1, update: 0, invalid: 6 });
    expect(preview.errors).toEqual([
      { line: 3, column: 'stock', reason: expect.stringMatching(/whole number/) },
      { line: 5, column: 'price_amount', reason: expect.stringMatching(/whole number/) },
      { line: 7, column: 'slug', reason: 'is on line 2 already' },
      { line: 8, column: 'name', reason: expect.stringMatching(/at least 1|>=1/) },
      { line: 9, reason: expect.stringMatching(/more cell/) },
      { line: 9, column: 'slug', reason: expect.any(String) },
      { line: 6, column: 'category', reason: 'is not a category of the catalog' },
    ]);

    const refused = await importCsv(csv, false);
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect((await read(refused)).preview.invalid).toBe(6);
    await runJobs();
    const after = await read(send(bed.app, 'GET', `/api/admin/offers/${existing.id}`));
    expect(after).toMatchObject({ priceAmount: 500, version: existing.version });
    expect((await send(bed.app, 'GET', `/api/offers/${fresh}`)).status).toBe(404);
  });

  it('refuses what is not a catalog file with 400 naming the line, storing nothing', async () => {
    const cases: [string, RegExp][] = [
      ['slug,colour\r\na,red', /Unknown column "colour"/],
      ['name,price_amount\r\nA,1', /needs a slug column/],
      ['slug,name,slug\r\na,b,c', /named twice/],
      ['slug,name\r\na,"never closed\r\n', /not valid CSV/],
    ];
    for (const [csv, message] of cases) {
      const res = await importCsv(csv, true);
      expect(res.status).toBe(400);
      expect((await read(res)).detail).toMatch(message);
    }
    expect((await importCsv('', true)).status).toBe(400);
    expect(
      (await send(bed.app, 'POST', '/api/admin/catalog/imports', { csv: 'slug\r\na', x: 1 }))
        .status,
    ).toBe(400);
  });

  it('lets marketing export but not import, and shoppers neither', async () => {
    const marketing = staffRoleHeaders('marketing');
    await exportCsv(marketing);
    const refused = await importCsv('slug,stock\r\nx,1', true, marketing);
    expect(refused.status).toBe(403);
    expect(await read(refused)).toMatchObject({ permission: 'catalog:write' });
    const anonymous = await bed.app.request('/api/admin/catalog/export', {
      headers: { authorization: 'Bearer nope' },
    });
    expect(anonymous.status).toBe(401);
  });

  it('applies a large file as a job in chunks, takes it up where it stopped, and a second run changes nothing', async () => {
    const rows = 10_000;
    const prefix = uniqueSlug('bulk');
    const lines = ['slug,name,category,price_amount,stock,description'];
    for (let i = 0; i < rows; i += 1) {
      lines.push(`${prefix}-${i},"Bulk, item ${i}",${category},${100 + i},${i % 7},"Row ${i}"`);
    }
    const csv = `${lines.join('\r\n')}\r\n`;
    const started = await importCsv(csv, false);
    expect(started.status).toBe(202);
    const job = await read(started);
    expect(job).toMatchObject({ status: 'pending', totalRows: rows, processedRows: 0 });

    // One chunk, as if the instance then stopped: the job shows its progress.
    const first = await runImportChunk(bed.db, { catalogCurrency: 'EUR', clock: () => new Date() });
    expect(first).toMatchObject({ jobId: job.id, applied: 250 });
    const midway = await (
      await send(bed.app, 'GET', `/api/admin/catalog/imports/${job.id}`)
    ).json();
    expect(midway).toMatchObject({ status: 'running', processedRows: 250, created: 250 });

    // Another instance's worker takes it up from there.
    await runJobs();
    const done = await read(send(bed.app, 'GET', `/api/admin/catalog/imports/${job.id}`));
    expect(done).toMatchObject({ status: 'done', processedRows: rows, created: rows, failed: 0 });
    const { rows: count } = await bed.db.query<{ n: string }>(
      'SELECT count(*) AS n FROM offer.product WHERE slug LIKE $1',
      [`${prefix}-%`],
    );
    expect(Number(count[0]?.n)).toBe(rows);
    const last = await read(send(bed.app, 'GET', `/api/offers/${prefix}-${rows - 1}`));
    expect(last).toMatchObject({ name: `Bulk, item ${rows - 1}`, priceAmount: 100 + rows - 1 });

    const again = await importCsv(csv, true);
    expect(await read(again)).toMatchObject({ rows, unchanged: rows, create: 0, update: 0 });
    const list = await read(send(bed.app, 'GET', '/api/admin/catalog/imports'));
    expect(list.items[0]).toMatchObject({ id: job.id, status: 'done' });
  }, 240_000);
});
