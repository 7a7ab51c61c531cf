import { z } from 'zod';

/** The cart function's own settings (the kit adds the shared ones). */
export const configShape = {
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
  /** Minutes an order waits for its payment before the sweep cancels it and releases its stock. */
  PENDING_ORDER_TTL_MINUTES: z.coerce.number().positive().default(30),
};
