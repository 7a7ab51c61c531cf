// What the browser tests share: a screenshot of each step under e2e/screenshots (git-ignored),
// named by project, test and step.
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
