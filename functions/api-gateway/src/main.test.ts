import { API_SECURITY_HEADERS, silentLogger } from '@shop/shared';
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
      expect(gateway.config.OPS_PORT).toBe(9080);
      const res = await fetch(`${gateway.url}/api/nowhere`);
      expect(res.status).toBe(404);
      expect(res.headers.get('ratelimit-limit')).toBe('600');
    } finally {
      await gateway.shutdown();
    }
  });

  it('serves /healthz, /readyz and /metrics on the ops port only, never on the public port', async () => {
    const gateway = await gatewayFunction.start({
      env: { OPS_PORT: '0' },
      port: 0,
      log: silentLogger(),
      handleSignals: false,
    });
    try {
      expect(gateway.opsUrl).toBeDefined();
      expect(gateway.opsUrl).not.toBe(gateway.url);
      // The gateway's own 404, whose security headers the refusals below must carry too.
      const unknown = await fetch(`${gateway.url}/api/no-such-thing`);
      expect(unknown.status).toBe(404);
      const security = Object.keys(API_SECURITY_HEADERS);
      const securityOf = (res: Response) =>
        Object.fromEntries(security.map((name) => [name, res.headers.get(name)]));
      expect(securityOf(unknown)).toEqual(API_SECURITY_HEADERS);
      for (const path of ['/healthz', '/readyz', '/metrics']) {
        const refused = await fetch(`${gateway.url}${path}`);
        expect(refused.status).toBe(404);
        expect(refused.headers.get('content-type')).toBe('application/problem+json');
        expect(securityOf(refused)).toEqual(API_SECURITY_HEADERS);
        expect((await fetch(`${gateway.opsUrl}${path}`)).status).toBe(200);
      }
      expect(await (await fetch(`${gateway.opsUrl}/metrics`)).text()).toContain(
        'http_server_request_duration_seconds_count',
      );
      // The ops port forwards nothing.
      expect((await fetch(`${gateway.opsUrl}/api/offers`)).status).toBe(404);
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
