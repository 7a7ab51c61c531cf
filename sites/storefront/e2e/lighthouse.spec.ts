// Lighthouse (pinned: lighthouse 12.2.3, its default mobile profile with simulated throttling)
// against Debian's chromium, on the site as it is deployed: the built server (`npm run build -w
// @shop/storefront` first; `.ci/run` builds before the browser tests) on a port of its own, on the
// platform `npm run dev` runs. Home, a category, a product and the cart: performance ≥ 0.9,
// accessibility 1, best practices ≥ 0.9, SEO 1 — the cart is `noindex` on purpose (no search
// engine should list a shopper's cart), so its one SEO audit allowed to fail is "is-crawlable".
// And the JavaScript the product page loads stays under 30 KB gzipped.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, expect, test } from '@playwright/test';
import lighthouse from 'lighthouse';

const SITE_DIR = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = `${SITE_DIR}dist/server/entry.mjs`;
const GATEWAY = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';
const JS_BUDGET_BYTES = 30 * 1024;

/** Scores a page must reach, per category. */
const GOALS = { performance: 0.9, accessibility: 1, 'best-practices': 0.9, seo: 1 } as const;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

let site: ChildProcess | undefined;
let origin = '';
let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
let debuggingPort = 0;
let productPath = '';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  expect(existsSync(ENTRY), `${ENTRY}: run npm run build -w @shop/storefront first`).toBe(true);
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  site = spawn(process.execPath, [ENTRY], {
    cwd: SITE_DIR,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_ORIGIN: origin,
      GATEWAY_URL: GATEWAY,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await expect
    .poll(async () => (await fetch(`${origin}/robots.txt`).catch(() => undefined))?.status, {
      timeout: 60_000,
    })
    .toBe(200);
  // A product of the demo catalog, from the category page.
  const category = await (await fetch(`${origin}/c/kitchen`)).text();
  productPath = /href="(\/p\/[^"]+)"/.exec(category)?.[1] ?? '';
  expect(productPath).not.toBe('');
  debuggingPort = await freePort();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', `--remote-debugging-port=${debuggingPort}`],
  });
});

test.afterAll(async () => {
  await browser?.close();
  site?.kill('SIGTERM');
});

async function audit(path: string) {
  const result = await lighthouse(`${origin}${path}`, {
    port: debuggingPort,
    output: 'json',
    logLevel: 'error',
    onlyCategories: Object.keys(GOALS),
  });
  if (!result) throw new Error(`Lighthouse gave no result for ${path}`);
  return result.lhr;
}

for (const [name, path, allowedToFail] of [
  ['home', () => '/', []],
  ['a category', () => '/c/kitchen', []],
  ['a product', () => productPath, []],
  ['the cart', () => '/cart', ['is-crawlable']],
] as const) {
  test(`Lighthouse scores ${name} at its goals`, async () => {
    test.setTimeout(240_000);
    const lhr = await audit(path());
    const scores = Object.fromEntries(
      Object.entries(lhr.categories).map(([id, category]) => [id, category.score ?? 0]),
    );
    // Performance under simulated throttling still moves with the machine's load (total
    // blocking time above all): as Lighthouse's own guidance on variability says, a score short
    // of its goal is measured twice more and the median of the three counts.
    if ((scores.performance ?? 0) < GOALS.performance) {
      const runs = [scores.performance ?? 0];
      for (let i = 0; i < 2; i++)
        runs.push((await audit(path())).categories.performance?.score ?? 0);
      runs.sort((a, b) => a - b);
      scores.performance = runs[1] ?? 0;
      test.info().annotations.push({ type: 'performance runs', description: JSON.stringify(runs) });
    }
    test.info().annotations.push({ type: 'scores', description: JSON.stringify(scores) });
    for (const [category, goal] of Object.entries(GOALS)) {
      const failing = (lhr.categories[category]?.auditRefs ?? [])
        .filter((ref) => ref.weight > 0 && (lhr.audits[ref.id]?.score ?? 1) < 1)
        .map((ref) => ref.id)
        .filter((id) => !(allowedToFail as readonly string[]).includes(id));
      if (category === 'performance') {
        expect(scores[category], `${category}: ${failing.join(', ')}`).toBeGreaterThanOrEqual(goal);
      } else if (goal === 1) {
        // A perfect score, but for the audits this page fails on purpose.
        expect(failing, category).toEqual([]);
      } else {
        expect(scores[category], `${category}: ${failing.join(', ')}`).toBeGreaterThanOrEqual(goal);
      }
    }
  });
}

test('the product page loads less than 30 KB of JavaScript, gzipped', async () => {
  const context = await browser!.newContext();
  const page = await context.newPage();
  const scripts: string[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() === 'script') scripts.push(response.url());
  });
  await page.goto(`${origin}${productPath}`, { waitUntil: 'networkidle' });
  let total = 0;
  for (const url of scripts) {
    total += gzipSync(Buffer.from(await (await fetch(url)).arrayBuffer()), { level: 9 }).length;
  }
  const inline = await page.$$eval('script:not([src])', (nodes) =>
    nodes.map((node) => node.textContent ?? '').join('\n'),
  );
  total += gzipSync(Buffer.from(inline), { level: 9 }).length;
  test.info().annotations.push({ type: 'product page JavaScript', description: `${total} B gzip` });
  expect(total).toBeLessThan(JS_BUDGET_BYTES);
  await context.close();
});
