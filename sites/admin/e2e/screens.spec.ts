// The other screens at work: a flag turned off and on again (If-Match) with both changes in its
// history; a flag's rollout edited, a change scheduled and deleted, and the history's before →
// after; and a report downloaded as reporting's CSV.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { screenshot, signIn } from './steps.js';

test('the products list filters and pages on the server, forwards and back', async ({ page }) => {
  await signIn(page, '/products');
  const rows = page.getByRole('main').getByRole('table').locator('tbody tr');
  await page.getByLabel('Category').fill('books');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/category=books/);
  await expect(rows.first()).toBeVisible();
  expect(new Set(await rows.locator('td:nth-child(2)').allTextContents())).toEqual(
    new Set(['books']),
  );
  // The demo catalog has more than a page of 25.
  await page.getByLabel('Category').fill('');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(rows).toHaveCount(25);
  const first = (await rows.first().textContent()) ?? '';
  await page.getByRole('button', { name: 'Next page' }).click();
  await expect(page).toHaveURL(/cursor=/);
  await expect(rows.first()).not.toHaveText(first);
  await page.getByRole('button', { name: 'Previous page' }).click();
  await expect(rows.first()).toHaveText(first);
});

test('staff turn a flag off and on again and see both changes in its history', async ({
  page,
}, info) => {
  await signIn(page, '/flags');
  const row = page
    .getByRole('main')
    .getByRole('row')
    .filter({ has: page.locator('button.switch') })
    .first();
  const key = (await row.locator('th code').textContent()) ?? '';
  const button = row.locator('button.switch');
  const before = await button.getAttribute('aria-pressed');
  const flipped = before === 'true' ? 'false' : 'true';
  await button.click();
  await expect(button).toHaveAttribute('aria-pressed', flipped);
  await button.click();
  await expect(button).toHaveAttribute('aria-pressed', before ?? 'false');
  await row.getByRole('button', { name: `Details of ${key}` }).click();
  const history = page.getByRole('region', { name: `History of ${key} in dev` });
  const changes = history.locator('ul.diff code', { hasText: '/state' });
  await expect(changes.first()).toBeVisible();
  expect(await changes.count()).toBeGreaterThanOrEqual(2);
  await screenshot(page, info, 'history');
});

