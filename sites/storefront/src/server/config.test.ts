import { ConfigError } from '@shop/shared';
import { describe, expect, it } from 'vitest';
import { loadStorefrontConfig } from './config.js';

describe('loadStorefrontConfig', () => {
  it('runs on defaults in dev: the local gateway, the in-memory session store', () => {
    const config = loadStorefrontConfig({});
    expect(config).toMatchObject({
      gatewayUrl: 'http://127.0.0.1:8080',
      publicOrigin: 'http://127.0.0.1:4321',
      redisUrl: undefined,
      sessionIdleSeconds: 604800,
      refreshLeewaySeconds: 60,
      currency: 'EUR',
    });
  });

  it('takes the public origin as an origin and the gateway without a trailing slash', () => {
    const config = loadStorefrontConfig({
      PUBLIC_ORIGIN: 'https://shop.example/some/path',
      GATEWAY_URL: 'http://api-gateway.shop.svc/',
      REDIS_URL: 'redis://redis:6379',
    });
    expect(config.publicOrigin).toBe('https://shop.example');
    expect(config.gatewayUrl).toBe('http://api-gateway.shop.svc');
    expect(config.redisUrl).toBe('redis://redis:6379');
  });

  it('refuses bad settings at start, naming each', () => {
    try {
      loadStorefrontConfig({
        GATEWAY_URL: 'ftp://x',
        PUBLIC_ORIGIN: 'shop',
        REDIS_URL: 'http://redis',
        SESSION_IDLE_SECONDS: '0',
        CATALOG_CURRENCY: 'euro',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const names = (error as ConfigError).problems.map((p) => p.variable).sort();
      expect(names).toEqual([
        'CATALOG_CURRENCY',
        'GATEWAY_URL',
        'PUBLIC_ORIGIN',
        'REDIS_URL',
        'SESSION_IDLE_SECONDS',
      ]);
    }
  });
});
