import { silentLogger } from '@shop/shared';
import { describe, expect, it } from 'vitest';
import { gateway as gatewayFunction } from './main.js';

describe('startGateway', () => {
  it('serves on the given port with defaults pointing at the local function ports', async () => {
    const gateway = await gatewayFunction.start({
      env: {},
      port: 0,
      log: silentLogger(),
      handleSignals: false,
    });
    try {
      expect(gateway.port).toBeGreaterThan(0);
      expect(gateway.config.PORT).toBe(8080);
      expect(gateway.config.OFFER_URL).toBe('http://127.0.0.1:8083');
      expect(gateway.config.CORS_ORIGINS).toContain('http://localhost:4321');
      expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
      const res = await fetch(`${gateway.url}/api/nowhere`);
      expect(res.status).toBe(404);
      expect(res.headers.get('ratelimit-limit')).toBe('600');
    } finally {
      await gateway.shutdown();
    }
  });

  it('refuses an invalid environment naming the variable', async () => {
    await expect(
      gatewayFunction.start({
        env: { OFFER_URL: 'not a url' },
        log: silentLogger(),
        handleSignals: false,
      }),
    ).rejects.toThrow(/OFFER_URL/);
    await expect(
      gatewayFunction.start({
        env: { RATE_LIMIT_USER: '0' },
        log: silentLogger(),
        handleSignals: false,
      }),
    ).rejects.toThrow(/RATE_LIMIT_USER/);
  });
});
