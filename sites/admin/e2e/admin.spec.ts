// The back office's main stories in a browser: a staff member signs in, changes a price, finds
// the change in the audit log and verifies the log and the entry's inclusion proof; two people
// edit one product at once and the second one merges field by field; the proxy refuses calls
// that do not come from the app.
import { expect, type Page, test } from '@playwright/test';
import { openProduct, screenshot, signIn } from './steps.js';

const nav = (page: Page) => page.getByRole('navigation', { name: 'Screens' });
/** A price not seen before in this platform's life, as typed (and its minor units). */
const freshPrice = () => {
  const minor = 3500 + Math.floor(Math.random() * 4000);
  return { minor, text: `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}` };
};

test('staff sign in, change a price, see it in the audit log and verify the log', async ({
  page,
}, info) => {
  await signIn(page);
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await expect(page.getByRole('figure', { name: 'Revenue, last 30 days' })).toBeVisible();
  await screenshot(page, info, '1-dashboard');

  await openProduct(page, 'Stovetop Espresso Maker');
  const productId = page.url().split('/products/')[1] ?? '';
  const price = freshPrice();
  await page.getByLabel('Price').fill(price.text);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await expect(page.getByLabel('Price')).toHaveValue(price.text);
  await screenshot(page, info, '2-price-changed');

  await nav(page).getByRole('link', { name: 'Audit log' }).click();
  await page.getByLabel('Action').fill('shop.offer.price_changed');
  await page.getByLabel('Target id').fill(productId);
  // The audit log gets the event through the broker: a moment after the save.
  const entry = page
    .locator('tr[data-action="shop.offer.price_changed"]')
    .filter({ hasText: String(price.minor) });
  await expect(async () => {
    await page.getByRole('button', { name: 'Filter' }).click();
    await entry.getByText('Details').click();
    await expect(entry).toContainText(`"amount": ${price.minor}`, { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await screenshot(page, info, '3-audit-entry');

  await page.getByRole('button', { name: 'Verify the log' }).click();
  await expect(page.locator('[data-verify]')).toHaveAttribute('data-verify', 'ok');
  // Checkpoints come every 2 s here: the entry's proof soon leads to a signed root.
  await expect(async () => {
    await page.getByRole('button', { name: 'Verify the log' }).click();
    await expect(page.locator('[data-verify]')).toHaveAttribute('data-verify', 'ok', {
      timeout: 2000,
    });
    await entry.getByRole('button', { name: /^Proof of #/ }).click();
    await expect(page.locator('[data-proof]')).toHaveAttribute('data-proof', 'match', {
      timeout: 1000,
    });
  }).toPass({ timeout: 30_000 });
  await screenshot(page, info, '4-audit-verified');
});

test('a concurrent edit in a second browser context produces the diff and a merge', async ({
  browser,
}, info) => {
  const ann = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  await signIn(ann);
  await signIn(bob);
  const name = 'Cast Iron Skillet 26 cm';
  await openProduct(ann, name);
  await openProduct(bob, name);
  const suffix = Math.random().toString(36).slice(2, 8);

  // Ann saves first: a new description.
  await ann.getByLabel('Description').fill(`Pre-seasoned, ${suffix}.`);
  await ann.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(ann.getByRole('status')).toHaveText('Saved.');

  // Bob, on the version he loaded, changes the price and the stock: the save meets Ann's.
  const price = freshPrice();
  await bob.getByLabel('Price').fill(price.text);
  await bob.getByLabel('Stock').fill('77');
  await bob.getByRole('button', { name: 'Save', exact: true }).click();
  const conflict = bob.getByRole('region', { name: 'Someone else changed this product' });
  await expect(conflict).toBeVisible();
  const row = (field: string) => conflict.locator(`tr[data-field="${field}"]`);
  await expect(row('description').locator('.theirs')).toHaveText(`Pre-seasoned, ${suffix}.`);
  await expect(row('priceAmount').locator('.mine')).toContainText(price.text.replace('.', '.'));
  await expect(row('stock').locator('.mine')).toHaveText('77');
  // Only Ann changed the description: it starts as theirs; Bob's price and stock as his.
  await expect(row('description').getByLabel('Take theirs')).toBeChecked();
  await expect(row('priceAmount').getByLabel('Keep mine')).toBeChecked();
  // Bob takes Ann's stock after all and keeps his price.
  await row('stock').getByLabel('Take theirs').check();
  await screenshot(bob, info, '1-conflict');
  await conflict.getByRole('button', { name: 'Save the merge' }).click();
  await expect(bob.getByRole('status')).toHaveText('Saved.');

  // Both see the merge: Ann's description, Bob's price, the stock as Ann left it.
  await ann.reload();
  await expect(ann.getByLabel('Description')).toHaveValue(`Pre-seasoned, ${suffix}.`);
  await expect(ann.getByLabel('Price')).toHaveValue(price.text);
  await expect(ann.getByLabel('Stock')).not.toHaveValue('77');
  await screenshot(ann, info, '2-merged');
  await ann.context().close();
  await bob.context().close();
});

test('the proxy refuses calls that do not come from the app, and anyone signed out', async ({
  page,
  playwright,
}) => {
  await signIn(page);
  const list = await page.request.get('/api/admin/offers?limit=1');
  expect(list.status()).toBe(200);
  const [product] = ((await list.json()) as { items: { id: string; version: number }[] }).items;
  const target = `/api/admin/offers/${product?.id}/price`;
  const body = { amount: 1, currency: 'EUR' };
  // Without the session's CSRF header, or from another origin: 403, nothing changes.
  const noToken = await page.request.put(target, {
    data: body,
    headers: { 'if-match': `W/"${product?.version}"`, origin: 'http://127.0.0.1:4323' },
  });
  expect(noToken.status()).toBe(403);
  const foreign = await page.request.put(target, {
    data: body,
    headers: { origin: 'https://evil.example', 'x-csrf-token': 'guess' },
  });
  expect(foreign.status()).toBe(403);
  // With the token (as the island sends it): forwarded, and the gateway's answer comes back as
  // it is — a stale If-Match is offer's 412 with the current ETag; a body not JSON is a 415.
  const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
  const own = { origin: 'http://127.0.0.1:4323', 'x-csrf-token': csrf };
  const stale = await page.request.put(target, {
    data: body,
    headers: { ...own, 'if-match': 'W/"0"' },
  });
  expect(stale.status()).toBe(412);
  expect(stale.headers().etag).toBe(`W/"${product?.version}"`);
  const notJson = await page.request.put(target, {
    data: 'amount=1',
    headers: { ...own, 'content-type': 'text/plain', 'if-match': `W/"${product?.version}"` },
  });
  expect(notJson.status()).toBe(415);
  // A path outside the admin API is not forwarded.
  expect((await page.request.get('/api/auth/sessions')).status()).toBe(404);
  // Signed out: 401 problem+json, and pages send the browser to sign-in.
  const anonymous = await playwright.request.newContext({ baseURL: 'http://127.0.0.1:4323' });
  const refused = await anonymous.get('/api/admin/offers');
  expect(refused.status()).toBe(401);
  expect(refused.headers()['content-type']).toContain('application/problem+json');
  const after = await anonymous.get('/audit', { maxRedirects: 0 });
  expect(after.status()).toBe(303);
  expect(after.headers().location).toBe('/signin?return=%2Faudit');
  await anonymous.dispose();
});
