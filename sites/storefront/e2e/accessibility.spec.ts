// axe on the storefront's pages: no serious or critical violation on any of them.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { openFirstProduct } from './steps.js';

const PAGES = [
  '/',
  '/c/kitchen',
  '/search?q=mug&sort=price_asc',
  '/cart',
  '/signin',
  '/signup',
  '/de',
  '/help',
  '/no-such-page',
];

for (const path of PAGES) {
  test(`${path} has no serious or critical accessibility violation`, async ({ page }) => {
    await page.goto(path);
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    expect(bad).toEqual([]);
  });
}

test('a product page has no serious or critical accessibility violation', async ({ page }) => {
  await page.goto('/c/kitchen');
  // The product page, loaded: axe must not run while the category page is going away.
  await openFirstProduct(page);
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => v.id)).toEqual([]);
});
