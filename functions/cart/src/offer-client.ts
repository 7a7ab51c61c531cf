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

/** A line of a stock reservation. */
export interface StockLine {
  productId: string;
  quantity: number;
}

/** What offer answers a release or commit: done (now or before), or refused. */
export type SettleOutcome = 'settled' | 'refused' | 'unknown';

export interface OfferClient {
  /** The active product, or null when offer knows no active product with this id. */
  getProduct(id: string, options?: { fresh?: boolean }): Promise<OfferProduct | null>;
  /**
   * Reserves the order's quantities at offer (all or none; a retry for the order id is the same
   * reservation). Short products → a 409 problem naming them; offer down → 503.
   */
  reserveStock(orderId: string, lines: StockLine[]): Promise<void>;
  /**
   * Releases (units back) or commits (final) the order's reservation. `refused`: it was already
   * settled the other way; `unknown`: offer has no reservation for it. Offer down → 503.
   */
  settleStock(orderId: string, action: 'release' | 'commit'): Promise<SettleOutcome>;
}

export interface OfferClientOptions {
  baseUrl: string;
  timeoutMs?: number;
  /** How long an answer is reused (default 3 s; 0 disables the cache). */
  cacheMs?: number;
  /**
   * Minutes offer holds a reservation before it releases it by itself (a checkout that never
   * settled). Longer than cart's pending-order time, which cancels and releases first.
   * Default: offer's STOCK_HOLD_MINUTES.
   */
  stockHoldMinutes?: number;
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

  const unreachable = () =>
    new Problem(
      503,
      'The catalog is not reachable right now; try again shortly.',
      {},
      { 'retry-after': '2' },
    );
  const post = async (path: string, body?: unknown): Promise<Response> => {
    try {
      return await doFetch(`${base}${path}`, {
        method: 'POST',
        headers: {
          accept: 'application/json',
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      throw unreachable();
    }
  };

  return {
    async reserveStock(orderId, lines) {
      const res = await post('/internal/stock/reservations', {
        orderId,
        lines,
        ...(options.stockHoldMinutes !== undefined && { holdMinutes: options.stockHoldMinutes }),
      });
      if (res.ok) {
        await res.body?.cancel();
        return;
      }
      if (res.status === 409) {
        const body = (await res.json().catch(() => ({}))) as {
          errors?: { name: string; reason: string; available?: number }[];
        };
        throw new Problem(409, 'Some products sold out while you checked out; update the cart.', {
          type: 'https://shop.example/problems/out-of-stock',
          errors: (body.errors ?? []).map((error) => ({ name: error.name, reason: error.reason })),
        });
      }
      await res.body?.cancel();
      throw new Problem(503, `The catalog answered ${res.status}; try again shortly.`);
    },

    async settleStock(orderId, action) {
      const res = await post(
        `/internal/stock/reservations/${encodeURIComponent(orderId)}/${action}`,
      );
      await res.body?.cancel();
      if (res.ok) return 'settled';
      if (res.status === 409) return 'refused';
      if (res.status === 404) return 'unknown';
      throw new Problem(503, `The catalog answered ${res.status}; try again shortly.`);
    },

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
