import { baseConfigSchema, loadConfig } from '@shop/shared';
import { z } from 'zod';

/** The cart function's environment: the shared settings plus its own. */
export const cartConfigSchema = baseConfigSchema.extend({
  PORT: baseConfigSchema.shape.PORT.unwrap().default(8084),
  /**
   * Apply pending migrations on start; default: only without DATABASE_URL (PGlite). Production
   * runs them as a one-off job before rollout, and a start only checks the schema is current.
   */
  RUN_MIGRATIONS: z.stringbool().optional(),
  /** Where the embedded PGlite keeps its files when DATABASE_URL is unset; default: memory. */
  PGLITE_DATA_DIR: z.string().min(1).optional(),
  /** The offer function (prices, names, stock). */
  OFFER_URL: z.url().default('http://127.0.0.1:8083'),
  /** How long one call to offer may take. */
  OFFER_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
  /** How long a product read from offer is reused in process. */
  OFFER_CACHE_MS: z.coerce.number().int().min(0).default(3000),
  /** The payment provider (the simulator in dev). */
  PAYMENT_PROVIDER_URL: z.url().default('http://127.0.0.1:8071'),
  /** The provider's secret API key; the dev default is the simulator's fake test key. */
  PAYMENT_PROVIDER_API_KEY: z.string().min(1).default('sk_test_simulator'),
  PAYMENT_PROVIDER_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  /** Idle days after which a cart expires. */
  CART_TTL_DAYS: z.coerce.number().positive().default(30),
});

export type CartConfig = Omit<z.infer<typeof cartConfigSchema>, 'RUN_MIGRATIONS'> & {
  /** Resolved: true when set so, or when unset and DATABASE_URL is unset. */
  RUN_MIGRATIONS: boolean;
};

/**
 * Reads and validates the cart function's environment once.
 * @example const config = loadCartConfig(); // throws ConfigError naming each bad variable
 */
export function loadCartConfig(env: Record<string, string | undefined> = process.env): CartConfig {
  const config = loadConfig(cartConfigSchema, env);
  return { ...config, RUN_MIGRATIONS: config.RUN_MIGRATIONS ?? config.DATABASE_URL === undefined };
}
