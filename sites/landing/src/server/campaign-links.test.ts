import { describe, expect, it } from 'vitest';
import { attributionOf, storefrontLink } from './campaign-links.js';

const CLICK = '0190f3a2-7b1c-7d4e-8f00-123456789abc';
const SHOP = 'http://127.0.0.1:4321';
const DEFAULTS = { utm_source: 'landing', utm_medium: 'web', utm_campaign: 'summer-sale' };

describe('attributionOf', () => {
  it('keeps the UTM parameters and the click id the redirect appended', () => {
    const query = new URLSearchParams(
      `utm_source=demo-affiliate&utm_medium=affiliate&utm_campaign=summer-sale&shop_click=${CLICK}&sub=x`,
    );
    expect(attributionOf(query, DEFAULTS)).toEqual([
      ['utm_source', 'demo-affiliate'],
      ['utm_medium', 'affiliate'],
      ['utm_campaign', 'summer-sale'],
      ['shop_click', CLICK],
    ]);
  });

  it("fills what the visit lacks from the campaign's defaults", () => {
    expect(attributionOf(new URLSearchParams('utm_source=newsletter'), DEFAULTS)).toEqual([
      ['utm_source', 'newsletter'],
      ['utm_medium', 'web'],
      ['utm_campaign', 'summer-sale'],
    ]);
  });

  it('drops a forged click id and replaces oversized or control-character UTM values', () => {
    const query = new URLSearchParams();
    query.set('shop_click', `${CLICK}"><script>`);
    query.set('utm_source', 'x'.repeat(101));
    query.set('utm_medium', 'web\r\nSet-Cookie: a=b');
    expect(attributionOf(query, DEFAULTS)).toEqual([
      ['utm_source', 'landing'],
      ['utm_medium', 'web'],
      ['utm_campaign', 'summer-sale'],
    ]);
  });
});

describe('storefrontLink', () => {
  const attribution = attributionOf(new URLSearchParams(`shop_click=${CLICK}`), DEFAULTS);

  it('points at the storefront with the attribution, escaping every value', () => {
    const odd = attributionOf(new URLSearchParams('utm_term=a&b=<c>'), {});
    expect(storefrontLink(SHOP, '/p/linen-shirt', attribution)).toBe(
      `${SHOP}/p/linen-shirt?utm_source=landing&utm_medium=web&utm_campaign=summer-sale&shop_click=${CLICK}`,
    );
    expect(storefrontLink(SHOP, '/search?q=tent', odd)).toBe(`${SHOP}/search?q=tent&utm_term=a`);
    const tricky = attributionOf(new URLSearchParams('utm_content=%3Ca%20href%3D%22x%22%3E'), {});
    expect(storefrontLink(SHOP, '/', tricky)).toBe(`${SHOP}/?utm_content=%3Ca+href%3D%22x%22%3E`);
  });

  it("lets the path's own parameters win", () => {
    const link = new URL(storefrontLink(SHOP, '/c/outdoor?utm_campaign=own', attribution));
    expect(link.searchParams.getAll('utm_campaign')).toEqual(['own']);
  });

  it('never leaves the storefront, whatever the path says', () => {
    for (const path of ['//evil.example/p', 'https://evil.example/', 'javascript:alert(1)']) {
      expect(new URL(storefrontLink(SHOP, path, [])).origin).toBe(SHOP);
    }
  });
});
