import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { forShopper, shopperAddress, shopperFetch, shopperHeaders } from './shopper-address.js';

const request = (forwardedFor?: string) =>
  new Request('http://127.0.0.1:4321/', {
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  });

describe('shopperAddress', () => {
  it('takes the entry the farthest trusted proxy wrote, never what the visitor wrote before it', () => {
    expect(shopperAddress(request('198.51.100.66, 203.0.113.9'), '10.0.0.1', 1)).toBe(
      '203.0.113.9',
    );
    expect(shopperAddress(request('198.51.100.66, 203.0.113.9, 127.0.0.1'), '::1', 2)).toBe(
      '203.0.113.9',
    );
    // Fewer entries than proxies, or no address: unknown.
    expect(shopperAddress(request('203.0.113.9'), '10.0.0.1', 2)).toBeUndefined();
    expect(shopperAddress(request('nobody'), '10.0.0.1', 1)).toBeUndefined();
  });

  it('with no proxy in front, takes the socket, unless the visitor sent X-Forwarded-For (which Astro would believe)', () => {
    expect(shopperAddress(request(), '203.0.113.9', 0)).toBe('203.0.113.9');
    // Astro's clientAddress is then the visitor's own first entry: nothing is claimed.
    expect(shopperAddress(request('198.51.100.66'), '198.51.100.66', 0)).toBeUndefined();
    expect(shopperAddress(request(), undefined, 0)).toBeUndefined();
  });
});

describe('shopperHeaders', () => {
  const dir = mkdtempSync(join(tmpdir(), 'site-token-'));
  const file = join(dir, 'token');
  writeFileSync(file, 'header.payload.signature\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the current shopper and sends the site token with it, during that request only', async () => {
    const headers = shopperHeaders(file);
    const during = await forShopper('203.0.113.9', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return headers();
    });
    expect(during).toEqual({
      'x-shop-client-address': '203.0.113.9',
      'x-shop-site-token': 'header.payload.signature',
    });
    expect(await headers()).toEqual({});
    expect(await forShopper(undefined, () => headers())).toEqual({});
  });

  it('sends nothing without a token file: the gateway would not believe the address', async () => {
    expect(await forShopper('203.0.113.9', () => shopperHeaders(undefined)())).toEqual({});
  });

  it('adds them to the calls of a client the site does not build requests for, keeping its own headers', async () => {
    const seen: Headers[] = [];
    const base: typeof fetch = async (input, init) => {
      seen.push(
        new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)),
      );
      return new Response(null, { status: 204 });
    };
    const send = shopperFetch(shopperHeaders(file), base);
    await forShopper('203.0.113.9', () =>
      send(
        new Request('http://gateway/ofrep/v1/evaluate/flags/x', {
          headers: { accept: 'application/json' },
        }),
      ),
    );
    await forShopper('198.51.100.7', () =>
      send('http://gateway/api/analytics/v1/page', {
        method: 'POST',
        headers: { authorization: 'Basic a2V5Og==', 'x-shop-client-address': '10.9.9.9' },
      }),
    );
    await send('http://gateway/api/analytics/v1/page');
    expect(seen.map((h) => h.get('x-shop-client-address'))).toEqual([
      '203.0.113.9',
      '198.51.100.7',
      null,
    ]);
    expect(seen[0]?.get('accept')).toBe('application/json');
    expect(seen[1]?.get('authorization')).toBe('Basic a2V5Og==');
    expect(seen[1]?.get('x-shop-site-token')).toBe('header.payload.signature');
  });
});
