import { ConfigError } from '@shop/shared';
import { describe, expect, it } from 'vitest';
import { loadLandingConfig } from './config.js';

describe('loadLandingConfig', () => {
  it('starts on development defaults: the gateway, the storefront, no page views', () => {
    expect(loadLandingConfig({})).toMatchObject({
      gatewayUrl: 'http://127.0.0.1:8080',
      publicGatewayUrl: 'http://127.0.0.1:8080',
      publicOrigin: 'http://localhost:4322',
      storefrontOrigin: 'http://127.0.0.1:4321',
      flagTimeoutMs: 800,
      analyticsWriteKey: undefined,
      visitorCookieSeconds: 365 * 24 * 3600,
      // No proxy in front, no token: the gateway counts every visitor as the site.
      trustedProxyHops: 0,
      gatewayTokenFile: undefined,
    });
  });

  it('takes the proxies in front and the token file that lets the gateway count visitors apart', () => {
    expect(
      loadLandingConfig({ TRUSTED_PROXY_HOPS: '2', GATEWAY_TOKEN_FILE: '/var/run/token' }),
    ).toMatchObject({ trustedProxyHops: 2, gatewayTokenFile: '/var/run/token' });
    expect(() => loadLandingConfig({ TRUSTED_PROXY_HOPS: '-1' })).toThrow(ConfigError);
  });

  it('takes origins without paths and the public gateway apart from the internal one', () => {
    const config = loadLandingConfig({
      GATEWAY_URL: 'http://api-gateway.shop.svc/',
      PUBLIC_GATEWAY_URL: 'https://api.shop.example/',
      PUBLIC_ORIGIN: 'https://sale.shop.example/anything',
      STOREFRONT_ORIGIN: 'https://shop.example/',
      ANALYTICS_WRITE_KEY: 'wk_x',
    });
    expect(config).toMatchObject({
      gatewayUrl: 'http://api-gateway.shop.svc',
      publicGatewayUrl: 'https://api.shop.example',
      publicOrigin: 'https://sale.shop.example',
      storefrontOrigin: 'https://shop.example',
      analyticsWriteKey: 'wk_x',
    });
  });

  it('refuses bad settings, naming each', () => {
    let error: unknown;
    try {
      loadLandingConfig({ STOREFRONT_ORIGIN: 'javascript:alert(1)', FLAG_TIMEOUT_MS: '0' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toContain('STOREFRONT_ORIGIN');
    expect(String((error as Error).message)).toContain('FLAG_TIMEOUT_MS');
  });
});
