// Orders at work: support staff find a shopper's paid order in the list, refund part of it at
// the provider and see the order count it when the provider's webhook lands; an unpaid order is
// cancelled, and the screen then offers nothing more to do to it.
import { expect, test } from '@playwright/test';
import { placeOrder, screenshot, signIn } from './steps.js';

// As the screen shows ids: their last eight (random) hex digits.
const short = (id: string) => id.slice(-8);

test('staff refund part of a paid order and see the provider confirm it', async ({
  page,
  request,
}, info) => {
  const order = await placeOrder(request, { pay: true });
  await signIn(page, '/orders?status=paid');
  await page.getByRole('link', { name: short(order.id) }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Order ${short(order.id)}`);
  await expect(page.getByText(/Version \d+ · Paid/)).toBeVisible();
  const history = page.getByRole('table', { name: 'Status history' });
  await expect(history.getByRole('row')).toHaveCount(3);
  await screenshot(page, info, 'paid');

  await page.getByLabel('Amount').fill('1.00');
  await page.getByLabel('Reason').selectOption('requested_by_customer');
  await page.getByLabel('Note (optional)').last().fill('Dented box, "as agreed" on the phone.');
  await page.getByRole('button', { name: 'Refund', exact: true }).click();
  await expect(page.getByRole('status')).toHaveText(
    'The provider made the refund; the order counts it once the provider confirms it.',
  );
  const requests = page.getByRole('table', { name: 'Refund requests' });
  await expect(requests).toContainText('Made at the provider');
  await expect(requests).toContainText('as agreed');

  // The provider's refund webhook arrives through the gateway; the order counts it.
  await expect(async () => {
    await page.reload();
    await expect(page.getByText(/Version \d+ · Partly refunded/)).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await expect(
    page.getByRole('table', { name: 'Refunds confirmed by the provider' }),
  ).toContainText('Counted');
  const left = new Intl.NumberFormat('en-GB', {
    style: 'currency',
    currency: order.total.currency,
  }).format((order.total.amount - 100) / 100);
  await expect(page.getByText(/^Refundable now: /)).toHaveText(`Refundable now: ${left}`);
  await screenshot(page, info, 'partly-refunded');
});

test('staff cancel an unpaid order; its list shows it cancelled', async ({
  page,
  request,
}, info) => {
  const order = await placeOrder(request, { pay: false });
  await signIn(page, `/orders/${order.id}`);
  await expect(page.getByText(/Version \d+ · Awaiting payment/)).toBeVisible();
  await expect(page.getByRole('region', { name: 'Refund' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Cancel the order' }).click();
  await expect(page.getByRole('status')).toHaveText('The order is cancelled; its stock is back.');
  await expect(page.getByText(/Version \d+ · Cancelled/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Cancel the order' })).toHaveCount(0);
  await screenshot(page, info, 'cancelled');

  await page.getByRole('link', { name: 'Back to the list' }).click();
  await page.getByLabel('Status').selectOption('cancelled');
  await page.getByRole('button', { name: 'Filter', exact: true }).click();
  await expect(page).toHaveURL(/status=cancelled/);
  const row = page
    .getByRole('row')
    .filter({ has: page.getByRole('link', { name: short(order.id) }) });
  await expect(row).toContainText('Cancelled');
});
