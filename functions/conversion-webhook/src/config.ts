import { ConfigError, type FunctionConfig } from '@shop/shared';
import { z } from 'zod';

/** Dev-only Stripe endpoint secret, shared with the payment provider simulator. */
export const DEV_STRIPE_WEBHOOK_SECRET = 'whsec_dev_simulator';
/**
 * Dev-only Standard Webhooks secret: `whsec_` + base64 of the 24-byte string
 * `dev-payment-simulator-24`. Shared with the simulator; refused with DATABASE_URL.
 */
export const DEV_STANDARD_WEBHOOK_SECRET = `whsec_${Buffer.from('dev-payment-simulator-24').toString('base64')}`;

/** A comma-separated list of secrets (several during a rotation). */
const secretList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((secret) => secret.trim())
      .filter((secret) => secret.length > 0),
  )
  .pipe(z.array(z.string().min(8, 'each secret must have at least 8 characters')).min(1));

/** The conversion-webhook function's own settings (the kit adds the shared ones). */
export const configShape = {
  /** Stripe endpoint secrets (`whsec_…`), comma-separated while rotating. */
  STRIPE_WEBHOOK_SECRET: secretList.optional(),
  /** Standard Webhooks secrets (`whsec_<base64>`), comma-separated while rotating. */
  STANDARD_WEBHOOK_SECRET: secretList
    .refine(
      (secrets) =>
        secrets.every((secret) => {
          const key = secret.startsWith('whsec_') ? secret.slice(6) : secret;
          return /^[A-Za-z0-9+/]+={0,2}$/.test(key) && Buffer.from(key, 'base64').length >= 16;
        }),
      'each secret must be whsec_ followed by the base64 of at least 16 bytes',
    )
    .optional(),
  /** How far a signature's timestamp may be from now, either way, in seconds. */
  WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
};

type ParsedConfig = FunctionConfig<typeof configShape>;

export type ConversionWebhookConfig = Omit<
  ParsedConfig,
  'STRIPE_WEBHOOK_SECRET' | 'STANDARD_WEBHOOK_SECRET'
> & {
  /** Resolved: the configured secrets, else the dev default without DATABASE_URL, else []. */
  STRIPE_WEBHOOK_SECRET: string[];
  STANDARD_WEBHOOK_SECRET: string[];
};

/**
 * The webhook secrets resolved: without DATABASE_URL (dev, unit tests) unset secrets fall back
 * to the dev constants the simulator also uses; with DATABASE_URL (production) a dev constant is
 * refused, and an unset secret leaves its endpoint disabled.
 * @example conversionWebhook.loadConfig(); // throws ConfigError naming each bad variable
 */
export function resolveConfig(config: ParsedConfig): ConversionWebhookConfig {
  const production = config.DATABASE_URL !== undefined;
  const stripe = config.STRIPE_WEBHOOK_SECRET ?? (production ? [] : [DEV_STRIPE_WEBHOOK_SECRET]);
  const standard =
    config.STANDARD_WEBHOOK_SECRET ?? (production ? [] : [DEV_STANDARD_WEBHOOK_SECRET]);
  if (production) {
    const message = 'the development secret is refused when DATABASE_URL is set';
    const errors: { variable: string; message: string }[] = [];
    if (stripe.includes(DEV_STRIPE_WEBHOOK_SECRET)) {
      errors.push({ variable: 'STRIPE_WEBHOOK_SECRET', message });
    }
    if (standard.includes(DEV_STANDARD_WEBHOOK_SECRET)) {
      errors.push({ variable: 'STANDARD_WEBHOOK_SECRET', message });
    }
    if (errors.length > 0) throw new ConfigError(errors);
  }
  return {
    ...config,
    STRIPE_WEBHOOK_SECRET: stripe,
    STANDARD_WEBHOOK_SECRET: standard,
  };
}
