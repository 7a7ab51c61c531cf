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
  /**
   * Where the provider sends the shopper back after paying: the storefront's order page, with
   * `{orderId}` for the order (Stripe's `return_url`). Unset: no way back from the pay page.
   */
  PAYMENT_RETURN_URL: z
    .url({ protocol: /^https?$/ })
    .max(1000)
    .refine((url) => url.includes('{orderId}'), 'must contain {orderId}')
    .optional(),
  /** Idle days after which a cart expires. */
  CART_TTL_DAYS: z.coerce.number().positive().default(30),
  /**
   * Currencies the shop sells in, comma-separated (offer's CATALOG_CURRENCY among them): an
   * empty cart's total is in the first, and the business counters start at 0 for each.
   */
  SHOP_CURRENCIES: z
    .string()
    .default('EUR')
    .transform((value) => value.split(',').map((code) => code.trim()))
    .pipe(
      z
        .array(z.string().regex(/^[A-Z]{3}$/, 'must be ISO 4217 codes (3 uppercase letters)'))
        .min(1)
        .max(10),
    ),
  /** Minutes an order waits for its payment before the sweep cancels it and releases its stock. */
  PENDING_ORDER_TTL_MINUTES: z.coerce.number().positive().default(30),
};
