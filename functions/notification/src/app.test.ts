import { identityHeaders } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryChannel } from './channels/memory-channel.js';
import { signUnsubscribeToken } from './domain/unsubscribe-token.js';
import {
  asStaff,
  createTestbed,
  messagesOf,
  orderPaid,
  RETRY,
  registered,
  type Testbed,
  UNSUBSCRIBE_SECRET,
} from './testing/testbed.js';

let bed: Testbed;
beforeAll(async () => {
  bed = await createTestbed();
});
afterAll(() => bed?.cleanup());

const mailTo = (address: string) => bed.smtp.waitFor((m) => m.to.includes(address), 5_000);
const mailsTo = (address: string) => bed.smtp.mails.filter((m) => m.to.includes(address));
const sentEvents = async (userId: string) =>
  (
    await bed.db.query<{ data: Record<string, unknown> }>(
      `SELECT data FROM notification.outbox WHERE type = 'shop.notification.sent'
       AND data->>'recipientUserId' = $1 ORDER BY id`,
      [userId],
    )
  ).rows.map((row) => row.data);

describe('receipts', () => {
  it('mails a German shopper a receipt with every line, the total and German money formats', async () => {
    const user = registered({ locale: 'de-DE', displayName: 'Jürgen' });
    expect((await bed.deliver(user)).status).toBe(204);
    const paid = orderPaid(user.data.userId);
    expect((await bed.deliver(paid)).status).toBe(204);
    await bed.dispatcher.runOnce();

    const mail = await mailTo(user.data.email);
    expect(mail.subject).toBe(
      `Ihre Quittung für Bestellung ${paid.data.orderId.slice(-8).toUpperCase()}`,
    );
    expect(mail.headers['content-language']).toBe('de-DE');
    expect(mail.from).toBe('shop@shop.test');
    expect(mail.text).toContain('Hallo Jürgen,');
    expect(mail.text).toContain('Espresso beans 1 kg  ·  2  ·  18,99\u00a0€  ·  37,98\u00a0€');
    expect(mail.text).toContain('Burr grinder  ·  1  ·  1.199,00\u00a0€  ·  1.199,00\u00a0€');
    expect(mail.text).toContain('Gesamt  ·  1.236,98\u00a0€');
    expect(mail.text).toContain('14. März 2026');
    expect(mail.html).toContain('<html lang="de">');
    expect(mail.html).toContain('1.236,98\u00a0€');
    expect(mail.messageId).toMatch(/^<[0-9a-f-]{36}@shop\.test>$/);
    const [event] = await sentEvents(user.data.userId);
    expect(event).toMatchObject({
      channel: 'email',
      template: 'receipt',
      recipientUserId: user.data.userId,
      cause: { type: 'shop.order.paid', source: '/shop/cart', id: expect.any(String) },
    });
  });

  it('writes an English receipt for an English or unknown locale', async () => {
    const user = registered({ locale: null, displayName: null });
    await bed.deliver(user);
    await bed.deliver(orderPaid(user.data.userId));
    await bed.dispatcher.runOnce();
    const mail = await mailTo(user.data.email);
    expect(mail.subject).toMatch(/^Your receipt for order /);
    expect(mail.text).toContain('Hello,');
    expect(mail.text).toContain('Espresso beans 1 kg  ·  2  ·  €18.99  ·  €37.98');
    expect(mail.text).toContain('Total  ·  €1,236.98');
    expect(mail.headers['content-language']).toBe('en-GB');
  });

  it('escapes what users control in the HTML part', async () => {
    const user = registered({ displayName: '<script>alert(1)</script>' });
    await bed.deliver(user);
    await bed.deliver(orderPaid(user.data.userId));
    await bed.dispatcher.runOnce();
    const mail = await mailTo(user.data.email);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;');
  });

  it('sends nothing for a guest order or a user it does not know', async () => {
    const before = bed.smtp.mails.length;
    expect((await bed.deliver(orderPaid(null))).status).toBe(204);
    expect((await bed.deliver(orderPaid(crypto.randomUUID()))).status).toBe(204);
    expect(await bed.dispatcher.runOnce()).toBe(0);
    expect(bed.smtp.mails.length).toBe(before);
  });
});

