import { describe, expect, it } from 'vitest';
import { createGatewayClient, GatewayUnavailableError } from './gateway-client.js';

interface Seen {
  url: string;
  method: string;
  headers: Headers;
  body: string | null;
}

function clientAnswering(answer: (seen: Seen) => Response | Promise<Response>, timeoutMs = 1000) {
  const seen: Seen[] = [];
  const fake: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const call = {
      url: request.url,
      method: request.method,
      headers: request.headers,
      body: init?.body ? String(init.body) : null,
    };
    seen.push(call);
    return answer(call);
  };
  return {
    seen,
    gateway: createGatewayClient({ baseUrl: 'http://gateway.test', timeoutMs, fetch: fake }),
  };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

describe('the gateway client', () => {
  it('calls the public listing with only the parameters given', async () => {
    const { gateway, seen } = clientAnswering(() => json({ items: [], nextCursor: null }));
    await gateway.listOffers({ q: 'kettle', category: undefined, minPrice: 1000, sort: '' });
    expect(seen[0]?.url).toBe('http://gateway.test/api/offers?q=kettle&minPrice=1000');
  });

  it('sends the shopper token as a bearer and the anonymous cart as x-cart-id, never as cookies', async () => {
    const { gateway, seen } = clientAnswering(() => json({ items: [], itemCount: 0 }));
    await gateway.getCart({ accessToken: 'at', locale: 'de-DE' });
    await gateway.addToCart({ cartId: 'c'.repeat(43) }, 'p-1', 2);
    expect(seen[0]?.headers.get('authorization')).toBe('Bearer at');
    expect(seen[0]?.headers.get('accept-language')).toBe('de-DE');
    expect(seen[1]?.headers.get('x-cart-id')).toBe('c'.repeat(43));
    expect(seen[1]?.headers.get('authorization')).toBeNull();
    expect(seen[1]?.headers.get('cookie')).toBeNull();
    expect(JSON.parse(seen[1]?.body ?? '')).toEqual({ productId: 'p-1', quantity: 2 });
  });

  it('escapes ids in paths, so a crafted id cannot reach another route', async () => {
    const { gateway, seen } = clientAnswering(() => json({}, 404));
    await gateway.getOffer('../admin/offers');
    await gateway.order({ accessToken: 'at' }, 'x/../../users/me');
    expect(seen[0]?.url).toBe('http://gateway.test/api/offers/..%2Fadmin%2Foffers');
    expect(seen[1]?.url).toBe('http://gateway.test/api/cart/orders/x%2F..%2F..%2Fusers%2Fme');
  });

  it('sends the checkout idempotency key as the header cart needs', async () => {
    const { gateway, seen } = clientAnswering(() => json({ order: {}, payment: {} }, 201));
    const address = { name: 'A', line1: 'B 1', postalCode: '1', city: 'C', country: 'DE' };
    const answer = await gateway.checkout({ accessToken: 'at' }, 'key-1', {
      shippingAddress: address,
    });
    expect(answer.status).toBe(201);
    expect(seen[0]?.headers.get('idempotency-key')).toBe('key-1');
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ shippingAddress: address });
  });

  it('hands 4xx problems back to the page and keeps the headers (x-cart-id)', async () => {
    const { gateway } = clientAnswering(() =>
      json({ title: 'out of stock', errors: [{ name: 'p', reason: 'x' }] }, 422, {
        'x-cart-id': 'new',
      }),
    );
    const answer = await gateway.addToCart({}, 'p', 1);
    expect(answer).toMatchObject({ status: 422, ok: false, body: { title: 'out of stock' } });
    expect(answer.headers.get('x-cart-id')).toBe('new');
  });

  it('turns a 5xx, a refused connection and a slow answer into GatewayUnavailableError', async () => {
    const down = clientAnswering(() => json({ title: 'upstream unavailable' }, 503));
    await expect(down.gateway.categories()).rejects.toBeInstanceOf(GatewayUnavailableError);
    const refused = clientAnswering(() => Promise.reject(new TypeError('fetch failed')));
    await expect(refused.gateway.categories()).rejects.toThrow('gateway unreachable');
    const slow = clientAnswering(
      (seen) =>
        new Promise((_, reject) => {
          // The real fetch rejects with the signal's reason when the timeout fires.
          setTimeout(() => reject(new DOMException('timed out', 'TimeoutError')), 30);
          void seen;
        }),
      10,
    );
    await expect(slow.gateway.categories()).rejects.toThrow('gateway timed out');
  });

  it('never follows a redirect the gateway answers', async () => {
    const { gateway, seen } = clientAnswering(
      () => new Response(null, { status: 302, headers: { location: 'http://evil.example/' } }),
    );
    const answer = await gateway.getOffer('kettle');
    expect(answer.status).toBe(302);
    expect(seen).toHaveLength(1);
  });
});
