// Two instances of the function on one database and key-value store, as replicas run: a change
// made through one reaches the other within a second, and the stock web provider (OFREP bulk,
// ETag, the change stream) refetches when something changed.
import { OFREPWebProvider } from '@openfeature/ofrep-web-provider';
import { ProviderEvents, OpenFeature as WebFeature } from '@openfeature/web-sdk';
import { silentLogger } from '@shop/shared';
import { testDatabase, testKeyValue, testVerifyToken } from '@shop/shared/testing';
import { EventSource } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featureFlag } from './main.js';
import { STAFF } from './testing/testbed.js';

type Running = Awaited<ReturnType<typeof featureFlag.start>>;
let a: Running;
let b: Running;
let cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const db = await testDatabase();
  const kv = testKeyValue();
  cleanups = [kv.cleanup, db.cleanup];
  const start = () =>
    featureFlag.start({
      env: { SEED_DEMO_DATA: 'true', RUN_MIGRATIONS: 'true', FLAG_POLL_MS: '100' },
      db: db.db,
      kv: kv.kv,
      port: 0,
      log: silentLogger(),
      handleSignals: false,
      verifyToken: testVerifyToken,
    });
  a = await start();
  b = await start();
});
afterAll(async () => {
  await WebFeature.close();
  await a?.shutdown();
  await b?.shutdown();
  for (const cleanup of cleanups) await cleanup();
});

const evaluate = async (running: Running, key: string, context: object = {}) =>
  (await (
    await fetch(`${running.url}/ofrep/v1/evaluate/flags/${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ context }),
    })
  ).json()) as Record<string, unknown>;

describe('feature-flag instances', () => {
  it('start with the demo flags seeded once', async () => {
    expect(await evaluate(a, 'fault-payment-failure-rate')).toMatchObject({
      value: 0,
      reason: 'STATIC',
    });
    expect(
      await evaluate(b, 'storefront-new-product-page', { email: 'ann@shop.test' }),
    ).toMatchObject({ value: true });
    const headline = await evaluate(b, 'landing-headline', { targetingKey: 'visitor-1' });
    expect(headline).toMatchObject({ reason: 'TARGETING_MATCH', metadata: { experiment: true } });
    expect(await evaluate(a, 'landing-headline', { targetingKey: 'visitor-1' })).toEqual(headline);
    // The landing page's promo banner: on for everyone until staff toggle it.
    expect(await evaluate(b, 'landing-promo-banner', { targetingKey: 'visitor-1' })).toEqual({
      key: 'landing-promo-banner',
      value: true,
      variant: 'on',
      reason: 'STATIC',
      metadata: expect.objectContaining({ owner: 'marketing' }),
    });
  });

  it('carry a change made on one instance to the other within a second', async () => {
    const changed = await fetch(`${b.url}/api/admin/flags/fault-payment-failure-rate`, {
      method: 'PUT',
      headers: { ...STAFF, 'content-type': 'application/json' },
      body: JSON.stringify({
        definition: {
          state: 'ENABLED',
          variants: { off: 0, ten: 0.1, half: 0.5, all: 1 },
          defaultVariant: 'ten',
        },
      }),
    });
    expect(changed.status).toBe(200);
    const since = Date.now();
    let value: unknown;
    while (Date.now() - since < 1_000) {
      value = (await evaluate(a, 'fault-payment-failure-rate')).value;
      if (value === 0.1) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(value).toBe(0.1);
    expect(Date.now() - since).toBeLessThan(1_000);
  });

  it('push a change to the stock web provider over the change stream', async () => {
    (globalThis as { EventSource?: unknown }).EventSource ??= EventSource;
    const provider = new OFREPWebProvider({
      baseUrl: a.url,
      cacheMode: 'disabled',
      changeDetection: 'sse',
    });
    await WebFeature.setContext({ targetingKey: 'visitor-7', email: 'ann@shop.test' });
    await WebFeature.setProviderAndWait(provider);
    const client = WebFeature.getClient();
    expect(client.getBooleanDetails('storefront-new-product-page', false)).toMatchObject({
      value: true,
      variant: 'on',
    });
    const changed = new Promise<void>((resolve) =>
      client.addHandler(ProviderEvents.ConfigurationChanged, () => resolve()),
    );
    const toggled = await fetch(`${b.url}/api/admin/flags/storefront-new-product-page/toggle`, {
      method: 'POST',
      headers: { ...STAFF, 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: false }),
    });
    expect(toggled.status).toBe(200);
    await changed;
    expect(client.getBooleanDetails('storefront-new-product-page', true)).toMatchObject({
      value: true,
      reason: 'DISABLED',
    });
  });
});