describe('never twice', () => {
  it('stores one message for a redelivered event and sends it once', async () => {
    const user = registered();
    await bed.deliver(user);
    const paid = { ...orderPaid(user.data.userId), id: crypto.randomUUID() };
    for (let i = 0; i < 3; i += 1) expect((await bed.deliver(paid)).status).toBe(204);
    await bed.dispatcher.runOnce();
    await bed.dispatcher.runOnce();
    await mailTo(user.data.email);
    expect(await messagesOf(bed.db, user.data.userId)).toHaveLength(1);
    expect(mailsTo(user.data.email)).toHaveLength(1);
    expect(await sentEvents(user.data.userId)).toHaveLength(1);
  });

  it('sends each message through one replica only when two dispatch at once', async () => {
    const user = registered();
    await bed.deliver(user);
    await bed.deliver(orderPaid(user.data.userId));
    const other = createMemoryChannel('email');
    const [first, second] = await Promise.all([
      bed.dispatcher.runOnce(),
      bed.makeDispatcher({ email: other }).runOnce(),
    ]);
    expect(first + second).toBe(1);
    const delivered = [
      ...mailsTo(user.data.email),
      ...other.sent.filter((m) => m.to === user.data.email),
    ];
    expect(delivered).toHaveLength(1);
  });

  it('wakes the dispatcher when an event stored a message, not for a duplicate', async () => {
    const user = registered();
    await bed.deliver(user);
    const paid = { ...orderPaid(user.data.userId), id: crypto.randomUUID() };
    const before = bed.wakes();
    await bed.deliver(paid);
    expect(bed.wakes()).toBe(before + 1);
    await bed.deliver(paid);
    expect(bed.wakes()).toBe(before + 1);
    await bed.dispatcher.runOnce();
    await mailTo(user.data.email);
  });
});

