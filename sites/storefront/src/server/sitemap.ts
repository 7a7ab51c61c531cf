// sitemap.xml from the catalog: home, every category and every active product, in English and
// German, each entry naming its other-language version (hreflang alternates).
import type { GatewayClient } from './gateway-client.js';
import { LOCALE_TAGS, LOCALES, localePath } from './i18n.js';

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** One page of the site in the sitemap (its path without locale), with when it last changed. */
export interface SitemapPage {
  path: string;
  lastmod?: string | undefined;
}

/**
 * The pages of the catalog: home, categories, then products 100 at a time up to `maxProducts`.
 * @example await catalogPages(gateway, 5000) // [{ path: '/' }, { path: '/c/kitchen' }, …]
 */
export async function catalogPages(
  gateway: GatewayClient,
  maxProducts: number,
): Promise<SitemapPage[]> {
  const pages: SitemapPage[] = [{ path: '/' }, { path: '/help' }];
  const categories = await gateway.categories();
  if (categories.ok) {
    for (const category of categories.body.items) pages.push({ path: `/c/${category.slug}` });
  }
  let cursor: string | undefined;
  let products = 0;
  while (products < maxProducts) {
    const page = await gateway.listOffers({ sort: 'name', limit: 100, cursor });
    if (!page.ok) break;
    for (const product of page.body.items.slice(0, maxProducts - products)) {
      pages.push({ path: `/p/${product.slug}`, lastmod: product.updatedAt });
      products++;
    }
    if (!page.body.nextCursor) break;
    cursor = page.body.nextCursor;
  }
  return pages;
}

/**
 * The sitemap document of `pages` on `origin`.
 * @example renderSitemap('https://shop.example', [{ path: '/' }])
 */
export function renderSitemap(origin: string, pages: SitemapPage[]): string {
  const entries = pages.flatMap((page) =>
    LOCALES.map((locale) => {
      const alternates = LOCALES.map(
        (other) =>
          `<xhtml:link rel="alternate" hreflang="${LOCALE_TAGS[other]}" href="${escapeXml(origin + localePath(other, page.path))}"/>`,
      ).join('');
      const lastmod = page.lastmod ? `<lastmod>${escapeXml(page.lastmod)}</lastmod>` : '';
      return `<url><loc>${escapeXml(origin + localePath(locale, page.path))}</loc>${lastmod}${alternates}</url>`;
    }),
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n${entries.join('\n')}\n</urlset>\n`;
}
