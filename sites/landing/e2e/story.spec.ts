// The whole story of a visitor sent by an affiliate, with JavaScript and (in the no-javascript
// project) without: /r/summer-sale through the gateway → the campaign page → the storefront's
// outdoor range → a search → two products in the cart → an account made at checkout → the email
// verified from the dev mailbox → address, pay at the provider's page → the order turning paid →
// the account's orders. Then, as staff would see it: the sale is credited to the affiliate whose
// link started the visit, in attribution and in the affiliates report.
import { expect, type Page, test } from '@playwright/test';
import { screenshot } from './steps.js';

const GATEWAY = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';
const STOREFRONT = process.env.STOREFRONT_URL ?? 'http://127.0.0.1:4321';
const MAILBOX = process.env.DEV_MAILBOX_URL ?? 'http://127.0.0.1:8073';
const AFFILIATE = 'demo-affiliate';

/** Adds the product the page shows to the cart, and says so. */
async function addToCart(page: Page, quantity: number): Promise<string> {
  // The click on a product only starts the navigation: wait for the product page itself.
  await page.waitForURL(/\/p\//);
  await page.getByTestId('price').waitFor();
  const name = ((await page.getByRole('heading', { level: 1 }).textContent()) ?? '').trim();
  await page.getByLabel('Quantity').fill(String(quantity));
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page.getByRole('status')).toHaveText('Added to your cart.');
  return name;
}

test('a visitor from an affiliate link buys, verified and paid, and the affiliate is credited', async ({
  page,
  request,
}, info) => {
  test.setTimeout(180_000);
  const javascript = info.project.name === 'javascript';

  // 1. The affiliate's link, through the gateway, to the campaign page.
  await page.goto(`${GATEWAY}/r/summer-sale`);
  const clickId = new URL(page.url()).searchParams.get('shop_click') ?? '';
  expect(clickId).toMatch(/^[0-9a-f-]{36}$/);
  await screenshot(page, info, '01-landing');

  // 2. Into the storefront, the click id along; a search there.
  await page.getByRole('link', { name: 'Shop the outdoor range' }).click();
  await expect(page).toHaveURL(new RegExp(`^${STOREFRONT}/c/outdoor`));
  await screenshot(page, info, '02-outdoor');
  await page.getByRole('search').getByRole('searchbox').fill('tent');
  await page.getByRole('search').getByRole('searchbox').press('Enter');
  await expect(page).toHaveURL(/\/search\?/);
  await expect(page.getByRole('main').locator('.grid a').first()).toBeVisible();
  await screenshot(page, info, '03-search');

  // 3. Two products into the cart.
  await page.getByRole('main').locator('.grid a').first().click();
  const first = await addToCart(page, 1);
  await screenshot(page, info, '04-product');
  await page.goto(`${STOREFRONT}/c/kitchen`);
  await page.getByRole('main').locator('.grid a').first().click();
  const second = await addToCart(page, 2);
  await page.getByRole('link', { name: /^Cart/ }).click();
  for (const name of [first, second]) {
    await expect(page.getByRole('row', { name: new RegExp(name) })).toBeVisible();
  }
  await screenshot(page, info, '05-cart');

  // 4. An account, made at checkout.
  await page.getByRole('link', { name: 'Check out' }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.getByRole('link', { name: 'Create account' }).click();
  const email = `story-${info.project.name}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  await page.getByLabel('Name', { exact: true }).fill('Mary Somerville');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple 42');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/checkout$/);

  // 5. The welcome mail's link verifies the address (without JavaScript, its code is pasted).
  let link = '';
  await expect
    .poll(
      async () => {
        const mails = (await (await request.get(`${MAILBOX}/dev/mailbox.json`)).json()) as {
          to: string[];
          text: string;
        }[];
        const mail = mails.find((m) => m.to.includes(email));
        link = mail?.text.match(/https?:\/\/\S+\/account\/verify-email#token=[\w-]+/)?.[0] ?? '';
        return link;
      },
      { timeout: 20_000 },
    )
    .not.toBe('');
  await page.goto(link);
  if (!javascript) {
    await page.getByLabel('Code from the link').fill(new URL(link).hash.replace('#token=', ''));
  }
  await page.getByRole('button', { name: 'Confirm my email' }).click();
  await expect(page.getByText(`Thank you: ${email} is confirmed.`)).toBeVisible();
  await screenshot(page, info, '06-verified');

  // 6. Checkout: the address, then the provider's pay page.
  await page.goto(`${STOREFRONT}/checkout`);
  await expect(page.getByRole('main')).toContainText(`2 × ${second}`);
  await page.getByLabel('Name', { exact: true }).fill('Mary Somerville');
  await page.getByLabel('Street and number').fill('1 Mechanism Lane');
  await page.getByLabel('Postal code').fill('10117');
  await page.getByLabel('City').fill('Berlin');
  await screenshot(page, info, '07-checkout');
  await page.getByRole('button', { name: 'Order and pay' }).click();
  await expect(page.getByTestId('order-status')).toHaveText('Awaiting payment');
  const orderUrl = page.url();
  const orderId = orderUrl.match(/\/orders\/([0-9a-f-]{36})/)?.[1] ?? '';
  expect(orderId).not.toBe('');
  await page.getByRole('link', { name: 'Pay now at the payment provider' }).click();
  await page.getByRole('button', { name: /^Pay / }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Payment received');

  // 7. The confirmation turns paid when the webhook has landed; the account lists the order.
  await page.goto(orderUrl);
  await expect(page.getByTestId('order-status')).toHaveText('Paid');
  await screenshot(page, info, '08-paid');
  await page.getByRole('link', { name: 'Your orders' }).click();
  await expect(page.getByRole('cell', { name: 'Paid' }).first()).toBeVisible();
  await screenshot(page, info, '09-account-orders');

  // 8. Staff see the sale credited to the affiliate whose link the visit came from.
  const login = await request.post(`${GATEWAY}/api/auth/login`, {
    data: {
      email: process.env.DEV_STAFF_EMAIL ?? 'staff@shop.test',
      password: process.env.DEV_STAFF_PASSWORD,
    },
  });
  expect(login.status()).toBe(200);
  const headers = { authorization: `Bearer ${(await login.json()).accessToken}` };
  const staffOrder = await request.get(`${GATEWAY}/api/admin/orders/${orderId}`, { headers });
  expect(staffOrder.status()).toBe(200);
  const total = ((await staffOrder.json()) as { total: { amount: number } }).total.amount;
  let explained: {
    status?: string;
    revenue?: { amount: number };
    credits?: { affiliateId: string | null }[];
  } = {};
  await expect
    .poll(
      async () => {
        const res = await request.get(`${GATEWAY}/api/admin/attribution/orders/${orderId}`, {
          headers,
        });
        explained = res.ok() ? await res.json() : {};
        return explained.status ?? `HTTP ${res.status()}`;
      },
      { timeout: 30_000 },
    )
    .toBe('attributed');
  // The credited revenue is the order's own total, to the cent.
  expect(explained.revenue?.amount).toBe(total);
  expect(explained.credits?.map((c) => c.affiliateId)).toContain(AFFILIATE);

  const today = new Date().toISOString().slice(0, 10);
  await expect
    .poll(
      async () => {
        const res = await request.get(
          `${GATEWAY}/api/admin/reports/affiliates?from=${today}&to=${today}`,
          { headers },
        );
        const report = (await res.json()) as { rows: Record<string, unknown>[] };
        return report.rows?.some((row) => Object.values(row).includes(AFFILIATE)) ?? false;
      },
      { timeout: 30_000 },
    )
    .toBe(true);
});
