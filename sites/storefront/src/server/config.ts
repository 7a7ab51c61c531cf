// The storefront's settings: read from the environment once, at start, and refused with every
// bad variable named (the kit's loadConfig), as every function's are.
import {
  baseConfigSchema,
  DEV_EVENTS_OIDC_ISSUER,
  eventAuthConfigShape,
  loadConfig,
} from '@shop/shared';
import { shopperAddressConfigShape } from '@shop/shared/site-security';
import { z } from 'zod';

const seconds = z.coerce.number().int().min(1);

/** The environment the storefront reads (see the README's settings table). */
export const storefrontConfigSchema = z
  .object({
    /** The gateway's public API; the site calls nothing else. */
    GATEWAY_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8080'),
    GATEWAY_TIMEOUT_MS: z.coerce.number().int().min(1).max(60_000).default(5000),
    /**
     * The origin shoppers reach the site at. Form posts must come from it (Origin check),
     * canonical URLs and the sitemap are built on it, and the session cookie needs https there.
     */
    PUBLIC_ORIGIN: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4321'),
    /** Redis for the sessions; unset → the kit's in-memory store (dev, tests: one process). */
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' }).optional(),
    /** A session unused this long is gone (sliding). */
    SESSION_IDLE_SECONDS: seconds.default(7 * 24 * 3600),
    /** Refresh the access token this long before it expires. */
    SESSION_REFRESH_LEEWAY_SECONDS: seconds.default(60),
    /** The catalog's currency: what price filters are typed in. */
    CATALOG_CURRENCY: z
      .string()
      .regex(/^[A-Z]{3}$/, 'an ISO 4217 code')
      .default('EUR'),
    SITE_NAME: z.string().min(1).max(100).default('Shop'),
    /** Most products the sitemap lists (it pages through the catalog 100 at a time). */
    SITEMAP_MAX_PRODUCTS: z.coerce.number().int().min(0).max(50_000).default(5000),
    /** The site's analytics write key (staff make it at /api/admin/analytics/sources); unset → none sent. */
    ANALYTICS_WRITE_KEY: z.string().min(8).max(200).optional(),
    /** How long the click id of an affiliate redirect is kept in the browser's first-party cookie. */
    CLICK_LOOKBACK_DAYS: z.coerce.number().int().min(1).max(365).default(90),
    /**
     * Seconds a product, listing or the categories stay in this process's memory at most; the
     * catalog's events empty it sooner (0 keeps nothing).
     */
    CATALOG_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
    /**
     * Who may deliver events to /events, as for every function: the broker's OIDC issuer, its
     * keys, this Service's audience, the senders its EventPolicy allows. Only
     * EVENTS_OIDC_ISSUER has a default, the dev broker's, and only without REDIS_URL (dev).
     */
    ...eventAuthConfigShape,
    /** TRUSTED_PROXY_HOPS and GATEWAY_TOKEN_FILE: whose address each gateway call is for. */
    ...shopperAddressConfigShape,
    LOG_LEVEL: baseConfigSchema.shape.LOG_LEVEL,
  })
  .transform((env) => ({
    gatewayUrl: env.GATEWAY_URL.replace(/\/+$/, ''),
    gatewayTimeoutMs: env.GATEWAY_TIMEOUT_MS,
    publicOrigin: new URL(env.PUBLIC_ORIGIN).origin,
    redisUrl: env.REDIS_URL,
    sessionIdleSeconds: env.SESSION_IDLE_SECONDS,
    refreshLeewaySeconds: env.SESSION_REFRESH_LEEWAY_SECONDS,
    siteName: env.SITE_NAME,
    currency: env.CATALOG_CURRENCY,
    sitemapMaxProducts: env.SITEMAP_MAX_PRODUCTS,
    analyticsWriteKey: env.ANALYTICS_WRITE_KEY,
    clickLookbackSeconds: env.CLICK_LOOKBACK_DAYS * 24 * 3600,
    logLevel: env.LOG_LEVEL,
    trustedProxyHops: env.TRUSTED_PROXY_HOPS,
    gatewayTokenFile: env.GATEWAY_TOKEN_FILE,
    catalogCacheMs: env.CATALOG_CACHE_SECONDS * 1000,
    events: {
      EVENTS_OIDC_ISSUER:
        env.EVENTS_OIDC_ISSUER ?? (env.REDIS_URL ? undefined : DEV_EVENTS_OIDC_ISSUER),
      EVENTS_OIDC_JWKS_URL: env.EVENTS_OIDC_JWKS_URL,
      EVENTS_OIDC_AUDIENCE: env.EVENTS_OIDC_AUDIENCE,
      EVENTS_ALLOWED_SENDERS: env.EVENTS_ALLOWED_SENDERS,
    },
  }));

export type StorefrontConfig = z.infer<typeof storefrontConfigSchema>;

/**
 * The validated settings; throws a ConfigError naming each bad variable.
 * @example const config = loadStorefrontConfig({ GATEWAY_URL: 'http://127.0.0.1:8080' });
 */
export function loadStorefrontConfig(
  env: Record<string, string | undefined> = process.env,
): StorefrontConfig {
  return loadConfig(storefrontConfigSchema, env);
}
