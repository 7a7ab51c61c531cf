import { z } from 'zod';

const ms = z.coerce.number().int().min(1);

/** notification's own settings (the kit adds the shared ones); see the README. */
export const configShape = {
  /** SMTP relay. Required with DATABASE_URL; in dev the SMTP sink of `npm run dev` (127.0.0.1:2525). */
  NOTIFICATION_SMTP_HOST: z.string().min(1).max(253).optional(),
  NOTIFICATION_SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(2525),
  /** Implicit TLS (port 465). */
  NOTIFICATION_SMTP_SECURE: z.stringbool().default(false),
  /** Refuse to send unless the server offers STARTTLS. */
  NOTIFICATION_SMTP_REQUIRE_TLS: z.stringbool().default(false),
  NOTIFICATION_SMTP_USER: z.string().min(1).optional(),
  NOTIFICATION_SMTP_PASS: z.string().min(1).optional(),
  NOTIFICATION_MAIL_FROM: z.string().min(3).max(320).default('Shop <shop@shop.test>'),
  NOTIFICATION_SHOP_NAME: z.string().min(1).max(100).default('Shop'),
  /** Numbers and dates of users without a known locale. */
  NOTIFICATION_DEFAULT_LOCALE: z.string().min(2).max(35).default('en-GB'),
  /** The public gateway: the base of the one-click unsubscribe links. */
  NOTIFICATION_PUBLIC_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8080'),
  /** HMAC key of the unsubscribe links (32+ characters). Required with DATABASE_URL. */
  NOTIFICATION_UNSUBSCRIBE_SECRET: z.string().min(32).optional(),
  /** `dev` keeps SMS in memory and logs them; `twilio` sends through Twilio. */
  NOTIFICATION_SMS_PROVIDER: z.enum(['dev', 'twilio']).default('dev'),
  TWILIO_ACCOUNT_SID: z.string().min(1).optional(),
  TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
  TWILIO_FROM: z.string().min(1).optional(),
  /** `dev` keeps push messages in memory; `webpush` sends Web Push with VAPID. */
  NOTIFICATION_PUSH_PROVIDER: z.enum(['dev', 'webpush']).default('dev'),
  VAPID_SUBJECT: z.string().min(1).optional(),
  VAPID_PUBLIC_KEY: z.string().min(1).optional(),
  VAPID_PRIVATE_KEY: z.string().min(1).optional(),
  /** Sends in all before a message is listed as failed for staff. */
  NOTIFICATION_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  /** The first retry waits about this long; each further one twice as long (with jitter). */
  NOTIFICATION_RETRY_BASE_MS: ms.default(30_000),
  NOTIFICATION_RETRY_MAX_MS: ms.default(3_600_000),
  /** How often the dispatcher looks for due messages (new ones wake it at once). */
  NOTIFICATION_POLL_MS: ms.min(100).default(5_000),
};
