// The only place that builds the storefront's clients (the store, the gateway client), once per
// process, from the validated settings. Everything else gets them passed in.

import {
  createLogger,
  createMemoryKeyValue,
  createRedisKeyValue,
  eventSenderVerifierFromConfig,
  type KeyValue,
  type ServiceEnv,
} from '@shop/shared';
import { shopperHeaders } from '@shop/shared/site-security';
import type { Hono } from 'hono';
import { type Analytics, createAnalytics } from './analytics.js';
import { createCatalogCache, withCatalogCache } from './catalog-cache.js';
import { createCatalogEvents } from './catalog-events.js';
import { loadStorefrontConfig, type StorefrontConfig } from './config.js';
import { createGatewayClient, type GatewayClient } from './gateway-client.js';
import { createSessionStore, type SessionStore } from './session-store.js';

export interface Runtime {
  config: StorefrontConfig;
  kv: KeyValue;
  gateway: GatewayClient;
  sessions: SessionStore;
  analytics: Analytics;
  /** POST /events: the catalog's events, which empty the catalog cache. */
  events: Hono<ServiceEnv>;
}

let runtime: Runtime | undefined;

/** The process's runtime, built on first use; a bad setting throws a ConfigError naming it. */
export function getRuntime(): Runtime {
  if (runtime) return runtime;
  const config = loadStorefrontConfig();
  const kv = config.redisUrl ? createRedisKeyValue(config.redisUrl) : createMemoryKeyValue();
  const log = createLogger({ service: 'storefront', level: config.logLevel });
  const cache = createCatalogCache({ kv, maxAgeMs: config.catalogCacheMs });
  runtime = {
    config,
    kv,
    gateway: withCatalogCache(
      createGatewayClient({
        baseUrl: config.gatewayUrl,
        timeoutMs: config.gatewayTimeoutMs,
        shopperHeaders: shopperHeaders(config.gatewayTokenFile),
      }),
      cache,
    ),
    sessions: createSessionStore({
      kv,
      idleSeconds: config.sessionIdleSeconds,
      refreshLeewaySeconds: config.refreshLeewaySeconds,
    }),
    analytics: createAnalytics({
      batchUrl: `${config.gatewayUrl}/api/analytics/v1/batch`,
      writeKey: config.analyticsWriteKey,
    }),
    events: createCatalogEvents({
      kv,
      cache,
      log,
      verifySender: eventSenderVerifierFromConfig(config.events, { name: 'storefront', log }),
    }),
  };
  return runtime;
}
