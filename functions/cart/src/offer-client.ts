// Reads products from the offer function over HTTP: prices, names and stock are never taken
// from the client. A timeout on every call and a small in-process cache of a few seconds.
import { Problem } from '@shop/shared';

/** What the cart needs of a product. */
export interface OfferProduct {
  id: string;
  slug: string;
  name: string;
  priceAmount: number;
  currency: string;
  stock: number;
  status: string;
}

export interface OfferClient {
  /** The active product, or null when offer knows no active product with this id. */
  getProduct(id: string, options?: { fresh?: boolean }): Promise<OfferProduct | null>;
}

export interface OfferClientOptions {
  baseUrl: string;
  timeoutMs?: number;
  /** How long an answer is reused (default 3 s; 0 disables the cache). */
  cacheMs?: number;
  fetch?: typeof fetch;
  clock?: () => number;
}

const MAX_CACHED = 1000;

/**
 * The offer client: `GET /api/offers/{id}` with a timeout; 404 → null; anything else failing
 * → a 503 problem (the cart cannot price without the catalog).
 * @example const offer = createOfferClient({ baseUrl: 'http://127.0.0.1:8083' });
 */
export function createOfferClient(options: OfferClientOptions): OfferClient {
  const timeoutMs = options.timeoutMs ?? 2000;
  const cacheMs = options.cacheMs ?? 3000;
  const doFetch = options.fetch ?? fetch;
  const clock = options.clock ?? Date.now;
  const cache = new Map<string, { at: number; product: OfferProduct | null }>();
  const base = options.baseUrl.replace(/\/+$/, '');

  return {
    async getProduct(id, { fresh = false } = {}) {
      const hit = cache.get(id);
      if (!fresh && hit && clock() - hit.at < cacheMs) return hit.product;
      let res: Response;
      try {
        res = await doFetch(`${base}/api/offers/${encodeURIComponent(id)}`, {
          headers: { accept: 'application/json' },
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch {
        throw new Problem(
          503,
          'The catalog is not reachable right now; try again shortly.',
          {},
          {
            'retry-after': '2',
          },
        );
      }
      let product: OfferProduct | null;
      if (res.status === 404) {
        await res.body?.cancel();
        product = null;
      } else if (res.ok) {
        const body = (await res.json()) as OfferProduct;
        product = body.status === 'active' && body.id === id ? body : null;
      } else {
        await res.body?.cancel();
        throw new Problem(503, `The catalog answered ${res.status}; try again shortly.`);
      }
      if (cacheMs > 0) {
        if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
        cache.set(id, { at: clock(), product });
      }
      return product;
    },
  };
}
