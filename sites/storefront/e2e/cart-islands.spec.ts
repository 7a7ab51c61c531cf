// The cart's islands are an enhancement, never a requirement. With JavaScript (project
// 'javascript') adding a product and changing a quantity update the header count, the totals and
// the notice in place, without a navigation; without it ('no-javascript') the same forms post
// and come back (Post/Redirect/Get) with the same result.
import { expect, type Page, test } from '@playwright/test';
import { openFirstProduct, screenshot } from './steps.js';

/** Counts the main frame's navigations from now on (a form post and its redirect count). */
function countNavigations(page: Page): { count: number } {
  const navigations = { count: 0 };
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations.count++;
  });
  return navigations;
}

/** Minor units of an en-GB price ("€1,234.50" → 123450). */
function minorUnits(text: string | null): number {
  return Math.round(Number((text ?? '').replace(/[^\d.]/g, '')) * 100);
}

/** With JavaScript, waits until the header's island has hydrated (before that, forms post). */
async function islandsReady(page: Page, javascript: boolean): Promise<void> {
  if (javascript) await expect(page.locator('header astro-island[ssr]')).toHaveCount(0);
}

test('adds to the cart and changes a quantity, in place with JavaScript, by form posts without', async ({
  page,
}, info) => {
  const javascript = info.project.name === 'javascript';
  const count = page.locator('header [data-cart-count]');
  await page.goto('/c/kitchen');
  const productName = await openFirstProduct(page);
  await islandsReady(page, javascript);
  await expect(count).toHaveText('0');

  const productUrl = page.url();
  let navigations = countNavigations(page);
  await page.getByLabel('Quantity').fill('2');
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page.getByRole('status')).toHaveText('Added to your cart.');
  await expect(count).toHaveText('2');
  expect(page.url()).toBe(productUrl);
  // The post and its redirect back to the product page: two, as before the islands.
  if (javascript) expect(navigations.count).toBe(0);
  else expect(navigations.count).toBeGreaterThan(0);
  await screenshot(page, info, '01-added');

  await page.getByRole('link', { name: /^Cart/ }).click();
  await expect(page).toHaveURL(/\/cart$/);
  await page.waitForLoadState();
  await islandsReady(page, javascript);
  const row = page.getByRole('row', { name: productName });
  const lineTotal = row.locator('[data-line-total]');
  const total = page.getByTestId('total');
  const before = minorUnits(await lineTotal.textContent());
  expect(minorUnits(await total.textContent())).toBe(before);

  navigations = countNavigations(page);
  const quantity = page.getByLabel(`Quantity: ${productName}`);
  await quantity.fill('3');
  if (javascript) {
    // Changing the field is enough: it posts when it loses focus.
    await quantity.blur();
  } else {
    await row.getByRole('button', { name: 'Update' }).click();
  }
  await expect(page.getByRole('status')).toHaveText('Cart updated.');
  await expect(count).toHaveText('3');
  await expect.poll(async () => minorUnits(await lineTotal.textContent())).toBe((before / 2) * 3);
  expect(minorUnits(await total.textContent())).toBe((before / 2) * 3);
  await expect(quantity).toHaveValue('3');
  if (javascript) expect(navigations.count).toBe(0);
  else expect(navigations.count).toBeGreaterThan(0);
  await screenshot(page, info, '02-quantity-changed');
});

test('an add that gets no answer is never sent twice: the page shows the cart as it is', async ({
  page,
}, info) => {
  test.skip(info.project.name !== 'javascript', 'the fetch is JavaScript’s');
  // The island's request never reaches the shop; the island must not post the add again.
  await page.route('**/cart/add', (route) =>
    route.request().headers().accept === 'application/json' ? route.abort() : route.fallback(),
  );
  await page.goto('/c/kitchen');
  await openFirstProduct(page);
  await islandsReady(page, true);
  const count = page.locator('header [data-cart-count]');
  await expect(count).toHaveText('0');
  const navigations = countNavigations(page);
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect.poll(() => navigations.count).toBeGreaterThan(0);
  await islandsReady(page, true);
  await expect(count).toHaveText('0');
  await expect(page.getByRole('status')).not.toHaveText('Added to your cart.');
  // With the shop reachable again, one click adds once.
  await page.unroute('**/cart/add');
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(count).toHaveText('1');
});

test('an answer that is not the cart JSON sends the form the ordinary way', async ({
  page,
}, info) => {
  test.skip(info.project.name !== 'javascript', 'the fetch is JavaScript’s');
  // A proxy answers the island with its own error page; the browser's form post goes through.
  await page.route('**/cart/add', (route) =>
    route.request().headers().accept === 'application/json'
      ? route.fulfill({ status: 503, contentType: 'text/html', body: '<h1>Busy</h1>' })
      : route.fallback(),
  );
  await page.goto('/c/kitchen');
  await openFirstProduct(page);
  await islandsReady(page, true);
  const navigations = countNavigations(page);
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page.getByRole('status')).toHaveText('Added to your cart.');
  await expect(page.locator('header [data-cart-count]')).toHaveText('1');
  expect(navigations.count).toBeGreaterThan(0);
});
