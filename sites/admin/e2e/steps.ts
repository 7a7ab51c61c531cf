// What the browser tests share: signing in as the demo staff member, and a screenshot of each
// step under e2e/screenshots (git-ignored), named by test and step.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type APIRequestContext,
  type APIResponse,
  expect,
  type Page,
  type TestInfo,
} from '@playwright/test';

const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

/** Saves a full-page screenshot of `page` as step `step` of the running test. */
export async function screenshot(page: Page, info: TestInfo, step: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const test = info.title
    .replace(/[^a-z0-9]+/gi, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
  await page.screenshot({ path: `${SCREENSHOTS}${test}--${step}.png`, fullPage: true });
}

/** Signs `page` in as the demo staff member (the platform was started with these). */
export async function signIn(page: Page, path = '/'): Promise<void> {
  await page.goto(`/signin?return=${encodeURIComponent(path)}`);
  await page.getByLabel('Email').fill(process.env.DEV_STAFF_EMAIL ?? 'staff@shop.test');
  await page.getByLabel('Password').fill(process.env.DEV_STAFF_PASSWORD ?? '');
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The menu, in either language.
  await expect(page.locator('nav.side-nav')).toBeVisible();
}

/** Opens the product named `name` from the products screen's search. */
export async function openProduct(page: Page, name: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Screens' })
    .getByRole('link', { name: 'Products' })
    .click();
  await page.getByLabel('Search products').fill(name);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { name: `Edit ${name}` })).toBeVisible();
}

const GATEWAY = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';
const PROVIDER = process.env.SIMULATOR_URL ?? 'http://127.0.0.1:8071';

/** An order a new shopper placed through the gateway's public API: its id and total. */
export interface PlacedOrder {
  id: string;
  total: { amount: number; currency: string };
  /** The shopper's email. */
  email: string;
}

/**
 * A shopper signs up, puts two of an in-stock product in the cart and checks out; with `pay`,
 * pays at the provider's page and waits until the webhook made the order paid.
 */
export async function placeOrder(
  request: APIRequestContext,
  options: { pay: boolean; clickId?: string },
): Promise<PlacedOrder> {
  const email = `orders-${crypto.randomUUID()}@example.com`;
  const password = 'correct horse battery staple 42';
  const json = async (res: APIResponse, status: number) => {
    expect(res.status(), await res.text()).toBe(status);
    return res.json();
  };
  await json(
    await request.post(`${GATEWAY}/api/auth/signup`, {
      data: { email, password, name: 'Grace Hopper', locale: 'en-GB', marketingConsent: true },
    }),
    201,
  );
  const { accessToken } = await json(
    await request.post(`${GATEWAY}/api/auth/login`, { data: { email, password } }),
    200,
  );
  const headers = { authorization: `Bearer ${accessToken}` };
  const offers = await json(await request.get(`${GATEWAY}/api/offers?limit=50`), 200);
  const product = (offers.items as { id: string; stock: number }[]).find((p) => p.stock >= 2);
  expect(product, 'an offer with stock').toBeDefined();
  await json(
    await request.post(`${GATEWAY}/api/cart/items`, {
      headers,
      data: { productId: product?.id, quantity: 2 },
    }),
    200,
  );
  const checkout = await json(
    await request.post(`${GATEWAY}/api/cart/checkout`, {
      headers: { ...headers, 'idempotency-key': crypto.randomUUID() },
      data: {
        shippingAddress: {
          name: 'Grace Hopper',
          line1: '1 Compiler Road',
          postalCode: '10115',
          city: 'Berlin',
          country: 'DE',
        },
        // The click of an affiliate's link the visit came from, as the storefront sends it.
        ...(options.clickId && { clickId: options.clickId }),
      },
    }),
    201,
  );
  const order: PlacedOrder = { id: checkout.order.id, total: checkout.order.total, email };
  if (options.pay) {
    const paid = await request.post(
      `${PROVIDER}/pay/${checkout.payment.providerPaymentId}/confirm`,
    );
    expect(paid.status()).toBe(200);
    await expect
      .poll(
        async () =>
          (
            await json(
              await request.get(`${GATEWAY}/api/cart/orders/${order.id}`, { headers }),
              200,
            )
          ).status,
        { timeout: 20_000 },
      )
      .toBe('paid');
  }
  return order;
}
