// axe on every screen of the back office, English and German: no serious or critical
// violation. A screenshot of each screen goes to e2e/screenshots.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { placeOrder, screenshot, signIn } from './steps.js';

const SCREENS = [
  { path: '/', heading: 'Dashboard' },
  { path: '/products', heading: 'Products' },
  { path: '/products/import', heading: 'Import and export' },
  { path: '/orders', heading: 'Orders' },
  { path: '/customers', heading: 'Customers' },
  { path: '/reports', heading: 'Reports' },
  { path: '/flags', heading: 'Feature flags' },
  { path: '/links', heading: 'Affiliate links' },
  { path: '/analytics-keys', heading: 'Analytics keys' },
  { path: '/attribution', heading: 'Attribution' },
  { path: '/notifications', heading: 'Failed messages' },
  { path: '/audit', heading: 'Audit log' },
  { path: '/staff', heading: 'Staff & roles' },
  { path: '/de/audit', heading: 'Prüfprotokoll' },
  { path: '/de/products', heading: 'Produkte' },
  { path: '/de/products/import', heading: 'Import und Export' },
  { path: '/de/orders', heading: 'Bestellungen' },
];

const serious = async (page: import('@playwright/test').Page) =>
  (await new AxeBuilder({ page }).analyze()).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);

test('the sign-in and invitation pages have no serious or critical accessibility violation', async ({
  page,
}, info) => {
  await page.goto('/signin');
  expect(await serious(page)).toEqual([]);
  await screenshot(page, info, 'signin');
  await page.goto('/accept-invitation#token=from-the-mail');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Accept your invitation');
  expect(await serious(page)).toEqual([]);
  await screenshot(page, info, 'accept-invitation');
});

for (const screen of SCREENS) {
  test(`${screen.path} has no serious or critical accessibility violation`, async ({
    page,
  }, info) => {
    await signIn(page, screen.path);
    await expect(page.getByRole('heading', { level: 1, name: screen.heading })).toBeVisible();
    await expect(page.getByText(/^(Loading…|Wird geladen …)$/)).toHaveCount(0);
    expect(await serious(page)).toEqual([]);
    await screenshot(
      page,
      info,
      screen.path === '/' ? 'home' : screen.path.slice(1).replace(/\W+/g, '-'),
    );
  });
}

test('a product edit screen has no serious or critical accessibility violation', async ({
  page,
}, info) => {
  await signIn(page, '/products');
  await page.getByRole('main').getByRole('table').getByRole('link').first().click();
  await expect(page.getByRole('heading', { level: 1, name: /^Edit / })).toBeVisible();
  expect(await serious(page)).toEqual([]);
  await screenshot(page, info, 'product-edit');
});

test('an order detail screen has no serious or critical accessibility violation', async ({
  page,
  request,
}, info) => {
  const order = await placeOrder(request, { pay: true });
  await signIn(page, `/orders/${order.id}`);
  await expect(page.getByRole('heading', { level: 2, name: 'Refund' })).toBeVisible();
  expect(await serious(page)).toEqual([]);
  await screenshot(page, info, 'order-detail');
});

test('a link screen has no serious or critical accessibility violation', async ({ page }, info) => {
  await signIn(page, '/links');
  await page.getByRole('main').getByRole('table').getByRole('link').first().click();
  await expect(page.getByRole('heading', { level: 1, name: /^\/r\// })).toBeVisible();
  await expect(page.getByText(/^(Loading…|Wird geladen …)$/)).toHaveCount(0);
  expect(await serious(page)).toEqual([]);
  await screenshot(page, info, 'link');
});

test("a flag's details and the new link form with a rule and a split have no serious or critical accessibility violation", async ({
  page,
}, info) => {
  await signIn(page, '/flags');
  await page
    .getByRole('main')
    .getByRole('button', { name: /^Details of / })
    .first()
    .click();
  await expect(page.getByRole('heading', { level: 3, name: /^History of / })).toBeVisible();
  await expect(page.getByText(/^(Loading…|Wird geladen …)$/)).toHaveCount(0);
  expect(await serious(page)).toEqual([]);
  await screenshot(page, info, 'flag-detail');
  await page.goto('/de/links');
  await page.getByText('Neuer Link').click();
  await page.getByRole('button', { name: 'Regel hinzufügen' }).click();
  await page.getByRole('button', { name: 'Ziel hinzufügen' }).click();
  expect(await serious(page)).toEqual([]);
  await screenshot(page, info, 'link-form-de');
});
