// Test helpers of notification: a migrated database (PGlite, or PostgreSQL in
// test:integration), the dev SMTP sink on a free port, a dispatcher on a clock the test moves,
// the app, and deliveries as the broker makes them.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { type Database, functionAudience, type ServiceEnv, silentLogger } from '@shop/shared';
import {
  identityHeaders,
  testDatabase,
  testEventHeaders,
  testVerifyEventSender,
  testVerifyToken,
} from '@shop/shared/testing';
import { createApp } from '../app.js';
import type { Channel } from '../channels/channel.js';
import { createMemoryChannel, type MemoryChannel } from '../channels/memory-channel.js';
import { createSmtpEmailChannel } from '../channels/smtp-email.js';
import { type DevSmtp, startDevSmtp } from '../dev-smtp.js';
import { createDispatcher, type Dispatcher } from '../dispatcher.js';
import { notification } from '../main.js';

export const UNSUBSCRIBE_SECRET = 'test-unsubscribe-secret-0123456789abcdef';
export const RETRY = { maxAttempts: 3, baseDelayMs: 60_000, maxDelayMs: 600_000 };

export interface Testbed {
  db: Database;
  smtp: DevSmtp;
  sms: MemoryChannel;
  dispatcher: Dispatcher;
  app: OpenAPIHono<ServiceEnv>;
  /** The dispatcher's and app's "now"; move it with `advance`. */
  now(): Date;
  advance(ms: number): void;
  /** How often the app woke the dispatcher (after storing new messages). */
  wakes(): number;
  /** Another dispatcher on the same database (a second replica). */
  makeDispatcher(channels: Partial<Record<Channel['name'], Channel>>): Dispatcher;
  deliver(event: { type: string; source: string; data: unknown; id?: string }): Promise<Response>;
  cleanup(): Promise<void>;
}

/** The Authorization header of a staff member (test issuer). */
export function asStaff(userId = crypto.randomUUID()): { authorization: string } {
  return identityHeaders({ userId, roles: ['staff'] });
}

export async function createTestbed(): Promise<Testbed> {
  const { db, cleanup } = await testDatabase();
  await notification.applyMigrations(db);
  const smtp = await startDevSmtp({ port: 0 });
  const email = createSmtpEmailChannel({
    host: smtp.host,
    port: smtp.port,
    secure: false,
    from: 'Test Shop <shop@shop.test>',
    timeoutMs: 5_000,
  });
  const sms = createMemoryChannel('sms');
  let now = new Date();
  const clock = () => now;
  const log = process.env.TEST_LOG
    ? (await import('@shop/shared')).createLogger({ service: 'test', level: 'debug' })
    : silentLogger();
  const dispatcher = createDispatcher({
    db,
    log,
    channels: { email, sms },
    retry: RETRY,
    shopName: 'Test Shop',
    unsubscribe: { secret: UNSUBSCRIBE_SECRET, baseUrl: 'https://shop.test' },
    clock,
    random: () => 0.5,
  });
  let wakes = 0;
  // Tests run the dispatcher themselves (runOnce), so what it does is deterministic; the app's
  // wake-ups are counted instead.
  const app = createApp({
    db,
    log,
    clock,
    dispatcher: {
      ...dispatcher,
      wake: () => {
        wakes += 1;
      },
    },
    unsubscribeSecret: UNSUBSCRIBE_SECRET,
    verifyToken: testVerifyToken,
    verifyEventSender: testVerifyEventSender(functionAudience('notification')),
  });
  return {
    db,
    smtp,
    sms,
    dispatcher,
    app,
    now: clock,
    wakes: () => wakes,
    makeDispatcher: (channels) =>
      createDispatcher({
        db,
        log,
        channels,
        retry: RETRY,
        shopName: 'Test Shop',
        unsubscribe: { secret: UNSUBSCRIBE_SECRET, baseUrl: 'https://shop.test' },
        clock,
      }),
    advance(ms) {
      now = new Date(now.getTime() + ms);
    },
    async deliver(event) {
      return app.request('/events', {
        method: 'POST',
        headers: {
          ...testEventHeaders(functionAudience('notification')),
          'ce-specversion': '1.0',
          'ce-id': event.id ?? crypto.randomUUID(),
          'ce-source': event.source,
          'ce-type': event.type,
          'content-type': 'application/json',
        },
        body: JSON.stringify(event.data),
      });
    },
    async cleanup() {
      await dispatcher.stop();
      await email.close?.();
      await smtp.close();
      await cleanup();
    },
  };
}

/** A shop.user.registered from auth. */
export function registered(
  overrides: Partial<{
    userId: string;
    email: string;
    displayName: string | null;
    locale: string | null;
    marketingConsent: boolean;
  }> = {},
) {
  const userId = overrides.userId ?? crypto.randomUUID();
  return {
    type: 'shop.user.registered',
    source: '/shop/auth',
    data: {
      userId,
      email: overrides.email ?? `shopper.${userId.slice(0, 8)}@example.com`,
      displayName: overrides.displayName === undefined ? 'Ana' : overrides.displayName,
      locale: overrides.locale === undefined ? 'en-GB' : overrides.locale,
      marketingConsent: overrides.marketingConsent ?? false,
      registeredAt: new Date().toISOString(),
    },
  };
}

/** A shop.order.paid from cart: two lines, EUR. */
export function orderPaid(userId: string | null, orderId: string = crypto.randomUUID()) {
  return {
    type: 'shop.order.paid',
    source: '/shop/cart',
    data: {
      orderId,
      userId,
      paymentId: crypto.randomUUID(),
      items: [
        {
          productId: crypto.randomUUID(),
          slug: 'espresso-beans',
          name: 'Espresso beans 1 kg',
          quantity: 2,
          unitPrice: { amount: 1899, currency: 'EUR' },
        },
        {
          productId: crypto.randomUUID(),
          slug: 'grinder',
          name: 'Burr grinder',
          quantity: 1,
          unitPrice: { amount: 119_900, currency: 'EUR' },
        },
      ],
      total: { amount: 123_698, currency: 'EUR' },
      paidAt: '2026-03-14T09:30:00.000Z',
    },
  };
}

/** The messages stored for a user, oldest first. */
export async function messagesOf(db: Database, userId: string) {
  const { rows } = await db.query<{
    id: string;
    template: string;
    status: string;
    attempts: number;
    recipient: string | null;
    next_attempt_at: Date | null;
    suppressed_reason: string | null;
  }>(
    `SELECT id, template, status, attempts, recipient, next_attempt_at, suppressed_reason
     FROM notification.message WHERE user_id = $1 ORDER BY created_at, id`,
    [userId],
  );
  return rows;
}
