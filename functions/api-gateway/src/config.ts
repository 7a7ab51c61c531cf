import type { FunctionConfig } from '@shop/shared';
import { z } from 'zod';

const DEFAULT_CORS_ORIGINS = [4321, 4322, 4323]
  .flatMap((port) => [`http://127.0.0.1:${port}`, `http://localhost:${port}`])
  .join(',');

const upstreamUrl = (port: number) => z.url().default(`http://127.0.0.1:${port}`);
const positiveInt = z.coerce.number().int().min(1);

/** The gateway's own settings: the upstream URLs and its limits (the kit adds the shared ones). */
export const configShape = {
  /**
   * Where `/healthz`, `/readyz` and `/metrics` are served (probes, Prometheus), never on the
   * public PORT; 0 picks a free port.
   */
  OPS_PORT: z.coerce.number().int().min(0).max(65_535).default(9080),
  USER_URL: upstreamUrl(8082),
  OFFER_URL: upstreamUrl(8083),
  CART_URL: upstreamUrl(8084),
  REDIRECT_URL: upstreamUrl(8085),
  FEATURE_FLAG_URL: upstreamUrl(8086),
  ANALYTICS_INGEST_URL: upstreamUrl(8087),
  CONVERSION_WEBHOOK_URL: upstreamUrl(8088),
  ATTRIBUTION_URL: upstreamUrl(8089),
  NOTIFICATION_URL: upstreamUrl(8090),
  AUDIT_URL: upstreamUrl(8091),
  REPORTING_URL: upstreamUrl(8092),
  // AUTH_URL, AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE and the JWKS/revocation timings are
  // the kit's identity settings, shared with every function.
  /** Requests per window for a client without a valid token, keyed by client IP. */
  RATE_LIMIT_ANONYMOUS: positiveInt.default(600),
  /** Requests per window for a signed-in user, keyed by user id. */
  RATE_LIMIT_USER: positiveInt.default(1200),
  RATE_LIMIT_WINDOW_SECONDS: positiveInt.default(60),
  /**
   * Proxies in front of the gateway that append to X-Forwarded-For (1 behind the Istio
   * ingress gateway); 0 trusts no header and uses the socket address.
   */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).default(0),
  /**
   * The issuer of the sites' service-account tokens (the cluster's; the dev broker's in dev):
   * with it and SITE_ALLOWED_SUBJECTS, a site's call naming a shopper's address in
   * x-shop-client-address is counted under that address. Unset: every such claim is ignored.
   */
  SITE_TOKEN_ISSUER: z.url().optional(),
  /** Where the issuer's keys are; default `<issuer>/openid/v1/jwks`. */
  SITE_TOKEN_JWKS_URL: z.url().optional(),
  /** The `aud` a site's token must carry. */
  SITE_TOKEN_AUDIENCE: z.string().min(1).default('api-gateway'),
  /** The sites' token subjects, comma separated (`system:serviceaccount:shop:storefront`, …). */
  SITE_ALLOWED_SUBJECTS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((subject) => subject.trim())
        .filter(Boolean),
    ),
  /** Browser origins allowed by CORS, comma separated. */
  CORS_ORIGINS: z
    .string()
    .default(DEFAULT_CORS_ORIGINS)
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    ),
  /** Milliseconds an upstream has to answer with its status and headers. */
  UPSTREAM_TIMEOUT_MS: positiveInt.default(10_000),
  /** Largest request body forwarded, in bytes. */
  MAX_BODY_BYTES: positiveInt.default(1024 * 1024),
  /** Largest webhook body forwarded to /webhooks/*, in bytes. */
  WEBHOOK_MAX_BODY_BYTES: positiveInt.default(512 * 1024),
  /** Largest body forwarded to auth, in bytes (auth's own limit). */
  AUTH_MAX_BODY_BYTES: positiveInt.default(16 * 1024),
  /** Largest catalog file staff import (POST /api/admin/catalog/imports), in bytes. */
  CATALOG_IMPORT_MAX_BODY_BYTES: positiveInt.default(24 * 1024 * 1024),
  /** Seconds the merged /openapi.json is cached. */
  OPENAPI_CACHE_SECONDS: z.coerce.number().int().min(0).default(60),
  /** Milliseconds each upstream has to serve its /openapi.json. */
  OPENAPI_TIMEOUT_MS: positiveInt.default(3_000),
};

/** The gateway's parsed environment. */
export type GatewayConfig = FunctionConfig<typeof configShape>;
