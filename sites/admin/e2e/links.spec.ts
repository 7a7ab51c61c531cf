// Affiliate links at work: marketing creates a link crediting an affiliate, /r/<code> through the
// gateway sends a visitor to its destination with the UTM parameters and a click id, the link's
// screen counts the click per day, and once disabled the link answers 410; a link with a
// country rule, an A/B split and a password, redirect's refusal shown next to the field it names.
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

test('staff create a link with a country rule, an A/B split and a password, and see them on its screen', async ({
  page,
  request,
}, info) => {
  const code = `ab-${crypto.randomUUID().slice(0, 8)}`;
  await signIn(page, '/links');
  await page.getByText('New link').click();
  await page.getByLabel('Code', { exact: true }).fill(code);
  await page.getByLabel('Destination', { exact: true }).fill('https://shop.example/spring');
  await page.getByRole('button', { name: 'Add a rule' }).click();
  await expect(page.getByLabel('Countries of rule 1')).toBeFocused();
  await page.getByLabel('Countries of rule 1').fill('de, at');
  // Not https: redirect refuses it, naming the rule's field.
  const ruleDestination = page.getByLabel('Destination of rule 1');
  await ruleDestination.fill('http://shop.example/dach');
  await page.getByRole('button', { name: 'Add a destination' }).click();
  await page.getByRole('button', { name: 'Add a destination' }).click();
  await page.getByLabel('Destination of variant 1').fill('https://shop.example/a');
  await page.getByLabel('Weight of variant 1').fill('70');
  await page.getByLabel('Destination of variant 2').fill('https://shop.example/b');
  await page.getByLabel('Weight of variant 2').fill('30');
  // A third row, removed again: the others keep what was typed.
  await page.getByRole('button', { name: 'Add a destination' }).click();
  await page.getByRole('button', { name: 'Remove variant 3' }).click();
  await expect(page.getByLabel('Weight of variant 2')).toHaveValue('30');
  await page.getByLabel('Password (optional)').fill('correct horse 42');
  await page.getByRole('button', { name: 'Create the link' }).click();

  await expect(ruleDestination).toHaveAttribute('aria-invalid', 'true');
  await expect(ruleDestination).toBeFocused();
  await expect(page.locator('#link-error-rules-0-destinationUrl')).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('The link was not created');
  await screenshot(page, info, 'refused');
  await ruleDestination.fill('https://shop.example/dach');
  await page.getByRole('button', { name: 'Create the link' }).click();

  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`/r/${code}`);
  const main = page.getByRole('main');
  await expect(main).toContainText('Password protected');
  await expect(main).not.toContainText('correct horse 42');
  const rules = page.getByRole('region', { name: 'Rules' });
  await expect(rules.getByRole('row').nth(1)).toHaveText(
    /Countries: DE, AT\s*https:\/\/shop\.example\/dach/,
  );
  const split = page.getByRole('region', { name: 'A/B split' });
  await expect(split.getByRole('row').nth(1)).toContainText('https://shop.example/a');
  await expect(split.getByRole('row').nth(1)).toContainText('70 %');
  await expect(split.getByRole('row').nth(2)).toContainText('30 %');
  await screenshot(page, info, 'link');

  // The visitor meets the password form, not a redirect.
  const visit = await request.get(`${GATEWAY}/r/${code}`, { maxRedirects: 0 });
  expect(visit.headers().location).toBeUndefined();
  expect(await visit.text()).toContain('This link is protected');
});
