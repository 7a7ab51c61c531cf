import { ConfigError } from '@shop/shared';
import { describe, expect, it } from 'vitest';
import { loadAdminConfig } from './config.js';

describe('loadAdminConfig', () => {
  it('runs on defaults in dev: the local gateway, port 4323, the in-memory session store', () => {
    expect(loadAdminConfig({})).toMatchObject({
      gatewayUrl: 'http://127.0.0.1:8080',
      publicOrigin: 'http://127.0.0.1:4323',
      redisUrl: undefined,
      sessionIdleSeconds: 28800,
      refreshLeewaySeconds: 60,
      proxyMaxBodyBytes: 1048576,
      importMaxBodyBytes: 25165824,
    });
  });

  it('refuses bad settings at start, naming each', () => {
    try {
      loadAdminConfig({
        GATEWAY_URL: 'ftp://x',
        PUBLIC_ORIGIN: 'admin',
        REDIS_URL: 'http://redis',
        ADMIN_SESSION_IDLE_SECONDS: '0',
        ADMIN_PROXY_MAX_BODY_BYTES: '1',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual([
        'ADMIN_PROXY_MAX_BODY_BYTES',
        'ADMIN_SESSION_IDLE_SECONDS',
        'GATEWAY_URL',
        'PUBLIC_ORIGIN',
        'REDIS_URL',
      ]);
    }
  });
});
