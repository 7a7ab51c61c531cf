// Browser tests of the back office: Debian's chromium (apt-get install chromium; CHROMIUM_PATH
// elsewhere) driven by Playwright, against `npm run dev` (the whole platform on embedded
// defaults, the back office on 4323, the storefront left out). The demo staff account's
// password is made up here and handed to the platform, so the tests can sign in.
import { randomBytes } from 'node:crypto';
import { defineConfig, devices } from '@playwright/test';

const baseURL = process.env.ADMIN_URL ?? 'http://127.0.0.1:4323';
// Given → a platform already running with this password may be reused; made up → a new one.
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
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: process.env.CI
    ? [['list'], ['json', { outputFile: 'test-results/report.json' }]]
    : 'list',
  use: {
    baseURL,
    trace: 'retain-on-failure',
    timezoneId: 'UTC',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      // Root (CI, containers) has no user namespace sandbox.
      args: ['--no-sandbox'],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
  webServer: {
    command: 'npm run dev',
    cwd: '../..',
    url: `${baseURL}/signin`,
    reuseExistingServer: reuse,
    timeout: 300_000,
    env: {
      DEV_PROMETHEUS: 'false',
      LOG_LEVEL: 'warn',
      STOREFRONT: 'false',
      LANDING: 'false',
      DEV_STAFF_EMAIL: process.env.DEV_STAFF_EMAIL,
      DEV_STAFF_PASSWORD: process.env.DEV_STAFF_PASSWORD,
      // Every browser of the suite signs in from 127.0.0.1, some forty times in a few minutes:
      // the production limit (20 a minute per address) would refuse the later ones.
      LOGIN_LIMIT_PER_IP_PER_MINUTE: '600',
      // Checkpoints every 2 s, so an entry's inclusion proof meets a signed checkpoint soon.
      AUDIT_CHECKPOINT_INTERVAL_MS: '2000',
    },
  },
});
