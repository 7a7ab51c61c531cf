import { ConfigError, functionAudience, silentLogger } from '@shop/shared';
import { testDatabase, testEventHeaders, testVerifyEventSender } from '@shop/shared/testing';
import { describe, expect, it } from 'vitest';
import { createMailboxApp, startDevSmtp } from './dev-smtp.js';
import { notification } from './main.js';
import { orderPaid, registered } from './testing/testbed.js';

describe('the notification function', () => {
  it('refuses to start on PostgreSQL without an SMTP relay and an unsubscribe secret', async () => {
    const error = await notification
      .start({
        env: { DATABASE_URL: 'postgres://notification@127.0.0.1:1/none' },
        port: 0,
        log: silentLogger(),
        handleSignals: false,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toMatch(/NOTIFICATION_SMTP_HOST/);
    expect(String((error as Error).message)).toMatch(/NOTIFICATION_UNSUBSCRIBE_SECRET/);
  });

  it('refuses a provider chosen without its credentials', async () => {
    const error = await notification
      .start({
        env: { NOTIFICATION_SMS_PROVIDER: 'twilio', NOTIFICATION_PUSH_PROVIDER: 'webpush' },
        port: 0,
        log: silentLogger(),
        handleSignals: false,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    for (const variable of ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'VAPID_PRIVATE_KEY']) {
      expect(String((error as Error).message)).toContain(variable);
    }
  });

  it('mails a receipt to the SMTP server of its settings as soon as the event arrives', async () => {
    const { db, cleanup } = await testDatabase();
    const smtp = await startDevSmtp({ port: 0 });
    try {
      const running = await notification.start({
        env: {
          NOTIFICATION_SMTP_HOST: smtp.host,
          NOTIFICATION_SMTP_PORT: String(smtp.port),
          NOTIFICATION_SHOP_NAME: 'Dev Shop',
          // Long: the wake-up after the event sends it, not the poll.
          NOTIFICATION_POLL_MS: '600000',
        },
        db,
        port: 0,
        log: silentLogger(),
        handleSignals: false,
        verifyEventSender: testVerifyEventSender(functionAudience('notification')),
      });
      try {
        const deliver = (event: { type: string; source: string; data: unknown }) =>
          fetch(`${running.url}/events`, {
            method: 'POST',
            headers: {
              ...testEventHeaders(functionAudience('notification')),
              'ce-specversion': '1.0',
              'ce-id': crypto.randomUUID(),
              'ce-source': event.source,
              'ce-type': event.type,
              'content-type': 'application/json',
            },
            body: JSON.stringify(event.data),
          });
        const user = registered({ locale: 'de-DE' });
        expect((await deliver(user)).status).toBe(204);
        expect((await deliver(orderPaid(user.data.userId))).status).toBe(204);
        const mail = await smtp.waitFor((m) => m.to.includes(user.data.email));
        expect(mail.subject).toMatch(/^Ihre Quittung/);
        expect(mail.text).toContain('Gesamt  ·  1.236,98\u00a0€');

        const page = await createMailboxApp(smtp).request('/dev/mailbox');
        const listing = await page.text();
        expect(listing).toContain(user.data.email);
        expect(listing).toContain('Ihre Quittung');
        const detail = await createMailboxApp(smtp).request(`/dev/mailbox/${mail.id}`);
        expect(await detail.text()).toContain('<iframe sandbox=""');
      } finally {
        await running.shutdown();
      }
    } finally {
      await smtp.close();
      await cleanup();
    }
  });
});
