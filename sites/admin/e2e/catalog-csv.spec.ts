// The catalog as CSV in the browser: staff download every product, change a price and add a
// product in the file, see a dry run that names a bad row by its line, fix it, import, watch the
// job finish, and find the change on the product.
import { expect, test } from '@playwright/test';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { screenshot, signIn } from './steps.js';

test('staff export the catalog, check a changed file, import it and see the change', async ({
  page,
}, info) => {
  await signIn(page, '/products/import');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Import and export');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download all products as CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^catalog-\d{4}-\d{2}-\d{2}\.csv$/);
  const exported = (await download.createReadStream()).toArray();
  const text = Buffer.concat((await exported) as Buffer[]).toString('utf8');
  const [header, first] = parse(text, { bom: true }) as string[][];
  expect(header).toEqual([
    'slug',
    'name',
    'category',
    'price_amount',
    'currency',
    'stock',
    'status',
    'description',
    'images',
  ]);
  // The first product, one more in stock; and a new one.
  const [slug, name, category, price, , stock] = first ?? [];
  const newSlug = `csv-import-${Date.now()}`;
  const file = (newPrice: string) => ({
    name: 'catalog.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(
      stringify(
        [
          ['slug', 'name', 'category', 'price_amount', 'stock'],
          [slug, name, category, price, String(Number(stock) + 1)],
          [newSlug, 'Imported, with a comma', category, newPrice, '3'],
        ],
        { record_delimiter: 'windows' },
      ),
    ),
  });

  // A price with a decimal point: the dry run names the line and the column, nothing is written.
  await page.getByLabel('CSV file').setInputFiles(file('12.50'));
  await page.getByRole('button', { name: 'Check the file' }).click();
  await expect(page.getByTestId('import-preview')).toContainText('1 with errors');
  await expect(page.getByRole('table', { name: 'Rows with errors' })).toContainText(
    'line 3, price_amount',
  );
  await expect(page.getByRole('button', { name: /^Import/ })).toHaveCount(0);
  await screenshot(page, info, 'dry-run-errors');

  await page.getByLabel('CSV file').setInputFiles(file('1250'));
  await page.getByRole('button', { name: 'Check the file' }).click();
  await expect(page.getByTestId('import-preview')).toContainText(
    '2 rows: 1 new, 1 changed, 0 unchanged, 0 with errors.',
  );
  await page.getByRole('button', { name: 'Import 2 rows' }).click();
  await expect(page.getByTestId('import-job')).toHaveText(
    'Done: 1 created, 1 changed, 0 unchanged, 0 failed.',
  );
  await screenshot(page, info, 'imported');

  await page.goto('/products');
  await page.getByLabel('Search products').fill('Imported');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('link', { name: 'Imported, with a comma' })).toBeVisible();
});
