// The notification function as the kit runs it: `node dist/main.js` serves,
// `node dist/main.js migrate` is the migration job.
import { randomBytes } from 'node:crypto';
import { ConfigError, defineFunction, type FunctionConfig } from '@shop/shared';
import { createApp } from './app.js';
import type { Channel } from './channels/channel.js';
import { createMemoryChannel } from './channels/memory-channel.js';
import { createSmtpEmailChannel } from './channels/smtp-email.js';
import { createTwilioSmsChannel } from './channels/twilio-sms.js';
import { createWebPushChannel } from './channels/web-push.js';
import { configShape } from './config.js';
import { createDispatcher, type Dispatcher } from './dispatcher.js';
import { events } from './events.js';

export { createApp, type NotificationAppDeps } from './app.js';
export { type Channel, ChannelError, type OutgoingMessage } from './channels/channel.js';
export { createMemoryChannel, type MemoryChannel } from './channels/memory-channel.js';
export { createSmtpEmailChannel, type SmtpSettings } from './channels/smtp-email.js';
export { createDispatcher, type Dispatcher } from './dispatcher.js';
export { events } from './events.js';

type ParsedConfig = FunctionConfig<typeof configShape>;
/** notification's config: the environment, the unsubscribe secret resolved. */
export type NotificationConfig = ParsedConfig & { unsubscribeSecret: string | undefined };

/** What notification builds at start; tests may replace any of it. */
export interface NotificationServices {
  channels: Partial<Record<Channel['name'], Channel>>;
  dispatcher: Dispatcher;
  unsubscribeSecret: string;
}

function resolveConfig(config: ParsedConfig): NotificationConfig {
  const problems: { variable: string; message: string }[] = [];
  const need = (variable: keyof ParsedConfig, why: string) => {
    if (!config[variable]) problems.push({ variable, message: `must be set ${why}` });
  };
  if (config.DATABASE_URL) {
    need('NOTIFICATION_SMTP_HOST', 'with DATABASE_URL (the SMTP relay mail goes through)');
    need(
      'NOTIFICATION_UNSUBSCRIBE_SECRET',
      'with DATABASE_URL (32+ random characters, kept in a secret: it signs unsubscribe links)',
    );
  }
  if (config.NOTIFICATION_SMTP_USER && !config.NOTIFICATION_SMTP_PASS) {
    need('NOTIFICATION_SMTP_PASS', 'with NOTIFICATION_SMTP_USER');
  }
  if (config.NOTIFICATION_SMS_PROVIDER === 'twilio') {
    for (const variable of ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'] as const) {
      need(variable, 'with NOTIFICATION_SMS_PROVIDER=twilio');
    }
  }
  if (config.NOTIFICATION_PUSH_PROVIDER === 'webpush') {
    for (const variable of ['VAPID_SUBJECT', 'VAPID_PUBLIC_KEY', 'VAPID_PRIVATE_KEY'] as const) {
      need(variable, 'with NOTIFICATION_PUSH_PROVIDER=webpush');
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...config, unsubscribeSecret: config.NOTIFICATION_UNSUBSCRIBE_SECRET };
}

/**
 * notification: PostgreSQL schema `notification`, mail through NOTIFICATION_SMTP_*, port 8090.
 * On the embedded database it mails to the dev SMTP sink (127.0.0.1:2525) and signs unsubscribe
 * links with a secret made for the run.
 * @example const running = await notification.start({ port: 0, handleSignals: false }); await running.shutdown();
 */
export const notification = defineFunction({
  name: 'notification',
  port: 8090,
  config: configShape,
  resolveConfig,
  database: { migrations: new URL('../migrations/', import.meta.url) },
  events,
  services({ db, log, lifecycle, config }): NotificationServices {
    const email = createSmtpEmailChannel({
      host: config.NOTIFICATION_SMTP_HOST ?? '127.0.0.1',
      port: config.NOTIFICATION_SMTP_PORT,
      secure: config.NOTIFICATION_SMTP_SECURE,
      requireTls: config.NOTIFICATION_SMTP_REQUIRE_TLS,
      ...(config.NOTIFICATION_SMTP_USER && { user: config.NOTIFICATION_SMTP_USER }),
      ...(config.NOTIFICATION_SMTP_PASS && { pass: config.NOTIFICATION_SMTP_PASS }),
      from: config.NOTIFICATION_MAIL_FROM,
    });
    const sms =
      config.NOTIFICATION_SMS_PROVIDER === 'twilio'
        ? createTwilioSmsChannel({
            accountSid: config.TWILIO_ACCOUNT_SID ?? '',
            authToken: config.TWILIO_AUTH_TOKEN ?? '',
            from: config.TWILIO_FROM ?? '',
          })
        : createMemoryChannel('sms', { log });
    const push =
      config.NOTIFICATION_PUSH_PROVIDER === 'webpush'
        ? createWebPushChannel({
            subject: config.VAPID_SUBJECT ?? '',
            publicKey: config.VAPID_PUBLIC_KEY ?? '',
            privateKey: config.VAPID_PRIVATE_KEY ?? '',
          })
        : createMemoryChannel('push', { log });
    let unsubscribeSecret = config.unsubscribeSecret;
    if (!unsubscribeSecret) {
      log.warn(
        'NOTIFICATION_UNSUBSCRIBE_SECRET is not set: unsubscribe links are signed with a key made for this run (dev only)',
      );
      unsubscribeSecret = randomBytes(32).toString('base64url');
    }
    const channels = { email, sms, push };
    const dispatcher = createDispatcher({
      db,
      log,
      channels,
      retry: {
        maxAttempts: config.NOTIFICATION_MAX_ATTEMPTS,
        baseDelayMs: config.NOTIFICATION_RETRY_BASE_MS,
        maxDelayMs: config.NOTIFICATION_RETRY_MAX_MS,
      },
      shopName: config.NOTIFICATION_SHOP_NAME,
      unsubscribe: { secret: unsubscribeSecret, baseUrl: config.NOTIFICATION_PUBLIC_URL },
    });
    dispatcher.start(config.NOTIFICATION_POLL_MS);
    lifecycle.onShutdown('notification dispatcher', async () => {
      await dispatcher.stop();
      await Promise.all(Object.values(channels).map((channel) => channel.close?.()));
    });
    return { channels, dispatcher, unsubscribeSecret };
  },
  createApp: (deps) => {
    deps.dispatcher.connectRelay(deps.onEventsRecorded);
    return createApp({ ...deps, defaultLocale: deps.config.NOTIFICATION_DEFAULT_LOCALE });
  },
});

/** A started notification function. */
export type RunningNotification = Awaited<ReturnType<typeof notification.start>>;

notification.runIfEntryPoint(import.meta.url);
