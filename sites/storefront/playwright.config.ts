// Browser tests of the storefront: Debian's chromium (apt-get install chromium; CHROMIUM_PATH
// elsewhere) driven by Playwright, against `npm run dev` (the whole platform on embedded
// defaults, the storefront on 4321), once with JavaScript and once without.
import { defineConfig, devices } from '@playwright/test';

const baseURL = process.env.STOREFRONT_URL ?? 'http://127.0.0.1:4321';

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
    // axe runs as a script in the page, so the accessibility spec runs with JavaScript only.
    {
      name: 'no-javascript',
      use: { ...devices['Desktop Chrome'], javaScriptEnabled: false },
      testIgnore: /accessibility\.spec\.ts/,
    },
  ],
  webServer: {
    command: 'npm run dev',
    cwd: '../..',
    url: `${baseURL}/robots.txt`,
    reuseExistingServer: !process.env.CI,
    timeout: 240_000,
    // Only what the shop needs: no landing pages, no back office.
    env: { DEV_PROMETHEUS: 'false', LOG_LEVEL: 'warn', LANDING: 'false', ADMIN: 'false' },
  },
});