test("staff edit a flag's rollout, schedule a change and delete it, and see the history's diff", async ({
  page,
}, info) => {
  const key = 'landing-promo-banner';
  await signIn(page, '/flags');
  await page.getByRole('button', { name: `Details of ${key}` }).click();
  const detail = page.getByRole('region', { name: `${key} in every environment` });
  await expect(detail.getByRole('heading', { level: 2 })).toBeFocused();
  // Every environment side by side: the demo flags are in dev only, the others offer a copy.
  const table = detail.getByRole('table', { name: `${key} in every environment` });
  await expect(table.getByRole('columnheader')).toHaveText(['Value', 'dev', 'staging', 'prod']);
  await expect(table.getByRole('button', { name: 'Create in staging as in dev' })).toBeVisible();

  const percent = detail.getByLabel('Rollout in dev, percent');
  await percent.fill('40');
  await detail.getByRole('button', { name: 'Set the rollout (dev)' }).click();
  await expect(page.getByRole('status')).toContainText(`${key} in dev saved`);
  await expect(table).toContainText('40 % get on, the others off');
  // By keyboard: Enter in the field sets it.
  await percent.fill('25');
  await percent.press('Enter');
  await expect(table).toContainText('25 % get on, the others off');
  await expect(
    page
      .getByRole('main')
      .getByRole('row', { name: new RegExp(`^${key}`) })
      .first(),
  ).toContainText('25 %');
  const history = page.getByRole('region', { name: `History of ${key} in dev` });
  await expect(
    history
      .locator('ul.diff li', {
        has: page.locator('code', { hasText: /^\/targeting\/fractional\/0\/1$/ }),
      })
      .first(),
  ).toHaveText('/targeting/fractional/0/1: before: 40 → after: 25');
  await expect(
    history
      .locator('ul.diff li', { has: page.locator('code', { hasText: /^\/targeting$/ }) })
      .first(),
  ).toHaveText('/targeting: before: — → after: {"fractional":[["on",40],["off",60]]}');
  // Who (the verified staff subject) and when, with each change.
  const newest = history.getByRole('row').nth(1);
  await expect(newest.getByRole('cell').nth(2)).toHaveText(/^[0-9a-f]{8}-[0-9a-f-]{27}$/);
  await expect(newest.getByRole('cell').nth(1)).toHaveText(/\d{4}, \d{2}:\d{2}/);

  // A change in the past is refused next to its field; one tomorrow is listed, then deleted.
  const schedule = page.getByRole('region', { name: 'Scheduled changes in dev' });
  const when = schedule.getByLabel('When (your time zone, UTC)');
  await when.fill('2020-01-01T10:00');
  await schedule.getByLabel('Percentage').fill('75');
  await schedule.getByRole('button', { name: 'Schedule the change' }).click();
  await expect(when).toHaveAttribute('aria-invalid', 'true');
  await expect(when).toHaveAccessibleDescription('Pick a time in the future.');
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  await when.fill(`${tomorrow}T09:30`);
  await schedule.getByRole('button', { name: 'Schedule the change' }).click();
  await expect(page.getByRole('status')).toContainText('Scheduled for');
  const step = schedule.getByRole('row').filter({ hasText: 'rollout to 75 %' });
  await expect(step).toContainText('pending');
  await screenshot(page, info, 'flag-detail');
  await step.getByRole('button', { name: /^Delete\W+the change at / }).click();
  await expect(page.getByRole('status')).toContainText('is deleted');
  await expect(step).toContainText('cancelled');
  await expect(step.getByRole('button')).toHaveCount(0);
});

test('a report downloads as CSV with its header line', async ({ page }) => {
  await signIn(page, '/reports');
  await expect(page.getByRole('heading', { level: 1, name: 'Reports' })).toBeVisible();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^sales-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = readFileSync((await file.path()) ?? '', 'utf8');
  expect(text.split('\r\n')[0]).toBe(
    'period,currency,orders,revenue,averageOrderValue,refunds,refunded,netRevenue',
  );
});

test('signing out ends the session: the app and its API answer no more', async ({ page }) => {
  await signIn(page, '/products');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('status')).toHaveText('You are signed out.');
  await expect(page).toHaveURL(/\/signin$/);
  expect((await page.request.get('/api/admin/offers')).status()).toBe(401);
  await page.goto('/products');
  await expect(page).toHaveURL(/\/signin\?return=%2Fproducts$/);
});

test('staff create a product, archive it and bring it back', async ({ page }, info) => {
  await signIn(page, '/products');
  await page.getByRole('link', { name: 'New product' }).click();
  const name = `Enamel Mug ${Math.random().toString(36).slice(2, 8)}`;
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Category').fill('kitchen');
  await page.getByLabel('Price').fill('9,50');
  await page.getByLabel('Stock').fill('12');
  await page.getByLabel('Description').fill('Stackable, "dishwasher-safe", 0,3 l.');
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Edit ${name}` })).toBeVisible();
  await expect(page.getByLabel('Price')).toHaveValue('9.50');
  await expect(page.getByLabel('Description')).toHaveValue('Stackable, "dishwasher-safe", 0,3 l.');
  await page.getByRole('button', { name: 'Archive' }).click();
  await expect(page.getByText(/Version 2 · Archived/)).toBeVisible();
  await page.getByRole('button', { name: 'Unarchive' }).click();
  await expect(page.getByText(/Version 3 · Active/)).toBeVisible();
  await screenshot(page, info, 'created');
  // An unknown category is offer's 422, shown as it comes; nothing is created.
  await page.goto('/products/new');
  await page.getByLabel('Name').fill(`${name} 2`);
  await page.getByLabel('Category').fill('no-such-category');
  await page.getByLabel('Price').fill('1');
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('alert')).toContainText('There is no category "no-such-category"');
});
