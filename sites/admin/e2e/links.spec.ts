// Affiliate links at work: marketing creates a link crediting an affiliate, /r/<code> through the
// gateway sends a visitor to its destination with the UTM parameters and a click id, the link's
// screen counts the click per day, and once disabled the link answers 410.
import { expect, test } from '@playwright/test';
import { screenshot, signIn } from './steps.js';

const GATEWAY = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';

test('staff create a link, a click on it is counted, and disabled it answers 410', async ({
  page,
  request,
}, info) => {
  const code = `spring-${crypto.randomUUID().slice(0, 8)}`;
  await signIn(page, '/links');
  await page.getByText('New link').click();
  await page.getByLabel('Code', { exact: true }).fill(code);
  await page.getByLabel('Destination', { exact: true }).fill('https://shop.example/spring');
  await page.getByLabel('Affiliate', { exact: true }).fill('blog-partner');
  await page.getByLabel('Campaign', { exact: true }).fill('spring');
  await page.getByLabel('utm_source', { exact: true }).fill('blog');
  await page.getByLabel('Redirect', { exact: true }).selectOption('301');
  await expect(page.getByText(/Browsers keep a 301/)).toBeVisible();
  await page.getByLabel('Redirect', { exact: true }).selectOption('302');
  await page.getByRole('button', { name: 'Create the link' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`/r/${code}`);
  await expect(page.getByRole('main')).toContainText('blog-partner');

  const visit = await request.get(`${GATEWAY}/r/${code}?ref=newsletter`, { maxRedirects: 0 });
  expect(visit.status()).toBe(302);
  const location = new URL(visit.headers().location ?? '');
  expect(`${location.origin}${location.pathname}`).toBe('https://shop.example/spring');
  expect(location.searchParams.get('utm_source')).toBe('blog');
  expect(location.searchParams.get('ref')).toBe('newsletter');

  // The click is recorded after the answer; the screen counts it.
  await expect(async () => {
    await page.reload();
    await expect(page.getByText(/^1 clicks by people/)).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await screenshot(page, info, 'link');

  await page.getByRole('button', { name: 'Disable' }).click();
  await expect(page.getByRole('status')).toHaveText(
    'The link is disabled; it answers 410 Gone now.',
  );
  await expect
    .poll(async () => (await request.get(`${GATEWAY}/r/${code}`, { maxRedirects: 0 })).status(), {
      timeout: 5000,
    })
    .toBe(410);
});
