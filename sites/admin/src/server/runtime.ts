// The only place that builds the back office's clients (the store, the gateway client), once
// per process, from the validated settings. Everything else gets them passed in.
import { createMemoryKeyValue, createRedisKeyValue, type KeyValue } from '@shop/shared';
import { shopperHeaders } from '@shop/shared/site-security';
import { type AdminConfig, loadAdminConfig } from './config.js';
import { createGateway, type Gateway } from './gateway.js';
import { createSessionStore, type SessionStore } from './session-store.js';

export interface Runtime {
  config: AdminConfig;
  kv: KeyValue;
  gateway: Gateway;
  sessions: SessionStore;
}

let runtime: Runtime | undefined;

/** The process's runtime, built on first use; a bad setting throws a ConfigError naming it. */
export function getRuntime(): Runtime {
  if (runtime) return runtime;
  const config = loadAdminConfig();
  const kv = config.redisUrl ? createRedisKeyValue(config.redisUrl) : createMemoryKeyValue();
  runtime = {
    config,
    kv,
    gateway: createGateway({
      baseUrl: config.gatewayUrl,
      timeoutMs: config.gatewayTimeoutMs,
      shopperHeaders: shopperHeaders(config.gatewayTokenFile),
    }),
    sessions: createSessionStore({
      kv,
      idleSeconds: config.sessionIdleSeconds,
      refreshLeewaySeconds: config.refreshLeewaySeconds,
    }),
  };
  return runtime;
}
