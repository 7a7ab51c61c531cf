import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  createServiceApp,
  type Database,
  type EventSenderVerifier,
  type Lifecycle,
  type Logger,
  type ServiceEnv,
  type ServiceMetrics,
  type TokenVerifier,
} from '@shop/shared';
import type { NotificationDeps } from './deps.js';
import type { Dispatcher } from './dispatcher.js';
import { MESSAGE_EVENT_TYPES } from './domain/plan-messages.js';
import { events } from './events.js';
import { storeMessagesOf } from './handle-event.js';
import { registerAdminNotificationRoutes } from './routes/admin-notifications.js';
import { registerUnsubscribeRoutes } from './routes/unsubscribe.js';
import { eraseUser } from './store.js';

/** What the notification app is built from; the kit passes the real ones, tests their own. */
export interface NotificationAppDeps {
  db: Database;
  log: Logger;
  metrics?: ServiceMetrics;
  lifecycle?: Lifecycle;
  /** Source of "now" (default: the system clock). */
  clock?: () => Date;
  /** Sends what /events stored (main.ts starts its polling). */
  dispatcher: Dispatcher;
  /** HMAC key of the one-click unsubscribe links. */
  unsubscribeSecret: string;
  /** Locale of users whose events name none. */
  defaultLocale?: string;
  /** Verifies callers' access tokens (the kit's, from auth's JWKS; tests: `testVerifyToken`). */
  verifyToken: TokenVerifier;
  /** Verifies the broker's OIDC token on /events (the kit's; tests: a test issuer's). */
  verifyEventSender?: EventSenderVerifier;
}

/**
 * The notification function: /events stores the messages each event asks for (once per event,
 * channel and recipient) and wakes the dispatcher; staff see failures at
 * /api/admin/notifications; /api/notifications/unsubscribe is the RFC 8058 endpoint. No side
 * effects, no environment reads.
 * @example const app = createApp({ db, log, dispatcher, unsubscribeSecret, verifyToken });
 */
export function createApp(deps: NotificationAppDeps): OpenAPIHono<ServiceEnv> {
  const { db, log, dispatcher } = deps;
  const clock = deps.clock ?? (() => new Date());
  const defaultLocale = deps.defaultLocale ?? 'en-GB';
  const app = createServiceApp({
    service: 'notification',
    log,
    verifyToken: deps.verifyToken,
    ...(deps.metrics && { metrics: deps.metrics }),
    ...(deps.lifecycle && { lifecycle: deps.lifecycle }),
    readiness: { database: () => db.ping() },
  });
  const routeDeps: NotificationDeps = {
    db,
    log,
    clock,
    dispatcher,
    unsubscribeSecret: deps.unsubscribeSecret,
  };
  registerAdminNotificationRoutes(app, routeDeps);
  registerUnsubscribeRoutes(app, routeDeps);

  const store = async (
    event: { type: string; source: string; id: string; data: unknown },
    {
      tx,
      afterCommit,
    }: { tx: Parameters<typeof storeMessagesOf>[0]; afterCommit: (f: () => void) => void },
  ) => {
    const stored = await storeMessagesOf(tx, event as Parameters<typeof storeMessagesOf>[1], {
      now: clock(),
      defaultLocale,
    });
    if (stored > 0) afterCommit(() => dispatcher.wake());
  };
  const handlers = Object.fromEntries(MESSAGE_EVENT_TYPES.map((type) => [type, store]));
  app.route(
    '/events',
    events.receiver({
      db,
      log,
      ...(deps.metrics && { registry: deps.metrics.registry }),
      ...(deps.verifyEventSender && { verifySender: deps.verifyEventSender }),
      handlers: {
        ...(handlers as Parameters<typeof events.receiver>[0]['handlers']),
        'shop.user.erased': async (event, { tx }) => {
          await eraseUser(tx, event.data.userId, clock());
        },
      },
    }),
  );
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'notification',
      version: '1.0.0',
      description:
        'Mails (SMTP), SMS and push from the events of the shop: welcome and verification, ' +
        'password reset, email change, receipts, failed payments, refunds, cancellations. Each ' +
        '(event, channel, recipient) is sent at most once; failures are retried with backoff ' +
        'and listed for staff after the last retry.',
    },
    tags: [
      { name: 'staff', description: 'Failed messages and resend (staff only)' },
      { name: 'notifications', description: 'One-click unsubscribe (RFC 8058)' },
    ],
  });
  return app;
}
