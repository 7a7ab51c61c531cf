import { silentLogger } from '@shop/shared';
import { testKeyValue } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type GatewayApp } from './app.js';
import {
  createTestGateway,
  makeKey,
  signToken,
  startFakeUpstreams,
  type TestKey,
} from './testing/index.js';

let upstreams: Awaited<ReturnType<typeof startFakeUpstreams>>;
let key: TestKey;
let app: GatewayApp;
const store = testKeyValue();
let now = Date.UTC(2026, 0, 1, 12, 0, 0);

beforeAll(async () => {
  key = await makeKey('key-1');
  upstreams = await startFakeUpstreams([key]);
  app = createTestGateway(upstreams.urls, {
    kv: store.kv,
    rateLimits: { anonymous: 3, user: 5, windowSeconds: 60 },
    trustedProxyHops: 1,
    clock: () => now,
  });
});
afterAll(async () => {
  await upstreams.close();
  await store.cleanup();
});

const from = (ip: string, extra: Record<string, string> = {}) => ({
  headers: { 'x-forwarded-for': ip, ...extra },
});

describe('rate limits', () => {
  it('counts anonymous clients by address, trips with 429 and Retry-After, then recovers', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await app.request('/api/offers', from('198.51.100.1'));
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBe('3');
      expect(res.headers.get('ratelimit-remaining')).toBe(String(2 - i));
      expect(res.headers.get('ratelimit-policy')).toBe('3;w=60');
      expect(Number(res.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    }
    const refused = await app.request('/api/offers', from('198.51.100.1'));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');

    // Another client is not affected.
    expect((await app.request('/api/offers', from('198.51.100.2'))).status).toBe(200);

    now += 2 * 60_000;
    expect((await app.request('/api/offers', from('198.51.100.1'))).status).toBe(200);
  });

  it('counts a signed-in user by id with the user limit, wherever they connect from', async () => {
    const token = await signToken(key, { sub: 'busy-user' });
    for (let i = 0; i < 5; i++) {
      const res = await app.request(
        '/api/offers',
        from(`192.0.2.${i}`, { authorization: `Bearer ${token}` }),
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBe('5');
    }
    const refused = await app.request(
      '/api/offers',
      from('192.0.2.99', { authorization: `Bearer ${token}` }),
    );
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).not.toBeNull();
  });

  it('counts refused tokens against the address, so guessing tokens is limited too', async () => {
    const ip = '198.51.100.77';
    for (let i = 0; i < 3; i++) {
      const res = await app.request('/api/offers', from(ip, { authorization: 'Bearer bad' }));
      expect(res.status).toBe(401);
      expect(res.headers.get('ratelimit-remaining')).toBe(String(2 - i));
    }
    expect(
      (await app.request('/api/offers', from(ip, { authorization: 'Bearer bad' }))).status,
    ).toBe(429);
  });

  it('puts rate-limit headers on problems too', async () => {
    const res = await app.request('/api/nowhere', from('198.51.100.9'));
    expect(res.status).toBe(404);
    expect(res.headers.get('ratelimit-limit')).toBe('3');
  });
});

describe('rate limits when the store fails', () => {
  it('serves requests without limits rather than failing them', async () => {
    const broken = testKeyValue().kv;
    broken.incr = async () => {
      throw new Error('store down');
    };
    const failing = createApp({
      log: silentLogger(),
      kv: broken,
      upstreams: upstreams.urls,
      verifyToken: async () => {
        throw new Error('unused');
      },
    });
    const res = await failing.request('/api/offers');
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-limit')).toBeNull();
    await broken.close();
  });
});
