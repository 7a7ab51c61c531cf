// Customers at work: support finds a shopper by email, sees the profile, the consent history
// and the order they just placed; on the shopper's request an administrator erases them, and the
// search finds them no more.
import { expect, test } from '@playwright/test';
import { placeOrder, screenshot, signIn } from './steps.js';

test('staff find a customer with their order, then erase them on request', async ({
  page,
  request,
}, info) => {
  const order = await placeOrder(request, { pay: false });
  await signIn(page, '/customers');
  await page.getByLabel('Email or name').fill(order.email);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: order.email }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Grace Hopper');
  await expect(
    page.getByRole('table', { name: 'Consent history' }).getByRole('row', { name: /At sign-up/ }),
  ).toContainText('Granted');
  const latest = page.getByRole('main').getByRole('link', { name: order.id.slice(-8) });
  await expect(latest).toBeVisible();
  await screenshot(page, info, 'customer');

  // The button alone is not enough: the form asks that the customer asked.
  await page.getByRole('button', { name: 'Erase' }).click();
  await expect(page.getByRole('status')).toHaveCount(0);
  await page.getByLabel('The customer asked for this erasure').check();
  await page.getByRole('button', { name: 'Erase' }).click();
  await expect(page.getByRole('status')).toHaveText('The customer’s personal data is erased.');

  await page.getByRole('link', { name: 'Back to the list' }).click();
  await page.getByLabel('Email or name').fill(order.email);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText('No customers match.')).toBeVisible();
});
