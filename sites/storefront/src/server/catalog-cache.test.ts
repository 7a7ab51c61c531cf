import { createMemoryKeyValue } from '@shop/shared';
import { testKeyValue } from '@shop/shared/testing';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { type CatalogCache, createCatalogCache, withCatalogCache } from './catalog-cache.js';
import { type Answer, createGatewayClient } from './gateway-client.js';

const { kv, cleanup } = testKeyValue();
const caches: CatalogCache[] = [];
afterAll(async () => {
  for (const cache of caches) cache.close();
  await cleanup();
});

function cache(options: Parameters<typeof createCatalogCache>[0]) {
  const made = createCatalogCache(options);
  caches.push(made);
  return made;
}

/** A gateway whose offer price is whatever `price` holds now, counting its calls. */
function fakeGateway() {
  const state = { price: 1000, calls: 0, status: 200 };
  const client = createGatewayClient({
    baseUrl: 'http://gateway.test',
    timeoutMs: 1000,
    fetch: async (input) => {
      state.calls += 1;
      const path = new URL(String(input)).pathname;
      const body = path.startsWith('/api/offers/')
        ? { id: 'p1', slug: 'mug', priceAmount: state.price }
        : { items: [{ id: 'p1', priceAmount: state.price }], nextCursor: null };
      return new Response(JSON.stringify(body), {
        status: state.status,
        headers: { 'content-type': 'application/json' },
      });
    },
  });
  return { state, client };
}

const answer = (body: unknown, status = 200): Answer<unknown> => ({
  status,
  ok: status < 400,
  body,
  headers: new Headers(),
});

describe('the catalog cache', () => {
  it('answers a product from memory until the catalog changes, on every instance', async () => {
    const { state, client } = fakeGateway();
    // Two instances of the site on one Redis.
    const first = withCatalogCache(client, cache({ kv, pollMs: 20 }));
    const secondCache = cache({ kv, pollMs: 20 });
    const second = withCatalogCache(client, secondCache);
    const key = `mug-${crypto.randomUUID()}`;
    expect((await first.getOffer(key)).body.priceAmount).toBe(1000);
    expect((await second.getOffer(key)).body.priceAmount).toBe(1000);
    expect(state.calls).toBe(2);
    // The price changes: until the event, both answer from memory.
    state.price = 1200;
    expect((await first.getOffer(key)).body.priceAmount).toBe(1000);
    expect((await second.getOffer(key)).body.priceAmount).toBe(1000);
    expect(state.calls).toBe(2);
    // The event reaches the second instance only; the first empties its memory within a poll.
    await secondCache.invalidate();
    expect((await second.getOffer(key)).body.priceAmount).toBe(1200);
    await vi.waitFor(async () => expect((await first.getOffer(key)).body.priceAmount).toBe(1200));
  });

  it('keys listings by their parameters in any order and by language, never by the shopper', async () => {
    const { state, client } = fakeGateway();
    const gateway = withCatalogCache(client, cache({ kv: createMemoryKeyValue() }));
    await gateway.listOffers({ category: 'kitchen', limit: 5 }, { accessToken: 'a' });
    await gateway.listOffers({ limit: 5, category: 'kitchen', q: '' }, { cartId: 'c' });
    expect(state.calls).toBe(1);
    await gateway.listOffers({ category: 'kitchen', limit: 5 }, { locale: 'de' });
    await gateway.listOffers({ category: 'garden', limit: 5 });
    expect(state.calls).toBe(3);
    await gateway.categories();
    await gateway.categories();
    expect(state.calls).toBe(4);
  });

  it('keeps only 200 answers', async () => {
    const { state, client } = fakeGateway();
    const gateway = withCatalogCache(client, cache({ kv: createMemoryKeyValue() }));
    state.status = 404;
    expect((await gateway.getOffer('gone')).status).toBe(404);
    state.status = 200;
    expect((await gateway.getOffer('gone')).status).toBe(200);
    expect(state.calls).toBe(2);
  });

  it('shares one load among misses at the same time, and does not keep a load older than an invalidation', async () => {
    const store = createMemoryKeyValue();
    const catalog = cache({ kv: store });
    let release: (value: Answer<unknown>) => void = () => {};
    let loads = 0;
    const slow = () => {
      loads += 1;
      return new Promise<Answer<unknown>>((resolve) => {
        release = resolve;
      });
    };
    const both = Promise.all([catalog.read('k', slow), catalog.read('k', slow)]);
    await catalog.invalidate();
    release(answer({ price: 'old' }));
    const [a, b] = await both;
    expect(a).toBe(b);
    expect(loads).toBe(1);
    // The load began before the invalidation: its answer was given, not kept.
    expect(catalog.size).toBe(0);
  });

  it('trusts an entry only briefly while the generation cannot be read, and not at all past its age', async () => {
    const store = createMemoryKeyValue();
    const get = store.get.bind(store);
    let down = false;
    store.get = (key) => (down ? Promise.reject(new Error('Redis away')) : get(key));
    const catalog = cache({ kv: store, pollMs: 20, trustMs: 50, maxAgeMs: 10_000 });
    let loads = 0;
    const load = async () => {
      loads += 1;
      return answer({ n: loads });
    };
    await vi.waitFor(async () => {
      await catalog.read('k', load);
      expect(catalog.size).toBe(1);
    });
    const before = loads;
    down = true;
    await new Promise((resolve) => setTimeout(resolve, 200));
    await catalog.read('k', load);
    expect(loads).toBe(before + 1);

    const ageing = cache({ kv: createMemoryKeyValue(), maxAgeMs: 40, trustMs: 10 });
    let aged = 0;
    const count = async () => answer({ n: ++aged });
    await ageing.read('k', count);
    await ageing.read('k', count);
    expect(aged).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 60));
    await ageing.read('k', count);
    expect(aged).toBe(2);
  });

  it('keeps nothing with a max age of 0', async () => {
    const catalog = cache({ kv: createMemoryKeyValue(), maxAgeMs: 0 });
    let loads = 0;
    const load = async () => answer({ n: ++loads });
    await catalog.read('k', load);
    await catalog.read('k', load);
    expect(loads).toBe(2);
  });
});
