// Browser tests of the landing pages: Debian's chromium (apt-get install chromium; CHROMIUM_PATH
// elsewhere) driven by Playwright, against `npm run dev` (the whole platform on embedded
// defaults, the landing site on 4322, the storefront on 4321), once with JavaScript and once
// without.
import { randomBytes } from 'node:crypto';
import { defineConfig, devices } from '@playwright/test';

const baseURL = process.env.LANDING_URL ?? 'http://localhost:4322';
// The dev staff account's password (the spec toggles a flag as staff): made up here for the
// platform this config starts, and handed to the test workers through the environment.
process.env.DEV_STAFF_PASSWORD ??= randomBytes(12).toString('base64url');

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
    { name: 'no-javascript', use: { ...devices['Desktop Chrome'], javaScriptEnabled: false } },
  ],
  webServer: {
    command: 'npm run dev',
    cwd: '../..',
    url: `${baseURL}/robots.txt`,
    reuseExistingServer: !process.env.CI,
    timeout: 240_000,
    env: {
      DEV_PROMETHEUS: 'false',
      LOG_LEVEL: 'warn',
      ADMIN: 'false',
      DEV_STAFF_PASSWORD: process.env.DEV_STAFF_PASSWORD,
    },
  },
});
