// How much JavaScript the first screen (the dashboard) loads, gzip-compressed as a server would
// send it: signs in on a running back office (the BUILT one: `astro dev` serves unbundled
// modules) in Debian's chromium and adds up every script the page fetched.
//
//   npm run build -w @shop/admin
//   PORT=4330 PUBLIC_ORIGIN=http://127.0.0.1:4330 node sites/admin/dist/server/entry.mjs &
//   ADMIN_URL=http://127.0.0.1:4330 DEV_STAFF_PASSWORD=… node sites/admin/scripts/first-screen-js.mjs
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';

const base = process.env.ADMIN_URL ?? 'http://127.0.0.1:4330';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
const page = await browser.newPage();
await page.goto(`${base}/signin`);
await page.getByLabel('Email').fill(process.env.DEV_STAFF_EMAIL ?? 'staff@shop.test');
await page.getByLabel('Password').fill(process.env.DEV_STAFF_PASSWORD ?? '');
const scripts = new Map();
page.on('response', async (response) => {
  if (response.request().resourceType() !== 'script') return;
  scripts.set(response.url(), gzipSync(await response.body(), { level: 9 }).length);
});
await page.getByRole('button', { name: 'Sign in' }).click();
await page.getByRole('figure').waitFor();
await page.waitForLoadState('networkidle');
let total = 0;
for (const [url, size] of [...scripts].sort((a, b) => b[1] - a[1])) {
  total += size;
  console.log(`${(size / 1024).toFixed(1).padStart(7)} KB  ${new URL(url).pathname}`);
}
console.log(`${(total / 1024).toFixed(1).padStart(7)} KB  in ${scripts.size} scripts (gzip -9)`);
await browser.close();
