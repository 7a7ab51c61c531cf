// Permissions per role, in the browser: for every staff role but the demo administrator's, the
// administrator invites someone with that role (Staff & roles), the invitation mail arrives in
// the dev mailbox, its link sets a password on /accept-invitation, and the new member signs in
// to a menu of exactly the role's screens — while the API, asked directly with their session,
// answers each screen's data only for the role's permissions and 403 otherwise.

import { expect, type Page, test } from '@playwright/test';
import { screenshot, signIn } from './steps.js';

const MAILBOX = process.env.DEV_MAILBOX_URL ?? 'http://127.0.0.1:8073';

// The menu of each role, as a person reads it (src/app/menu.test.ts has the same by id).
const MENUS: Record<Role, string[]> = {
  'catalog-manager': ['Dashboard', 'Products', 'Reports'],
  'order-support': ['Products', 'Orders', 'Customers', 'Notifications'],
  marketing: [
    'Dashboard',
    'Products',
    'Reports',
    'Feature flags',
    'Affiliate links',
    'Attribution',
    'Analytics keys',
  ],
  analyst: [
    'Dashboard',
    'Products',
    'Orders',
    'Reports',
    'Feature flags',
    'Affiliate links',
    'Attribution',
    'Analytics keys',
  ],
  auditor: ['Dashboard', 'Reports', 'Audit log', 'Staff & roles'],
};

type Role = 'catalog-manager' | 'order-support' | 'marketing' | 'analyst' | 'auditor';

// A read of each screen's data through the site's proxy.
const READS = [
  '/api/admin/offers',
  '/api/admin/orders',
  '/api/admin/users',
  '/api/admin/links',
  '/api/admin/analytics/sources',
  '/api/admin/flags',
  '/api/admin/notifications?status=failed',
  '/api/admin/audit',
  '/api/admin/staff',
] as const;

// The reads each role's permissions allow (STAFF_ROLES in @shop/shared/permissions), written
// out by hand: every other read of READS must be the function's 403.
const ALLOWED: Record<Role, (typeof READS)[number][]> = {
  'catalog-manager': ['/api/admin/offers'],
  'order-support': [
    '/api/admin/offers',
    '/api/admin/orders',
    '/api/admin/users',
    '/api/admin/notifications?status=failed',
  ],
  marketing: [
    '/api/admin/offers',
    '/api/admin/links',
    '/api/admin/analytics/sources',
    '/api/admin/flags',
  ],
  analyst: [
    '/api/admin/offers',
    '/api/admin/orders',
    '/api/admin/links',
    '/api/admin/analytics/sources',
    '/api/admin/flags',
  ],
  auditor: ['/api/admin/audit', '/api/admin/staff'],
};

const menuOf = (page: Page) =>
  page.getByRole('navigation', { name: 'Screens' }).getByRole('link').allTextContents();

for (const role of Object.keys(MENUS) as Role[]) {
  test(`a new ${role} sees exactly the role's screens, and the API refuses the rest`, async ({
    page,
    browser,
    request,
  }, info) => {
    const email = `${role}-${crypto.randomUUID().slice(0, 8)}@shop.test`;
    await signIn(page, '/staff');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Name', { exact: true }).fill(`New ${role}`);
    await page
      .getByRole('group', { name: 'Roles' })
      .getByRole('checkbox', { name: new RegExp(`^${roleLabel(role)}`) })
      .check();
    await page.getByRole('button', { name: 'Send the invitation' }).click();
    await expect(page.getByRole('status')).toHaveText(`An invitation is on its way to ${email}.`);
    await expect(page.getByRole('row', { name: new RegExp(email) })).toContainText('Invited');

    // The mail, as the invited person gets it.
    let link = '';
    await expect
      .poll(
        async () => {
          const mails = (await (await request.get(`${MAILBOX}/dev/mailbox.json`)).json()) as {
            to: string[];
            text: string;
          }[];
          const mail = mails.find((m) => m.to.includes(email));
          link = mail?.text.match(/https?:\/\/\S+\/accept-invitation#token=[\w-]+/)?.[0] ?? '';
          return link;
        },
        { timeout: 20_000 },
      )
      .not.toBe('');

    const context = await browser.newContext();
    const member = await context.newPage();
    await member.goto(link);
    await expect(member).toHaveURL(/\/accept-invitation$/);
    const password = `a long password for ${role} ${crypto.randomUUID()}`;
    await member.getByLabel('New password').fill(password);
    await member.getByLabel('Repeat the password').fill(password);
    await member.getByRole('button', { name: 'Set the password' }).click();
    await expect(member).toHaveURL(/\/signin$/);
    await expect(member.getByRole('status')).toHaveText('Your password is set. Sign in with it.');
    await member.getByLabel('Email').fill(email);
    await member.getByLabel('Password').fill(password);
    await member.getByRole('button', { name: 'Sign in' }).click();
    await expect(member.locator('nav.side-nav')).toBeVisible();
    expect(await menuOf(member)).toEqual(MENUS[role]);
    await screenshot(member, info, 'menu');

    for (const path of READS) {
      const answer = await member.request.get(path);
      expect(answer.status(), `${role} GET ${path}`).toBe(ALLOWED[role].includes(path) ? 200 : 403);
    }
    await context.close();

    // Back at the administrator's list, the member is active now.
    await page.reload();
    await expect(page.getByRole('row', { name: new RegExp(email) })).toContainText('Active');
  });
}

function roleLabel(role: Role): string {
  return {
    'catalog-manager': 'Catalog manager',
    'order-support': 'Order support',
    marketing: 'Marketing',
    analyst: 'Analyst',
    auditor: 'Auditor',
  }[role];
}

test('an invitation link works once, and the page without its token says what to do', async ({
  page,
}) => {
  await page.goto('/accept-invitation');
  await expect(page.getByRole('alert')).toHaveText(
    'This page needs the link from your invitation mail. Open that link again.',
  );
  await page.goto('/accept-invitation#token=not-a-real-token');
  await page.getByLabel('New password').fill('a long enough password 1');
  await page.getByLabel('Repeat the password').fill('a long enough password 1');
  await page.getByRole('button', { name: 'Set the password' }).click();
  await expect(page.getByRole('alert')).toContainText('does not work any more');
});
