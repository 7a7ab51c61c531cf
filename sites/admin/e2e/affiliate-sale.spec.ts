// The affiliate loop as staff see it: marketing makes a link for a new affiliate, a visitor comes
// through /r/<code> and buys (the click id goes with checkout, as the storefront sends it), the
// provider pays — and the back office shows the sale credited to that affiliate: in Attribution
// with the order's own total, and in the affiliates report.
import { expect, test } from '@playwright/test';
import { placeOrder, screenshot, signIn } from './steps.js';

const GATEWAY = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';

test("a sale through an affiliate's link shows in attribution and the affiliates report", async ({
  page,
  request,
}, info) => {
  test.setTimeout(120_000);
  const suffix = crypto.randomUUID().slice(0, 8);
  const code = `partner-${suffix}`;
  const affiliate = `partner-${suffix}`;
  await signIn(page, '/links');
  await page.getByText('New link').click();
  await page.getByLabel('Code', { exact: true }).fill(code);
  await page.getByLabel('Destination', { exact: true }).fill('https://shop.example/welcome');
  await page.getByLabel('Affiliate', { exact: true }).fill(affiliate);
  await page.getByLabel('Campaign', { exact: true }).fill('partners');
  await page.getByRole('button', { name: 'Create the link' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`/r/${code}`);

  // A visitor's click (a browser's user agent: a bot's click would credit no one).
  const visit = await request.get(`${GATEWAY}/r/${code}`, {
    maxRedirects: 0,
    headers: {
      'user-agent':
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
    },
  });
  expect(visit.status()).toBe(302);
  const clickId = new URL(visit.headers().location ?? '').searchParams.get('shop_click') ?? '';
  expect(clickId).toMatch(/^[0-9a-f-]{36}$/);
  const order = await placeOrder(request, { pay: true, clickId });

  // Attribution explains the order: credited to the affiliate, with the order's own total.
  await expect(async () => {
    await page.goto(`/attribution?order=${order.id}`);
    // The sale's own credits (the period's totals above list the affiliate too, once scored).
    const credits = page.getByRole('table', { name: 'Credited touchpoints' });
    await expect(credits.getByRole('row').filter({ hasText: affiliate })).toBeVisible({
      timeout: 2000,
    });
  }).toPass({ timeout: 40_000 });
  await expect(page.getByTestId('attribution-summary')).toBeVisible();
  const total = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2 }).format(
    order.total.amount / 100,
  );
  await expect(page.getByRole('main')).toContainText(total);
  await screenshot(page, info, 'attribution');

  // The affiliates report of the last 30 days lists the affiliate and its campaign.
  await page.goto('/reports');
  await page.getByLabel('Report', { exact: true }).selectOption('affiliates');
  await expect(async () => {
    await page.getByRole('button', { name: 'Show' }).click();
    await expect(page.getByRole('row').filter({ hasText: affiliate })).toBeVisible({
      timeout: 2000,
    });
  }).toPass({ timeout: 40_000 });
  const row = page.getByRole('row').filter({ hasText: affiliate });
  await expect(row).toContainText('partners');
  // Its revenue is money (the order's total), not a count of cents.
  await expect(row).toContainText(`€${total}`);
  await screenshot(page, info, 'affiliates-report');
});
