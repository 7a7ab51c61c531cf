// The back office's settings: read from the environment once, at start, and refused with every
// bad variable named (the kit's loadConfig), as every function's are.
import { loadConfig } from '@shop/shared';
import { shopperAddressConfigShape } from '@shop/shared/site-security';
import { z } from 'zod';

const seconds = z.coerce.number().int().min(1);

/** The environment the back office reads (see the README's settings table). */
export const adminConfigSchema = z
  .object({
    /** The gateway; the back office calls its /api/auth and /api/admin routes only. */
    GATEWAY_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8080'),
    GATEWAY_TIMEOUT_MS: z.coerce.number().int().min(1).max(60_000).default(10_000),
    /** Where staff reach the back office: state-changing requests must come from it. */
    PUBLIC_ORIGIN: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4323'),
    /** Redis for the sessions; unset → the kit's in-memory store (dev, tests: one process). */
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' }).optional(),
    /** A staff session unused this long is gone (sliding); shorter than the shop's. */
    ADMIN_SESSION_IDLE_SECONDS: seconds.default(8 * 3600),
    /** Refresh the access token this long before it expires. */
    SESSION_REFRESH_LEEWAY_SECONDS: seconds.default(60),
    /** The largest request body the proxy forwards to the gateway. */
    ADMIN_PROXY_MAX_BODY_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(50 * 1024 * 1024)
      .default(1024 * 1024),
    /** The largest catalog file the proxy forwards to the import (POST /api/admin/catalog/imports). */
    ADMIN_IMPORT_MAX_BODY_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(100 * 1024 * 1024)
      .default(24 * 1024 * 1024),
    /** The currency the catalog sells in (offer's CATALOG_CURRENCY): new prices are typed in it. */
    CATALOG_CURRENCY: z
      .string()
      .regex(/^[A-Z]{3}$/, 'an ISO 4217 code')
      .default('EUR'),
    SITE_NAME: z.string().min(1).max(100).default('Shop back office'),
    /** TRUSTED_PROXY_HOPS and GATEWAY_TOKEN_FILE: whose address each gateway call is for. */
    ...shopperAddressConfigShape,
  })
  .transform((env) => ({
    gatewayUrl: env.GATEWAY_URL.replace(/\/+$/, ''),
    gatewayTimeoutMs: env.GATEWAY_TIMEOUT_MS,
    publicOrigin: new URL(env.PUBLIC_ORIGIN).origin,
    redisUrl: env.REDIS_URL,
    sessionIdleSeconds: env.ADMIN_SESSION_IDLE_SECONDS,
    refreshLeewaySeconds: env.SESSION_REFRESH_LEEWAY_SECONDS,
    proxyMaxBodyBytes: env.ADMIN_PROXY_MAX_BODY_BYTES,
    importMaxBodyBytes: env.ADMIN_IMPORT_MAX_BODY_BYTES,
    currency: env.CATALOG_CURRENCY,
    siteName: env.SITE_NAME,
    trustedProxyHops: env.TRUSTED_PROXY_HOPS,
    gatewayTokenFile: env.GATEWAY_TOKEN_FILE,
  }));

export type AdminConfig = z.infer<typeof adminConfigSchema>;

/**
 * The validated settings; throws a ConfigError naming each bad variable.
 * @example const config = loadAdminConfig({ GATEWAY_URL: 'http://127.0.0.1:8080' });
 */
export function loadAdminConfig(
  env: Record<string, string | undefined> = process.env,
): AdminConfig {
  return loadConfig(adminConfigSchema, env);
}
