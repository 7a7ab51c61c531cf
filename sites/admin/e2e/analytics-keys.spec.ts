// Analytics write keys at work: an administrator makes a key for a new source, sees it once,
// and the ingest (Segment's API through the gateway) takes events with it; once revoked on the
// screen, the same key is refused.
import { expect, test } from '@playwright/test';
import { screenshot, signIn } from './steps.js';

const GATEWAY = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';

test('a new write key is shown once, is taken by the ingest, and is refused once revoked', async ({
  page,
  request,
}, info) => {
  await signIn(page, '/analytics-keys');
  const name = `newsletter-${crypto.randomUUID().slice(0, 8)}`;
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Site', { exact: true }).fill('https://news.shop.test');
  await page.getByRole('button', { name: 'Create the key' }).click();
  await expect(page.getByRole('heading', { name: `The write key of ${name}` })).toBeVisible();
  const key = (await page.getByTestId('write-key').textContent()) ?? '';
  expect(key.length).toBeGreaterThan(20);
  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText(`${key.slice(0, 4)}`);
  await expect(row).not.toContainText(key);
  await screenshot(page, info, 'created');

  const track = () =>
    request.post(`${GATEWAY}/api/analytics/v1/track`, {
      headers: { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` },
      data: { anonymousId: crypto.randomUUID(), event: 'Newsletter Opened', properties: {} },
    });
  expect((await track()).status()).toBe(200);

  page.once('dialog', (dialog) => dialog.accept());
  await row.getByRole('button', { name: `Revoke the key of ${name}` }).click();
  await expect(page.getByRole('status')).toHaveText(`The key of ${name} is revoked.`);
  await expect(row).toContainText('Revoked');
  await expect.poll(async () => (await track()).status(), { timeout: 10_000 }).toBe(401);
});
