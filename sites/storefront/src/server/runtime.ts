// The only place that builds the storefront's clients (the store, the gateway client), once per
// process, from the validated settings. Everything else gets them passed in.
import { createMemoryKeyValue, createRedisKeyValue, type KeyValue } from '@shop/shared';
import { type Analytics, createAnalytics } from './analytics.js';
import { loadStorefrontConfig, type StorefrontConfig } from './config.js';
import { createGatewayClient, type GatewayClient } from './gateway-client.js';
import { createSessionStore, type SessionStore } from './session-store.js';

export interface Runtime {
  config: StorefrontConfig;
  kv: KeyValue;
  gateway: GatewayClient;
  sessions: SessionStore;
  analytics: Analytics;
}

let runtime: Runtime | undefined;

/** The process's runtime, built on first use; a bad setting throws a ConfigError naming it. */
export function getRuntime(): Runtime {
  if (runtime) return runtime;
  const config = loadStorefrontConfig();
  const kv = config.redisUrl ? createRedisKeyValue(config.redisUrl) : createMemoryKeyValue();
  runtime = {
    config,
    kv,
    gateway: createGatewayClient({
      baseUrl: config.gatewayUrl,
      timeoutMs: config.gatewayTimeoutMs,
    }),
    sessions: createSessionStore({
      kv,
      idleSeconds: config.sessionIdleSeconds,
      refreshLeewaySeconds: config.refreshLeewaySeconds,
    }),
    analytics: createAnalytics({
      batchUrl: `${config.gatewayUrl}/api/analytics/v1/batch`,
      writeKey: config.analyticsWriteKey,
    }),
  };
  return runtime;
}
