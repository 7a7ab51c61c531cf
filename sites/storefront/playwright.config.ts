// Browser tests of the storefront: Debian's chromium (apt-get install chromium; CHROMIUM_PATH
// elsewhere) driven by Playwright, against `npm run dev` (the whole platform on embedded
// defaults, the storefront on 4321), once with JavaScript and once without.
import { randomBytes } from 'node:crypto';
import { defineConfig, devices } from '@playwright/test';

const baseURL = process.env.STOREFRONT_URL ?? 'http://127.0.0.1:4321';
// The demo staff account's password, made up here and handed to the platform, so a test can
// change a price as staff do. Given → a platform already running with it may be reused.
const reuse = Boolean(process.env.DEV_STAFF_PASSWORD) && !process.env.CI;
// Set once in the runner's process, so its workers (which load this file again) see the same.
process.env.DEV_STAFF_PASSWORD ??= randomBytes(12).toString('base64url');
process.env.DEV_STAFF_EMAIL ??= 'staff@shop.test';

export default defineConfig({
  testDir: './e2e',
  // One platform for all tests, on a machine whose cores are shared: one worker.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: process.env.CI
    ? [['list'], ['json', { outputFile: 'test-results/report.json' }]]
    : 'list',
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      // Root (CI, containers) has no user namespace sandbox.
      args: ['--no-sandbox'],
    },
  },
  projects: [
    { name: 'javascript', use: { ...devices['Desktop Chrome'] } },
    // axe runs as a script in the page, so the accessibility spec runs with JavaScript only;
    {
      name: 'no-javascript',
      use: { ...devices['Desktop Chrome'], javaScriptEnabled: false },
      // Lighthouse runs a browser of its own, with JavaScript, once.
      testIgnore: /(accessibility|lighthouse)\.spec\.ts/,
    },
  ],
  webServer: {
    command: 'npm run dev',
    cwd: '../..',
    url: `${baseURL}/robots.txt`,
    reuseExistingServer: reuse,
    timeout: 240_000,
    // Only what the shop needs: no landing pages, no back office.
    env: {
      DEV_PROMETHEUS: 'false',
      LOG_LEVEL: 'warn',
      LANDING: 'false',
      ADMIN: 'false',
      DEV_STAFF_EMAIL: process.env.DEV_STAFF_EMAIL,
      DEV_STAFF_PASSWORD: process.env.DEV_STAFF_PASSWORD,
    },
  },
});