describe('retries and failures', () => {
  it('retries a provider failure with growing backoff and sends it when the provider is back', async () => {
    const user = registered();
    await bed.deliver(user);
    await bed.deliver(orderPaid(user.data.userId));
    bed.smtp.refuseNext(1, 451, user.data.email);
    await bed.dispatcher.runOnce();
    const [failed] = await messagesOf(bed.db, user.data.userId);
    expect(failed).toMatchObject({ status: 'pending', attempts: 1 });
    // Equal jitter with random 0.5: three quarters of the base delay.
    expect(failed?.next_attempt_at?.getTime()).toBe(bed.now().getTime() + 45_000);
    expect(mailsTo(user.data.email)).toHaveLength(0);

    await bed.dispatcher.runOnce();
    expect(mailsTo(user.data.email)).toHaveLength(0);
    bed.advance(45_000);
    await bed.dispatcher.runOnce();
    await mailTo(user.data.email);
    expect(await messagesOf(bed.db, user.data.userId)).toEqual([
      expect.objectContaining({ status: 'sent', attempts: 2 }),
    ]);
  });

  it('lists a message failed after its last retry for staff, who can send it again', async () => {
    const user = registered();
    await bed.deliver(user);
    await bed.deliver(orderPaid(user.data.userId));
    bed.smtp.refuseNext(RETRY.maxAttempts, 421, user.data.email);
    for (let attempt = 1; attempt <= RETRY.maxAttempts; attempt += 1) {
      await bed.dispatcher.runOnce();
      bed.advance(RETRY.maxDelayMs);
    }
    const [message] = await messagesOf(bed.db, user.data.userId);
    expect(message).toMatchObject({ status: 'failed', attempts: RETRY.maxAttempts });

    expect((await bed.app.request('/api/admin/notifications')).status).toBe(401);
    const shopper = await bed.app.request('/api/admin/notifications', {
      headers: identityHeaders({ userId: user.data.userId, roles: ['shopper'] }),
    });
    expect(shopper.status).toBe(403);
    const list = await bed.app.request('/api/admin/notifications', { headers: asStaff() });
    expect(list.status).toBe(200);
    const page = (await list.json()) as { items: { id: string; recipient: string }[] };
    const listed = page.items.find((item) => item.id === message?.id);
    expect(listed).toMatchObject({
      status: 'failed',
      template: 'receipt',
      attempts: RETRY.maxAttempts,
      lastError: expect.stringContaining('421'),
      recipient: `s***@example.com`,
    });

    const resend = await bed.app.request(`/api/admin/notifications/${message?.id}/resend`, {
      method: 'POST',
      headers: asStaff(),
    });
    expect(resend.status).toBe(202);
    await bed.dispatcher.runOnce();
    await mailTo(user.data.email);
    const again = await bed.app.request(`/api/admin/notifications/${message?.id}/resend`, {
      method: 'POST',
      headers: asStaff(),
    });
    expect(again.status).toBe(409);
    const unknown = await bed.app.request(
      `/api/admin/notifications/${crypto.randomUUID()}/resend`,
      { method: 'POST', headers: asStaff() },
    );
    expect(unknown.status).toBe(404);
  });

  it('fails a message the provider refuses for good at once, without retrying', async () => {
    const user = registered();
    await bed.deliver(user);
    await bed.deliver(orderPaid(user.data.userId));
    bed.smtp.refuseNext(1, 550, user.data.email);
    await bed.dispatcher.runOnce();
    expect(await messagesOf(bed.db, user.data.userId)).toEqual([
      expect.objectContaining({ status: 'failed', attempts: 1 }),
    ]);
  });

  it('answers the staff list with pages and refuses a cursor it did not give out', async () => {
    const first = await bed.app.request('/api/admin/notifications?status=sent&limit=1', {
      headers: asStaff(),
    });
    const page = (await first.json()) as { items: { id: string }[]; nextCursor: string | null };
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).not.toBeNull();
    const next = await bed.app.request(
      `/api/admin/notifications?status=sent&limit=1&cursor=${page.nextCursor}`,
      { headers: asStaff() },
    );
    const second = (await next.json()) as { items: { id: string }[] };
    expect(second.items[0]?.id).not.toBe(page.items[0]?.id);
    const other = await bed.app.request(
      `/api/admin/notifications?status=failed&cursor=${page.nextCursor}`,
      { headers: asStaff() },
    );
    expect(other.status).toBe(400);
    const bad = await bed.app.request('/api/admin/notifications?status=lost', {
      headers: asStaff(),
    });
    expect(bad.status).toBe(400);
  });
});

