// What the browser tests share: a screenshot of each step under e2e/screenshots (git-ignored),
// named by project, test and step; the demo catalog's pictures drawn here when offline.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page, TestInfo } from '@playwright/test';

const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

/** Saves a full-page screenshot of `page` as step `n` of the running test. */
export async function screenshot(page: Page, info: TestInfo, step: string): Promise<void> {
  const folder = `${SCREENSHOTS}${info.project.name}`;
  mkdirSync(folder, { recursive: true });
  const test = info.title.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
  await page.screenshot({ path: `${folder}/${test}--${step}.png`, fullPage: true });
}

/**
 * The demo catalog's pictures are on picsum.photos, which CI and this machine cannot reach: the
 * page's requests for them are answered with a drawn stand-in (the product's name on a tint of
 * its own), so pages and screenshots look as a shopper's would. Nothing else is touched.
 */
export async function drawDemoPictures(page: Page): Promise<void> {
  await page.route('https://picsum.photos/**', async (route) => {
    // /seed/<slug>/<width>/<height>
    const [, , slug = 'product', width = '800', height = '800'] = new URL(
      route.request().url(),
    ).pathname.split('/');
    let hue = 0;
    for (const char of slug) hue = (hue * 31 + char.charCodeAt(0)) % 360;
    const label = slug.replaceAll('-', ' ').replace(/[<>&]/g, '');
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 800 800"><rect width="800" height="800" fill="hsl(${hue} 45% 82%)"/><circle cx="400" cy="340" r="170" fill="hsl(${hue} 40% 68%)"/><text x="400" y="640" font-family="sans-serif" font-size="44" text-anchor="middle" fill="hsl(${hue} 35% 25%)">${label}</text></svg>`;
    await route.fulfill({ status: 200, contentType: 'image/svg+xml', body: svg });
  });
}

/**
 * Opens the first product of the category page `page` shows and waits for the product page to
 * be the one loaded (a click only starts the navigation: until it ends, locators still find the
 * category page, its heading and its already hydrated header). Returns the product's name.
 */
export async function openFirstProduct(page: Page): Promise<string> {
  await page.getByRole('main').locator('.grid a').first().click();
  await page.waitForURL(/\/p\//);
  await page.getByTestId('price').waitFor();
  return ((await page.getByRole('heading', { level: 1 }).textContent()) ?? '').trim();
}
