// The landing site's settings: read from the environment once, at start, and refused with every
// bad variable named (the kit's loadConfig), as every function's are.
import { loadConfig } from '@shop/shared';
import { shopperAddressConfigShape } from '@shop/shared/site-security';
import { z } from 'zod';

const httpUrl = z.url({ protocol: /^https?$/ });
const millis = z.coerce.number().int().min(1).max(60_000);

/** The environment the landing site reads (see the README's settings table). */
export const landingConfigSchema = z
  .object({
    /** The gateway as this server reaches it: OFREP for the variant, analytics for page views. */
    GATEWAY_URL: httpUrl.default('http://127.0.0.1:8080'),
    /** The gateway as browsers reach it (the promo island asks /ofrep there). */
    PUBLIC_GATEWAY_URL: httpUrl.optional(),
    /** Where visitors reach this site: canonical URLs and hreflang are built on it. */
    PUBLIC_ORIGIN: httpUrl.default('http://localhost:4322'),
    /** The storefront every product and call-to-action link points at. */
    STOREFRONT_ORIGIN: httpUrl.default('http://127.0.0.1:4321'),
    /** One flag evaluation gives up after this; the page then shows the default variant. */
    FLAG_TIMEOUT_MS: millis.default(800),
    /** The analytics source's write key for page views; unset → no page views are sent. */
    ANALYTICS_WRITE_KEY: z.string().min(1).max(200).optional(),
    ANALYTICS_TIMEOUT_MS: millis.default(2000),
    /** How long the visitor id (the flag's targeting key) is kept. */
    VISITOR_COOKIE_DAYS: z.coerce.number().int().min(1).max(400).default(365),
    SITE_NAME: z.string().min(1).max(100).default('Shop'),
    ...shopperAddressConfigShape,
  })
  .transform((env) => ({
    gatewayUrl: env.GATEWAY_URL.replace(/\/+$/, ''),
    publicGatewayUrl: (env.PUBLIC_GATEWAY_URL ?? env.GATEWAY_URL).replace(/\/+$/, ''),
    publicOrigin: new URL(env.PUBLIC_ORIGIN).origin,
    storefrontOrigin: new URL(env.STOREFRONT_ORIGIN).origin,
    flagTimeoutMs: env.FLAG_TIMEOUT_MS,
    analyticsWriteKey: env.ANALYTICS_WRITE_KEY,
    analyticsTimeoutMs: env.ANALYTICS_TIMEOUT_MS,
    visitorCookieSeconds: env.VISITOR_COOKIE_DAYS * 24 * 3600,
    siteName: env.SITE_NAME,
    trustedProxyHops: env.TRUSTED_PROXY_HOPS,
    gatewayTokenFile: env.GATEWAY_TOKEN_FILE,
  }));

export type LandingConfig = z.infer<typeof landingConfigSchema>;

/**
 * The validated settings; throws a ConfigError naming each bad variable.
 * @example const config = loadLandingConfig({ GATEWAY_URL: 'http://127.0.0.1:8080' });
 */
export function loadLandingConfig(
  env: Record<string, string | undefined> = process.env,
): LandingConfig {
  return loadConfig(landingConfigSchema, env);
}