describe('account mails from auth', () => {
  it('welcomes a new shopper with the verification link, in their language', async () => {
    const user = registered({ locale: 'de-AT' });
    const link = 'https://shop.test/account/verify-email#token=abc';
    await bed.deliver({
      type: 'shop.user.email_verification_requested',
      source: '/shop/auth',
      data: {
        userId: user.data.userId,
        email: user.data.email,
        displayName: 'Ana',
        locale: 'de-AT',
        reason: 'signup',
        link,
        expiresAt: '2026-03-17T10:00:00.000Z',
        requestedAt: '2026-03-14T10:00:00.000Z',
      },
    });
    await bed.dispatcher.runOnce();
    const mail = await mailTo(user.data.email);
    expect(mail.subject).toBe('Willkommen bei Test Shop');
    expect(mail.text).toContain(link);
    expect(mail.html).toContain('href="https://shop.test/account/verify-email#token=abc"');
    expect(mail.headers['list-unsubscribe']).toBeUndefined();
  });

  it('mails the reset link, and the two email change links to their own addresses', async () => {
    const userId = crypto.randomUUID();
    const current = `current.${userId.slice(0, 8)}@example.com`;
    const next = `next.${userId.slice(0, 8)}@example.com`;
    const common = {
      userId,
      displayName: null,
      locale: 'en',
      expiresAt: '2026-03-14T11:00:00.000Z',
      requestedAt: '2026-03-14T10:00:00.000Z',
    };
    await bed.deliver({
      type: 'shop.user.password_reset_requested',
      source: '/shop/auth',
      data: { ...common, email: current, link: 'https://shop.test/account/reset-password#token=r' },
    });
    const changeId = crypto.randomUUID();
    for (const [addressRole, email] of [
      ['current', current],
      ['new', next],
    ] as const) {
      await bed.deliver({
        type: 'shop.user.email_change_requested',
        source: '/shop/auth',
        data: {
          ...common,
          changeId,
          email,
          addressRole,
          currentEmail: current,
          newEmail: next,
          link: `https://shop.test/account/confirm-email-change#token=${addressRole}`,
        },
      });
    }
    await bed.dispatcher.runOnce();
    const reset = await bed.smtp.waitFor(
      (m) => m.subject === 'Reset your password' && m.to.includes(current),
    );
    expect(reset.text).toContain('https://shop.test/account/reset-password#token=r');
    const toCurrent = await bed.smtp.waitFor(
      (m) => m.to.includes(current) && m.subject.startsWith('Confirm the change'),
    );
    expect(toCurrent.text).toContain(next);
    expect(toCurrent.text).toContain('#token=current');
    const toNew = await mailTo(next);
    expect(toNew.text).toContain('#token=new');
  });

  it('mails a staff invitation to the invited address, in its language, with the link', async () => {
    const userId = crypto.randomUUID();
    const email = `invited.${userId.slice(0, 8)}@example.com`;
    await bed.deliver({
      type: 'shop.staff.invited',
      source: '/shop/auth',
      data: {
        userId,
        email,
        displayName: 'Ines',
        locale: 'de-DE',
        roles: ['catalog-manager'],
        invitedBy: crypto.randomUUID(),
        link: 'https://admin.shop.test/accept-invitation#token=inv',
        expiresAt: '2026-03-17T10:00:00.000Z',
        invitedAt: '2026-03-14T10:00:00.000Z',
      },
    });
    await bed.dispatcher.runOnce();
    const mail = await mailTo(email);
    expect(mail.subject).toMatch(/^Einladung ins Team/);
    expect(mail.text).toContain('Hallo Ines,');
    expect(mail.text).toContain('catalog-manager');
    expect(mail.html).toContain('href="https://admin.shop.test/accept-invitation#token=inv"');
  });

  it('sends from now on to the new address after a change, and tells the old one', async () => {
    const user = registered();
    await bed.deliver(user);
    const moved = `moved.${user.data.userId.slice(0, 8)}@example.com`;
    await bed.deliver({
      type: 'shop.user.email_changed',
      source: '/shop/auth',
      data: {
        userId: user.data.userId,
        previousEmail: user.data.email,
        email: moved,
        changedAt: '2026-03-14T10:00:00.000Z',
      },
    });
    await bed.deliver(orderPaid(user.data.userId));
    await bed.dispatcher.runOnce();
    const notice = await mailTo(user.data.email);
    expect(notice.subject).toBe('Your email address was changed');
    const receipt = await mailTo(moved);
    expect(receipt.subject).toMatch(/^Your receipt/);
  });
});

