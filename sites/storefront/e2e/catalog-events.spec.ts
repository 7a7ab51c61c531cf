// A price change reaches the shop's pages by the catalog's own event: staff change a price
// through the gateway (as the back office does), offer records shop.offer.price_changed, the
// broker's Trigger delivers it to the storefront's /events, and the product page a shopper
// reloads shows the new price — with JavaScript and without. How long it took is recorded as an
// annotation (the bench measures it; no timing decides this test).
import { type APIRequestContext, expect, test } from '@playwright/test';

const GATEWAY = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';

async function staffToken(request: APIRequestContext): Promise<string> {
  const res = await request.post(`${GATEWAY}/api/auth/login`, {
    data: { email: process.env.DEV_STAFF_EMAIL, password: process.env.DEV_STAFF_PASSWORD },
  });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

test('a new price shows on the product page once the catalog event arrives', async ({
  page,
  request,
}) => {
  const authorization = `Bearer ${await staffToken(request)}`;
  const created = await request.post(`${GATEWAY}/api/admin/offers`, {
    headers: { authorization },
    data: {
      name: `Event kettle ${crypto.randomUUID().slice(0, 8)}`,
      category: 'kitchen',
      priceAmount: 3100,
      stock: 5,
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  const product = (await created.json()) as { id: string; slug: string };
  const etag = created.headers().etag ?? '';

  await page.goto(`/p/${product.slug}`);
  const price = page.getByTestId('price');
  await expect(price).toHaveText('€31.00');

  const changed = await request.put(`${GATEWAY}/api/admin/offers/${product.id}/price`, {
    headers: { authorization, 'if-match': etag },
    data: { amount: 3750, currency: 'EUR' },
  });
  expect(changed.status(), await changed.text()).toBe(200);
  const started = Date.now();
  await expect
    .poll(
      async () => {
        await page.reload();
        return price.textContent();
      },
      { intervals: [50], timeout: 15_000 },
    )
    .toBe('€37.50');
  test.info().annotations.push({
    type: 'price shown after',
    description: `${Date.now() - started} ms (reloading every 50 ms)`,
  });
  // The structured data search engines read says the same.
  expect(await page.content()).toContain('"price":"37.50"');
});
