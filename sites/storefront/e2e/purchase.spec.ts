// A shopper buys with the mouse and keyboard — with JavaScript and, in the no-javascript
// project, without: category, product, add to cart, sign up at checkout, address, pay at the
// provider's page, the order page turning paid, the account's orders.
import { expect, test } from '@playwright/test';
import { drawDemoPictures, openFirstProduct, screenshot } from './steps.js';

test('buys a product from a category page to the paid order', async ({ page }, info) => {
  await drawDemoPictures(page);
  await page.goto('/');
  await screenshot(page, info, '01-home');
  await page.getByRole('main').getByRole('link', { name: 'Kitchen' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Kitchen');
  await screenshot(page, info, '02-category');

  const productName = await openFirstProduct(page);
  await expect(page.getByTestId('price')).toContainText('€');
  await screenshot(page, info, '03-product');
  await page.getByLabel('Quantity').fill('2');
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page.getByRole('status')).toHaveText('Added to your cart.');

  await page.getByRole('link', { name: /^Cart/ }).click();
  await expect(page.getByRole('row', { name: new RegExp(productName) })).toBeVisible();
  await screenshot(page, info, '04-cart');
  await page.getByRole('link', { name: 'Check out' }).click();

  // Not signed in: the sign-in page, then a new account; back at checkout with the cart.
  await expect(page).toHaveURL(/\/signin/);
  await page.getByRole('link', { name: 'Create account' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Ada Lovelace');
  await page
    .getByLabel('Email', { exact: true })
    .fill(`browser-${info.project.name}-${Date.now()}@example.com`);
  await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple 42');
  await screenshot(page, info, '05-sign-up');
  await page.getByRole('button', { name: 'Create account' }).click();

  await expect(page).toHaveURL(/\/checkout$/);
  await expect(page.getByRole('main')).toContainText(`2 × ${productName}`);
  await page.getByLabel('Name', { exact: true }).fill('Ada Lovelace');
  await page.getByLabel('Street and number').fill('12 Analytical Way');
  await page.getByLabel('Postal code').fill('10115');
  await page.getByLabel('City').fill('Berlin');
  await screenshot(page, info, '06-checkout');
  await page.getByRole('button', { name: 'Order and pay' }).click();

  await expect(page.getByTestId('order-status')).toHaveText('Awaiting payment');
  const orderUrl = page.url();
  await screenshot(page, info, '07-order-waiting');
  await page.getByRole('link', { name: 'Pay now at the payment provider' }).click();
  await screenshot(page, info, '08-provider');
  await page.getByRole('button', { name: /^Pay / }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Payment received');

  // The provider's page links back to the order (cart's PAYMENT_RETURN_URL), which refreshes
  // itself until the webhook has landed.
  await page.getByRole('link', { name: 'Back to the shop' }).click();
  await expect(page).toHaveURL(orderUrl);
  await expect(page.getByTestId('order-status')).toHaveText('Paid');
  await screenshot(page, info, '09-order-paid');

  await page.getByRole('link', { name: 'Your orders' }).click();
  await expect(page.getByRole('cell', { name: 'Paid' }).first()).toBeVisible();
  await screenshot(page, info, '10-account-orders');
});

test('switches to German and back, keeping the page', async ({ page }) => {
  await page.goto('/c/kitchen');
  await page.getByRole('link', { name: 'Deutsch' }).click();
  await expect(page).toHaveURL(/\/de\/c\/kitchen$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'de-DE');
  await expect(page.getByRole('button', { name: 'Anwenden' })).toBeVisible();
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page).toHaveURL(/\/c\/kitchen$/);
});
