// The sites call the gateway from their own servers for every shopper: a shopper's address
// comes in x-shop-client-address, believed only with the site's own verified token.
import { createWorkloadTokenVerifier } from '@shop/shared';
import { testKeyValue } from '@shop/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayApp } from './app.js';
import {
  createTestGateway,
  type Echo,
  makeKey,
  signToken,
  startFakeUpstreams,
  type TestKey,
} from './testing/index.js';

const CLUSTER = 'https://kubernetes.default.svc.cluster.local';
const STOREFRONT = 'system:serviceaccount:shop:storefront';

let upstreams: Awaited<ReturnType<typeof startFakeUpstreams>>;
let accessKey: TestKey;
let clusterKey: TestKey;
let app: GatewayApp;
const store = testKeyValue();
let now = Date.UTC(2026, 0, 1, 12, 0, 0);

beforeAll(async () => {
  accessKey = await makeKey('key-1');
  clusterKey = await makeKey('cluster-1');
  upstreams = await startFakeUpstreams([accessKey]);
  app = createTestGateway(upstreams.urls, {
    kv: store.kv,
    verifySiteToken: createWorkloadTokenVerifier({
      issuer: CLUSTER,
      jwks: { keys: [clusterKey.publicJwk] },
      audience: 'api-gateway',
      allowedSenders: [STOREFRONT],
    }),
    rateLimits: { anonymous: 2, user: 5, windowSeconds: 60 },
    clock: () => now,
  });
});
afterAll(async () => {
  await upstreams.close();
  await store.cleanup();
});

/** A site's service-account token, as the cluster projects it for the gateway's audience. */
const siteToken = (options: { sub?: string; audience?: string; key?: TestKey } = {}) =>
  signToken(options.key ?? clusterKey, {
    sub: options.sub ?? STOREFRONT,
    issuer: CLUSTER,
    audience: options.audience ?? 'api-gateway',
    expiresAt: '1h',
  });

/** A site's call for the shopper at `shopper`, with `token` (none: a forged claim). */
const forShopper = (shopper: string, token?: string) =>
  app.request('/api/offers', {
    headers: {
      'x-shop-client-address': shopper,
      ...(token && { 'x-shop-site-token': token }),
    },
  });

describe('a shopper address named by a site', () => {
  it('counts two shoppers behind one site apart, and forwards only the shopper address', async () => {
    now += 10 * 60_000;
    const token = await siteToken();
    const first = await forShopper('198.51.100.1', token);
    expect(first.status).toBe(200);
    const echo = (await first.json()) as Echo;
    expect(echo.headers['x-forwarded-for']).toBe('198.51.100.1');
    // The site's credential goes no further than the gateway.
    expect(Object.keys(echo.headers).filter((name) => name.startsWith('x-shop-'))).toEqual([]);
    expect((await forShopper('198.51.100.1', token)).status).toBe(200);
    expect((await forShopper('198.51.100.1', token)).status).toBe(429);
    // Another shopper of the same site has a budget of their own.
    expect((await forShopper('198.51.100.2', token)).status).toBe(200);
  });

  it('ignores the claim without a token: whoever sends it is counted under their own address', async () => {
    now += 10 * 60_000;
    expect((await forShopper('203.0.113.1')).status).toBe(200);
    // A new forged address each time changes nothing: the caller's own bucket runs out.
    expect((await forShopper('203.0.113.2')).status).toBe(200);
    const third = await forShopper('203.0.113.3');
    expect(third.status).toBe(429);
  });

  it('ignores the claim with a token of a subject not allowed, another audience, a key not the cluster’s, or no address', async () => {
    now += 10 * 60_000;
    const refused = [
      await siteToken({ sub: 'system:serviceaccount:shop:someone-else' }),
      await siteToken({ audience: 'shop' }),
      await siteToken({ key: accessKey }),
    ];
    const statuses: number[] = [];
    for (const [index, token] of refused.entries()) {
      statuses.push((await forShopper(`192.0.2.${index + 1}`, token)).status);
    }
    // All three counted under the caller's own address: the third is over its budget of two.
    expect(statuses).toEqual([200, 200, 429]);
    now += 10 * 60_000;
    const valid = await siteToken();
    const notAnAddress = await forShopper('localhost, 198.51.100.9', valid);
    expect(((await notAnAddress.json()) as Echo).headers['x-forwarded-for']).not.toContain(
      'localhost',
    );
  });

  it('stops believing a token once it expired', async () => {
    now += 10 * 60_000;
    const shortLived = await signToken(clusterKey, {
      sub: STOREFRONT,
      issuer: CLUSTER,
      audience: 'api-gateway',
      expiresAt: Math.floor(Date.now() / 1000) - 120,
    });
    const statuses: number[] = [];
    for (let i = 1; i <= 3; i++) {
      statuses.push((await forShopper(`198.51.100.${100 + i}`, shortLived)).status);
    }
    expect(statuses).toEqual([200, 200, 429]);
  });
});
