import { describe, expect, it } from 'vitest';
import { createGatewayClient } from './gateway-client.js';
import { catalogPages, renderSitemap } from './sitemap.js';

describe('the sitemap', () => {
  it('lists every page in both languages with its alternates, escaped', () => {
    const xml = renderSitemap('https://shop.example', [
      { path: '/' },
      { path: '/p/a&b', lastmod: '2026-12-01T00:00:00.000Z' },
    ]);
    expect(xml).toContain('<loc>https://shop.example/</loc>');
    expect(xml).toContain('<loc>https://shop.example/de</loc>');
    expect(xml).toContain(
      '<loc>https://shop.example/de/p/a&#38;b</loc><lastmod>2026-12-01T00:00:00.000Z</lastmod>',
    );
    expect(xml).toContain(
      '<xhtml:link rel="alternate" hreflang="de-DE" href="https://shop.example/de/p/a&#38;b"/>',
    );
    expect(xml.match(/<url>/g)).toHaveLength(4);
  });

  it('pages through the catalog up to the limit', async () => {
    const listed: string[] = [];
    const gateway = createGatewayClient({
      baseUrl: 'http://gateway.test',
      timeoutMs: 1000,
      fetch: async (input) => {
        const url = new URL(String(input));
        if (url.pathname === '/api/categories') {
          return Response.json({ items: [{ slug: 'kitchen', name: 'Kitchen', productCount: 3 }] });
        }
        listed.push(url.search);
        const cursor = url.searchParams.get('cursor');
        const page = cursor === null ? 1 : 2;
        return Response.json({
          items: [1, 2].map((n) => ({ slug: `p${page}-${n}`, updatedAt: '2026-12-01' })),
          nextCursor: page === 1 ? 'next' : 'again',
        });
      },
    });
    const pages = await catalogPages(gateway, 3);
    expect(pages.map((page) => page.path)).toEqual([
      '/',
      '/help',
      '/c/kitchen',
      '/p/p1-1',
      '/p/p1-2',
      '/p/p2-1',
    ]);
    expect(listed).toEqual(['?sort=name&limit=100', '?sort=name&limit=100&cursor=next']);
  });
});
