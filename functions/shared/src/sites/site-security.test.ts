import { describe, expect, it } from 'vitest';
import {
  cookieValue,
  hostCookie,
  localReturnPath,
  sameOrigin,
  tokenMatches,
} from './site-security.js';

const SHOP = 'https://shop.example';
const headers = (init: Record<string, string>) => new Headers(init);

describe('sameOrigin', () => {
  it('accepts a form posted from the shop itself', () => {
    expect(sameOrigin(headers({ origin: SHOP }), SHOP)).toEqual({ ok: true });
    expect(sameOrigin(headers({ 'sec-fetch-site': 'same-origin' }), SHOP)).toEqual({ ok: true });
    expect(sameOrigin(headers({ referer: `${SHOP}/p/kettle` }), SHOP)).toEqual({ ok: true });
  });

  it('refuses a form another site posts, whatever else the request says', () => {
    expect(sameOrigin(headers({ origin: 'https://evil.example' }), SHOP).ok).toBe(false);
    // A look-alike host, another scheme, another port.
    expect(sameOrigin(headers({ origin: 'https://shop.example.evil.example' }), SHOP).ok).toBe(
      false,
    );
    expect(sameOrigin(headers({ origin: 'http://shop.example' }), SHOP).ok).toBe(false);
    expect(sameOrigin(headers({ origin: 'https://shop.example:8443' }), SHOP).ok).toBe(false);
    // A sandboxed frame or a privacy redirect sends Origin: null.
    expect(sameOrigin(headers({ origin: 'null' }), SHOP).ok).toBe(false);
    // Origin decides when present: a forged-looking Referer cannot help a foreign Origin.
    expect(
      sameOrigin(headers({ origin: 'https://evil.example', referer: `${SHOP}/` }), SHOP).ok,
    ).toBe(false);
    expect(sameOrigin(headers({ 'sec-fetch-site': 'cross-site' }), SHOP).ok).toBe(false);
    expect(sameOrigin(headers({ 'sec-fetch-site': 'same-site' }), SHOP).ok).toBe(false);
    expect(sameOrigin(headers({ referer: 'https://evil.example/x' }), SHOP).ok).toBe(false);
    expect(sameOrigin(headers({ referer: 'not a url' }), SHOP).ok).toBe(false);
  });

  it('refuses a request that says nowhere where it came from', () => {
    expect(sameOrigin(headers({}), SHOP)).toEqual({
      ok: false,
      reason: 'no origin, sec-fetch-site or referer',
    });
  });
});

describe('tokenMatches', () => {
  const token = 'a'.repeat(43);
  it('accepts the session token and nothing else', () => {
    expect(tokenMatches(token, token)).toBe(true);
    expect(tokenMatches(token, `${'a'.repeat(42)}b`)).toBe(false);
    expect(tokenMatches(token, 'a')).toBe(false);
    expect(tokenMatches(token, '')).toBe(false);
    expect(tokenMatches(token, null)).toBe(false);
    expect(tokenMatches(token, new File([token], 'x'))).toBe(false);
  });
});

describe('localReturnPath', () => {
  it('keeps a path of this site with its query', () => {
    expect(localReturnPath('/cart', '/')).toBe('/cart');
    expect(localReturnPath('/de/search?q=kettle&sort=name', '/')).toBe(
      '/de/search?q=kettle&sort=name',
    );
  });

  it('never sends the browser to another site', () => {
    for (const value of [
      'https://evil.example/',
      '//evil.example/',
      '/\\evil.example',
      '\\\\evil.example',
      'javascript:alert(1)',
      '/cart\r\nset-cookie: x=1',
      '',
      `/${'a'.repeat(2001)}`,
    ]) {
      expect(localReturnPath(value, '/fallback')).toBe('/fallback');
    }
    expect(localReturnPath(null, '/fallback')).toBe('/fallback');
  });
});

describe('cookies', () => {
  it('makes __Host- cookies of this host only, and reads one back from a Cookie header', () => {
    expect(hostCookie('__Host-shop_session', 'abc', 60)).toBe(
      '__Host-shop_session=abc; Path=/; Max-Age=60; Secure; HttpOnly; SameSite=Lax',
    );
    expect(hostCookie('__Host-shop_session', '', 0)).toContain('Max-Age=0');
    expect(cookieValue('a=1; __Host-shop_session=x=y; b=2', '__Host-shop_session')).toBe('x=y');
    expect(cookieValue('a=1', '__Host-shop_session')).toBeUndefined();
    expect(cookieValue(null, 'a')).toBeUndefined();
    // A cookie whose name only ends like ours is another cookie.
    expect(cookieValue('x__Host-shop_session=evil', '__Host-shop_session')).toBeUndefined();
  });
});