describe('marketing consent and one-click unsubscribe', () => {
  it('carries RFC 8058 headers on marketing mail and stops it after one click; receipts go on', async () => {
    const user = registered({ marketingConsent: true });
    await bed.deliver(user);
    await bed.dispatcher.runOnce();
    const news = await mailTo(user.data.email);
    expect(news.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const target = news.headers['list-unsubscribe']?.match(/^<(https:[^>]+)>$/)?.[1];
    expect(target).toBeDefined();
    const url = new URL(target as string);
    expect(url.origin + url.pathname).toBe('https://shop.test/api/notifications/unsubscribe');

    const path = `${url.pathname}${url.search}`;
    const page = await bed.app.request(path);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
    const click = await bed.app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(click.status).toBe(200);

    // A replayed sign-up asks for the newsletter mail again: no consent any more, so no mail.
    await bed.deliver({ ...user, id: crypto.randomUUID() });
    await bed.deliver(orderPaid(user.data.userId));
    await bed.dispatcher.runOnce();
    await bed.smtp.waitFor((m) => m.to.includes(user.data.email) && m.subject.includes('receipt'));
    const templates = (await messagesOf(bed.db, user.data.userId)).map((m) => [
      m.template,
      m.status,
    ]);
    expect(templates).toEqual([
      ['newsletter-welcome', 'sent'],
      ['newsletter-welcome', 'suppressed'],
      ['receipt', 'sent'],
    ]);
  });

  it('sends no marketing mail without consent and refuses forged unsubscribe tokens', async () => {
    const user = registered({ marketingConsent: false });
    await bed.deliver(user);
    await bed.dispatcher.runOnce();
    expect(await messagesOf(bed.db, user.data.userId)).toEqual([]);
    const forged = signUnsubscribeToken('not-the-secret-of-this-shop-000000', user.data.userId);
    for (const token of [
      forged,
      'garbage',
      `${signUnsubscribeToken(UNSUBSCRIBE_SECRET, user.data.userId)}x`,
    ]) {
      const res = await bed.app.request(
        `/api/notifications/unsubscribe?token=${encodeURIComponent(token)}`,
        {
          method: 'POST',
        },
      );
      expect(res.status).toBe(400);
    }
  });
});

describe('erasure', () => {
  it('deletes the address everywhere, suppresses what was not sent and sends nothing later', async () => {
    const user = registered({ marketingConsent: true });
    await bed.deliver(user);
    await bed.deliver(orderPaid(user.data.userId));
    await bed.deliver({
      type: 'shop.user.erased',
      source: '/shop/user',
      data: {
        userId: user.data.userId,
        requestedBy: user.data.userId,
        erasedAt: new Date().toISOString(),
      },
    });
    await bed.deliver(orderPaid(user.data.userId));
    await bed.deliver({ ...user, id: crypto.randomUUID() });
    await bed.dispatcher.runOnce();

    expect(mailsTo(user.data.email)).toHaveLength(0);
    const messages = await messagesOf(bed.db, user.data.userId);
    expect(messages.map((m) => [m.status, m.suppressed_reason, m.recipient])).toEqual([
      ['suppressed', 'erased', null],
      ['suppressed', 'erased', null],
    ]);
    for (const table of ['recipient', 'message', 'outbox']) {
      const { rows } = await bed.db.query(
        `SELECT 1 FROM notification.${table} t WHERE t::text LIKE '%' || $1 || '%'`,
        [user.data.email],
      );
      expect(rows, table).toEqual([]);
    }
  });
});

describe('/events', () => {
  it('refuses an event without the broker’s token, and one from a source that does not own the type', async () => {
    const res = await bed.app.request('/events', {
      method: 'POST',
      headers: {
        'ce-specversion': '1.0',
        'ce-id': crypto.randomUUID(),
        'ce-source': '/shop/cart',
        'ce-type': 'shop.order.paid',
        'content-type': 'application/json',
      },
      body: JSON.stringify(orderPaid(crypto.randomUUID()).data),
    });
    expect(res.status).toBe(401);
    const forged = await bed.deliver({ ...orderPaid(crypto.randomUUID()), source: '/shop/offer' });
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(forged.status).toBeLessThan(500);
  });
});
