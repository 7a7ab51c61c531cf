// The catalog pages' reads (a product, a listing, the categories), kept in this process so a
// product or category page costs no gateway call while nothing changed. What makes an entry go
// is the catalog's own events, not a timer: offer's `shop.offer.*` reach one instance at
// /events (src/server/catalog-events.ts), which empties its memory and bumps a generation in
// the session store (Redis); every instance reads that generation every 250 ms and empties its
// own when it moved. So a price change shows on every instance within a second of the event.
//
// `maxAgeMs` bounds what no event tells: stock reserved by orders (reservations are not
// catalog events) and a lost event. While the generation cannot be read (Redis away), entries
// are trusted for `trustMs` only, so a change still shows within a second.
import { type KeyValue, watchGeneration } from '@shop/shared';
import { LRUCache } from 'lru-cache';
import type { Answer, Caller, GatewayClient, ListingQuery } from './gateway-client.js';

export const CATALOG_GENERATION_KEY = 'storefront:catalog:generation';

export interface CatalogCacheOptions {
  kv: KeyValue;
  /** Milliseconds an entry is kept at most (default 30 s). 0 keeps nothing. */
  maxAgeMs?: number;
  /** Milliseconds an entry is trusted while the generation cannot be read (default 1 s). */
  trustMs?: number;
  /** Milliseconds between two reads of the generation (default 250). */
  pollMs?: number;
  /** Most answers kept (default 2,000). */
  max?: number;
}

export interface CatalogCache {
  /**
   * The answer for `key`: the kept one while it is fresh, else `load`'s (misses of one key at
   * the same time share one load). Only 200 answers are kept.
   */
  read<T>(key: string, load: () => Promise<Answer<T>>): Promise<Answer<T>>;
  /** Empties this instance's memory and bumps the generation, so every instance empties its own. */
  invalidate(): Promise<void>;
  /** Answers kept now. */
  readonly size: number;
  close(): void;
}

type Entry = { answer: Answer<unknown>; at: number };

/**
 * @example const cache = createCatalogCache({ kv }); const page = await cache.read('offers?…', load);
 */
export function createCatalogCache(options: CatalogCacheOptions): CatalogCache {
  const maxAgeMs = options.maxAgeMs ?? 30_000;
  const trustMs = Math.min(options.trustMs ?? 1_000, maxAgeMs);
  const lru = new LRUCache<string, Entry>({ max: options.max ?? 2_000 });
  /** Bumped whenever the memory is emptied: a load that started before must not fill it. */
  let epoch = 0;
  const clear = () => {
    lru.clear();
    epoch += 1;
  };
  const generation = watchGeneration({
    kv: options.kv,
    key: CATALOG_GENERATION_KEY,
    pollMs: options.pollMs ?? 250,
    onChange: clear,
  });
  const pending = new Map<string, Promise<Answer<unknown>>>();
  const fresh = (entry: Entry, now: number) =>
    now - entry.at < maxAgeMs && (now - entry.at < trustMs || generation.isFresh(now));

  return {
    read<T>(key: string, load: () => Promise<Answer<T>>): Promise<Answer<T>> {
      const hit = lru.get(key);
      if (hit && fresh(hit, Date.now())) return Promise.resolve(hit.answer as Answer<T>);
      const shared = pending.get(key);
      if (shared) return shared as Promise<Answer<T>>;
      const startedIn = epoch;
      const loading = load()
        .then((answer) => {
          if (answer.status === 200 && maxAgeMs > 0 && epoch === startedIn) {
            lru.set(key, { answer, at: Date.now() });
          }
          return answer;
        })
        .finally(() => pending.delete(key));
      pending.set(key, loading);
      return loading;
    },
    async invalidate() {
      clear();
      await generation.bump();
    },
    get size() {
      return lru.size;
    },
    close() {
      generation.close();
    },
  };
}

/**
 * The gateway client with its catalog reads (`listOffers`, `getOffer`, `categories`) going
 * through `cache`. Their answers are the same for every shopper (the public catalog), so the key
 * is the route and the language asked for, never the caller's token or cart.
 * @example const gateway = withCatalogCache(createGatewayClient(options), cache);
 */
export function withCatalogCache(gateway: GatewayClient, cache: CatalogCache): GatewayClient {
  const key = (route: string, caller?: Caller) => `${caller?.locale ?? ''} ${route}`;
  /** A listing's parameters in one order, without the empty ones. */
  const listingKey = (query: ListingQuery) =>
    Object.entries(query)
      .filter(([, value]) => value !== undefined && value !== '')
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, value]) => `${name}=${encodeURIComponent(String(value))}`)
      .join('&');
  return {
    ...gateway,
    listOffers: (query, caller) =>
      cache.read(key(`offers ${listingKey(query)}`, caller), () =>
        gateway.listOffers(query, caller),
      ),
    getOffer: (idOrSlug, caller) =>
      cache.read(key(`offer ${idOrSlug}`, caller), () => gateway.getOffer(idOrSlug, caller)),
    categories: (caller) => cache.read(key('categories', caller), () => gateway.categories(caller)),
  };
}
