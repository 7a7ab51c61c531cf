// What the browser tests share: signing in as the demo staff member, and a screenshot of each
// step under e2e/screenshots (git-ignored), named by test and step.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, type Page, type TestInfo } from '@playwright/test';

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
